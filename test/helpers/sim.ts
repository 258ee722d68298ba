import { join } from 'node:path';
import { createLogger } from '../../electron/core/logger';
import type { ByteChannel } from '../../electron/serial/channel';
import { FramedDriver } from '../../electron/serial/drivers/framed';
import { Link } from '../../electron/serial/link';
import { PortRegistry } from '../../electron/serial/registry';
import { startCli, type CliProcess } from './cli';

export interface SimDevice {
  path: string;
  process: CliProcess;
  stop(): Promise<number | null>;
}

/** `commissioner sim --pty` as a user runs it (the built CLI), on a link path inside `dir`. */
export async function startSimDevice(dir: string, name: string, args: string[] = []): Promise<SimDevice> {
  const link = join(dir, name);
  const sim = startCli(['sim', '--pty', '--link', link, '--serial', `SN-${name}`, ...args]);
  await sim.waitFor(new RegExp(`on ${link.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 15_000);
  return { path: link, process: sim, stop: () => sim.stop() };
}

export const quietLogger = () => createLogger({ level: 'fatal', ringSize: 10 });

/** A port registry as the services make it, with short polling for hot-plug tests. */
export function testRegistry(watch: string[] = [], events: { added?: (path: string) => void; removed?: (path: string) => void } = {}): PortRegistry {
  return new PortRegistry({
    watch,
    pollMs: 50,
    logger: quietLogger(),
    listOs: async () => [],
    onAdded: (port) => events.added?.(port.path),
    onRemoved: (port) => events.removed?.(port.path),
  });
}

/** A framed driver over a channel with the short timeouts tests use (spec §3.3). */
export function framedDriver(channel: ByteChannel, timeoutMs = 300): FramedDriver {
  return new FramedDriver(new Link(channel, { timeoutMs, attempts: 3, baud: 115200 }));
}
