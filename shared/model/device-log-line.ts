import type { DeviceLogLine } from '../contract/ports';

/**
 * A decoded device log line as a console shows it (the CLI's and the UI's): a framed device's
 * COBS bytes mean nothing to a technician, its log stream does (commissioning protocol §6.8).
 */
export function deviceLogLineText(line: DeviceLogLine): string {
  return `[${line.path} ${line.level} +${(line.uptimeMs / 1000).toFixed(3)}s] ${line.text}`;
}
