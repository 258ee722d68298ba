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

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One sim process (`commissioner sim --pty`, the built CLI) and the host-side link path of each device it serves. */
export interface SimRig {
  paths: string[];
  process: CliProcess;
  stop(): Promise<number | null>;
}

/** `commissioner sim --pty --count N` (one process serving N devices) on link paths `NAME-1` … `NAME-N` inside `dir` (just `NAME` for one). */
export async function startSimRig(dir: string, name: string, count: number, args: string[] = []): Promise<SimRig> {
  const link = join(dir, name);
  const sim = startCli(['sim', '--pty', '--count', String(count), '--link', link, '--serial', `SN-${name}`, ...args]);
  const paths = count === 1 ? [link] : Array.from({ length: count }, (_, index) => `${link}-${index + 1}`);
  for (const path of paths) await sim.waitFor(new RegExp(`on ${escapeRegExp(path)}(?=\\s|$)`, 'm'), 15_000);
  return { paths, process: sim, stop: () => sim.stop() };
}

/** `commissioner sim --pty` as a user runs it (the built CLI), on a link path inside `dir`. */
export async function startSimDevice(dir: string, name: string, args: string[] = []): Promise<SimDevice> {
  const rig = await startSimRig(dir, name, 1, args);
  return { path: rig.paths[0]!, process: rig.process, stop: rig.stop };
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
