import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../electron/hub/hub';
import { tempDir } from '../helpers/cli';
import { DEVICE_SECRET, DK, PK, startHub } from '../helpers/hub';
import { startSimDevice, type SimDevice } from '../helpers/sim';

let dir: string;
let hub: Hub;
let port: number;
const sims: SimDevice[] = [];

/** A sim started on a flash as commit leaves it: the application runs as an EnOS device on the hub at boot. */
async function committedSim(name: string): Promise<SimDevice> {
  const device = await startSimDevice(dir, name, ['--state', committedState(name), '--post-interval', '50']);
  sims.push(device);
  return device;
}

function committedState(name: string): string {
  const path = join(dir, `${name}.json`);
  const flash = { config: { productKey: PK, deviceKey: DK, endpoints: [{ protocol: 'mqtt', host: '127.0.0.1', port, tls: false }] }, secrets: { deviceSecret: DEVICE_SECRET }, state: 'committed', mfg: {} };
  writeFileSync(path, JSON.stringify(flash));
  return path;
}

async function online(): Promise<void> {
  while (!hub.sessionList().some((session) => session.deviceKey === DK)) await new Promise((resolve) => setTimeout(resolve, 25));
}

beforeAll(async () => {
  dir = tempDir('commissioner-sim-exit-');
  const started = await startHub();
  hub = started.hub;
  port = Number(new URL(started.url).port);
});

afterAll(async () => {
  // A sim that ignored its signal must not outlive the test run.
  for (const device of sims) if (device.process.child.exitCode === null) device.process.child.kill('SIGKILL');
  await hub.stop();
});

describe('a committed sim (running as an EnOS device) ends on a signal', () => {
  it('SIGTERM once it is online: closes its MQTT session, the PTY and socat and exits 0', { timeout: 20_000 }, async () => {
    const device = await committedSim('online');
    await online();
    expect(await device.process.stop('SIGTERM')).toBe(0);
    expect(device.process.stdout()).toMatch(/stopped/);
  });

  it('SIGTERM while its login is still under way, and SIGINT, both exit 0', { timeout: 20_000 }, async () => {
    const early = await committedSim('early');
    expect(await early.process.stop('SIGTERM')).toBe(0);
    const interrupted = await committedSim('interrupted');
    await online();
    expect(await interrupted.process.stop('SIGINT')).toBe(0);
  });
});
