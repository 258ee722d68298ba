import type { DeviceLogLine } from '../../../shared/contract';

/** The framed protocol's log levels, most severe first (commissioning protocol §6.8). */
export const DEVICE_LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type DeviceLogLevel = (typeof DEVICE_LOG_LEVELS)[number];

/** Newest last, at most `max` lines: the panel keeps a window, not the whole day. */
export function appendDeviceLog(buffer: readonly DeviceLogLine[], line: DeviceLogLine, max: number): DeviceLogLine[] {
  const next = buffer.length >= max ? buffer.slice(buffer.length - max + 1) : buffer.slice();
  next.push(line);
  return next;
}

/** Lines at `level` or more severe, of one port (or every port when `path` is empty); a level the protocol does not name counts as info. */
export function filterDeviceLog(lines: readonly DeviceLogLine[], level: DeviceLogLevel, path: string): DeviceLogLine[] {
  const limit = DEVICE_LOG_LEVELS.indexOf(level);
  const rank = (name: string) => {
    const index = DEVICE_LOG_LEVELS.indexOf(name as DeviceLogLevel);
    return index < 0 ? DEVICE_LOG_LEVELS.indexOf('info') : index;
  };
  return lines.filter((line) => rank(line.level) <= limit && (path === '' || line.path === path));
}
