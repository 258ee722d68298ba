import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCsr } from '../../electron/pki/csr';
import { toPem } from '../../electron/pki/pem';
import { configHash } from '../../electron/serial/drivers/framed';
import type { PortRegistry } from '../../electron/serial/registry';
import { initDataDir, runCli, tempDir } from '../helpers/cli';
import { framedDriver, startSimDevice, testRegistry, type SimDevice } from '../helpers/sim';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const subject = { country: 'CN', stateOrProvince: 'Shanghai', locality: 'Shanghai', organization: 'Demo Energy', organizationalUnit: 'Devices' };
const config = {
  productKey: 'pKdemo01',
  deviceKey: 'dev-001',
  endpoints: [
    { protocol: 'mqtt' as const, host: '127.0.0.1', port: 11883, tls: false },
    { protocol: 'mqtt' as const, host: '127.0.0.1', port: 18883, tls: true },
  ],
};
/** A chain long enough for several chunks and pipelined windows (spec §6.5). */
const chain = `-----BEGIN CERTIFICATE-----\n${'MIIB'.repeat(3000)}\n-----END CERTIFICATE-----\n`;

let dir: string;
let registry: PortRegistry;
const sims: SimDevice[] = [];

async function sim(name: string, args: string[] = []): Promise<SimDevice> {
  const device = await startSimDevice(dir, name, args);
  sims.push(device);
  return device;
}

async function withDriver<T>(path: string, body: (driver: ReturnType<typeof framedDriver>) => Promise<T>): Promise<T> {
  const channel = await registry.acquire(path, 'pipeline', { baud: 115200 });
  if (!channel.ok) throw new Error(channel.error.message);
  const driver = framedDriver(channel.value);
  try {
    return await body(driver);
  } finally {
    driver.close();
    await registry.release(path, channel.value);
  }
}

beforeAll(() => {
  dir = tempDir('commissioner-serial-');
  registry = testRegistry();
});

afterAll(async () => {
  await registry.stop();
  await Promise.all(sims.map((device) => device.stop()));
});

describe('framed protocol against a sim on a real pseudo-terminal', () => {
  it('a second host session on the still-running sim gets fresh answers, not the first session\'s remembered ones (spec §3.1)', async () => {
    const device = await sim('sessions');
    // Both sessions number hello 1, config.read 2: the second read must see the write in between.
    await withDriver(device.path, async (driver) => {
      expect(await driver.readConfig()).toEqual({ ok: true, value: { endpoints: [] } });
      expect((await driver.writeConfig(config)).ok).toBe(true);
    });
    await withDriver(device.path, async (driver) => expect(await driver.readConfig()).toEqual({ ok: true, value: config }));
  });

  it('identifies, writes, reads back and commits; the flash survives a restart of the sim', async () => {
    const state = join(dir, 'a.json');
    const device = await sim('a', ['--state', state, '--model', 'METER-9']);
    await withDriver(device.path, async (driver) => {
      const identity = await driver.identify();
      expect(identity).toMatchObject({ ok: true, value: { model: 'METER-9', serial: 'SN-a', state: 'factory', driver: 'framed', protocolVersion: 1 } });
      expect((await driver.writeConfig(config)).ok).toBe(true);
      expect((await driver.writeSecret('deviceSecret', 'DsDemoSecret0001')).ok).toBe(true);
      const csr = await driver.generateCsr(subject);
      if (!csr.ok) throw new Error(csr.error.message);
      expect(checkCsr(toPem(csr.value, 'CERTIFICATE REQUEST'), 'dev-001').ok).toBe(true);
      expect((await driver.writeCertificateChain(chain)).ok).toBe(true);
      const hashes = await driver.readHashes();
      expect(hashes.ok && hashes.value).toMatchObject({ config: configHash(config), deviceSecret: sha256('DsDemoSecret0001'), certificateChain: sha256(chain) });
      expect(await driver.readConfig()).toEqual({ ok: true, value: config });
      expect((await driver.commit()).ok).toBe(true);
      expect((await driver.identify()).ok && (await driver.identify())).toMatchObject({ value: { state: 'committed' } });
    });
    // The device's secret is in its flash file, as on a real board; never in the host's messages.
    expect(JSON.parse(readFileSync(state, 'utf8')).state).toBe('committed');
    await device.stop();
    const again = await sim('a', ['--state', state]);
    await withDriver(again.path, async (driver) => {
      const hashes = await driver.readHashes();
      expect(hashes.ok && hashes.value.certificateChain).toBe(sha256(chain));
      expect(hashes.ok && hashes.value.publicKey).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  it('retries corrupted and dropped frames with the same sequence number and succeeds', async () => {
    const corrupt = await sim('corrupt', ['--fault', 'corrupt:2']);
    await withDriver(corrupt.path, async (driver) => {
      expect((await driver.identify()).ok).toBe(true);
      expect((await driver.writeConfig(config)).ok).toBe(true);
      expect((await driver.writeCertificateChain(chain)).ok).toBe(true);
    });
    const lossy = await sim('lossy', ['--fault', 'drop:3']);
    await withDriver(lossy.path, async (driver) => {
      expect((await driver.writeCertificateChain(chain)).ok).toBe(true);
      const hashes = await driver.readHashes();
      expect(hashes.ok && hashes.value.certificateChain).toBe(sha256(chain));
    });
  });

  it('reports an unplug mid-transfer with the port and step, and the device claims nothing half-written', async () => {
    const state = join(dir, 'unplug.json');
    const device = await sim('unplug', ['--state', state, '--fault', 'unplug-mid-write:4000']);
    await withDriver(device.path, async (driver) => {
      const written = await driver.writeCertificateChain(chain);
      expect(written.ok).toBe(false);
      if (written.ok) return;
      expect(written.error.code).toBe('SERIAL_PORT_VANISHED');
      expect(written.error.message).toContain(device.path);
      expect(written.error.message).toContain('transfer.chunk');
    });
    expect(await device.process.exited()).toBe(0);
    const replugged = await sim('unplug', ['--state', state]);
    await withDriver(replugged.path, async (driver) => {
      const hashes = await driver.readHashes();
      expect(hashes.ok && hashes.value.certificateChain).toBeUndefined();
    });
  });

  it('a reboot in the middle of a write fails the transfer and leaves no certificate', async () => {
    const device = await sim('reboot', ['--fault', 'reboot-mid-write:4000']);
    await withDriver(device.path, async (driver) => {
      const written = await driver.writeCertificateChain(chain);
      expect(written.ok).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 400)); // the sim's restart
      const hashes = await driver.readHashes();
      expect(hashes.ok && hashes.value.certificateChain).toBeUndefined();
    });
  });

  it('says when the device refuses key generation or lacks a deviceKey', async () => {
    const refusing = await sim('refuse', ['--fault', 'refuse-csr']);
    await withDriver(refusing.path, async (driver) => {
      expect(await driver.generateCsr(subject)).toMatchObject({ ok: false, error: { code: 'DEVICE_REFUSED' } });
    });
    const fresh = await sim('fresh');
    await withDriver(fresh.path, async (driver) => {
      const csr = await driver.generateCsr(subject);
      expect(csr).toMatchObject({ ok: false, error: { code: 'DEVICE_ERROR' } });
      expect(!csr.ok && csr.error.message).toMatch(/keypair\.generate.*notReady.*deviceKey/);
    });
  });
});

describe('bad input on the link: a clear error with port and step, never a hang', () => {
  const cases: [string, string[], string][] = [
    ['a silent device', ['--fault', 'silent'], 'SERIAL_NO_ANSWER'],
    ['garbage bytes', ['--fault', 'garbage'], 'SERIAL_CORRUPT_FRAMES'],
    ['out-of-order sequence numbers', ['--fault', 'wrong-seq'], 'SERIAL_SEQUENCE'],
    ['an unknown protocol version', ['--fault', 'version:2'], 'SERIAL_VERSION'],
    ['oversized frames', ['--fault', 'oversized'], 'SERIAL_FRAME_TOO_LARGE'],
  ];
  for (const [what, args, code] of cases) {
    it(`${what} → ${code}`, async () => {
      const device = await sim(`bad-${code}`, args);
      await withDriver(device.path, async (driver) => {
        const identity = await driver.identify();
        expect(identity).toMatchObject({ ok: false, error: { code } });
        expect(!identity.ok && identity.error.message).toContain(`Port ${device.path}, step hello`);
      });
    });
  }

  it('a port that does not exist → SERIAL_PORT_NOT_FOUND', async () => {
    expect(await registry.acquire(join(dir, 'nothing-here'), 'pipeline', { baud: 115200 })).toMatchObject({ ok: false, error: { code: 'SERIAL_PORT_NOT_FOUND' } });
  });
});

describe('port registry', () => {
  it('lends a port to one holder at a time; the console takes over only when asked', async () => {
    const device = await sim('shared');
    const consoleChannel = await registry.acquire(device.path, 'console', { baud: 115200 });
    expect(consoleChannel.ok).toBe(true);
    expect(await registry.acquire(device.path, 'pipeline', { baud: 115200 })).toMatchObject({ ok: false, error: { code: 'SERIAL_PORT_IN_USE' } });
    const taken = await registry.acquire(device.path, 'pipeline', { baud: 115200, takeover: true });
    expect(taken.ok).toBe(true);
    expect(consoleChannel.ok && consoleChannel.value.closed).toBe('taken-over');
    if (taken.ok) await registry.release(device.path, taken.value);
    expect(registry.holderOf(device.path)).toBeNull();
  });

  it('fires added and removed events when a sim starts and stops on a watched glob', async () => {
    const events: string[] = [];
    const watcher = testRegistry([join(dir, 'hot-*')], { added: (path) => events.push(`+${path}`), removed: (path) => events.push(`-${path}`) });
    await watcher.start();
    try {
      const device = await sim('hot-1');
      await expect.poll(() => events, { timeout: 5000 }).toContain(`+${device.path}`);
      const [listed] = (await watcher.list()).filter((port) => port.path === device.path);
      expect(listed).toMatchObject({ identity: `path:${device.path}`, kind: 'pty', source: 'configured', holder: 'free' });
      await device.stop();
      await expect.poll(() => events, { timeout: 5000 }).toContain(`-${device.path}`);
    } finally {
      await watcher.stop();
    }
  });
});

describe('CLI', () => {
  let data: string;
  beforeAll(() => {
    data = initDataDir();
  });

  it('`commissioner identify PORT --json` prints what the device reports; `ports --watch` lists the sim', async () => {
    const device = await sim('cli', ['--model', 'CLI-1']);
    const identified = runCli(['--data', data, '--json', 'identify', device.path]);
    expect(identified.json()).toMatchObject({ ok: true, value: { model: 'CLI-1', serial: 'SN-cli', driver: 'framed' } });
    const listed = runCli(['--data', data, '--json', 'ports', '--watch', join(dir, 'cli*')]);
    expect(listed.json<{ value: { path: string; identity: string }[] }>().value).toContainEqual(expect.objectContaining({ path: device.path, identity: `path:${device.path}` }));
    const human = runCli(['--data', data, 'identify', device.path]);
    expect(human.stdout).toMatch(/model\s+CLI-1/);
  });

  it('`identify` of a silent device fails with exit 1 and names the port and step', async () => {
    const device = await sim('cli-silent', ['--fault', 'silent']);
    const identified = runCli(['--data', data, 'identify', device.path]);
    expect(identified.status).toBe(1);
    expect(identified.stderr).toContain(`error SERIAL_NO_ANSWER: Port ${device.path}, step hello`);
  });

  it('`commissioner console PORT` shows the sim\'s log stream and logs the bytes to a file', async () => {
    const device = await sim('console', ['--heartbeat', '100']);
    const log = join(dir, 'console.log');
    const run = runCli(['--data', data, 'console', device.path, '--duration', '1500', '--log', log]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`\\[${device.path} info \\+\\d+\\.\\d{3}s\\] alive, state factory`));
    expect(readFileSync(log).includes(0)).toBe(true); // the raw frames, delimiters and all
  });

  it('`sim` refuses an unknown fault and a missing --pty as usage errors', () => {
    expect(runCli(['sim', '--pty', '--fault', 'meteor']).status).toBe(2);
    expect(runCli(['sim']).status).toBe(2);
  });
});
