import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtDriver } from '../../electron/serial/drivers/at';
import { atProfile } from '../../electron/serial/drivers/at-profile';
import { configHash } from '../../electron/serial/drivers/framed';
import type { PortRegistry } from '../../electron/serial/registry';
import { initDataDir, runCli, tempDir } from '../helpers/cli';
import { startSimDevice, testRegistry, type SimDevice } from '../helpers/sim';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const pem = `-----BEGIN CERTIFICATE-----\n${'MIIC'.repeat(400)}\n-----END CERTIFICATE-----\n`;
let dir: string;
let registry: PortRegistry;
let device: SimDevice;

beforeAll(async () => {
  dir = tempDir('commissioner-serial-at-');
  registry = testRegistry();
  device = await startSimDevice(dir, 'esp', ['--protocol', 'at', '--model', 'WROOM-32', '--state', join(dir, 'esp.json')]);
});

afterAll(async () => {
  await registry.stop();
  await device.stop();
});

async function withAt<T>(body: (driver: AtDriver) => Promise<T>): Promise<T> {
  const channel = await registry.acquire(device.path, 'pipeline', { baud: 115200 });
  const profile = atProfile('esp-at');
  if (!channel.ok || !profile.ok) throw new Error('setup');
  const driver = new AtDriver(channel.value, { ...profile.value, timeoutMs: 500 });
  try {
    return await body(driver);
  } finally {
    driver.close();
    await registry.release(device.path, channel.value);
  }
}

describe('AT-command device (ESP-AT profile) end to end against the sim', () => {
  it('identifies, writes credentials and a certificate, reads them back as hashes, forgets the product secret', async () => {
    await withAt(async (driver) => {
      expect(await driver.identify()).toMatchObject({ ok: true, value: { driver: 'at', model: 'WROOM-32', serial: 'SN-esp', firmware: '1.4.2', protocols: ['mqtt'] } });
      const config = { productKey: 'pKdemo01', deviceKey: 'dev-001', endpoints: [{ protocol: 'mqtt' as const, host: '127.0.0.1', port: 11883, tls: false }] };
      expect(await driver.writeConfig(config)).toEqual({ ok: true, value: undefined });
      expect(await driver.readConfig()).toEqual({ ok: true, value: config });
      expect(await driver.writeSecret('productSecret', 'PsDemo,"Secret"1')).toEqual({ ok: true, value: undefined });
      expect(await driver.writeCertificateChain(pem)).toEqual({ ok: true, value: undefined });
      const hashes = await driver.readHashes();
      expect(hashes).toEqual({ ok: true, value: { config: configHash(config), productSecret: sha256('PsDemo,"Secret"1'), certificateChain: sha256(pem) } });
      expect((await driver.forgetSecret('productSecret')).ok).toBe(true);
      const after = await driver.readHashes();
      expect(after.ok && after.value.productSecret).toBeUndefined();
      expect((await driver.commit()).ok).toBe(true);
    });
  });

  it('answers UNSUPPORTED for what ESP-AT cannot do, and factory reset erases the credentials', async () => {
    await withAt(async (driver) => {
      expect(await driver.generateCsr()).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
      expect((await driver.factoryReset()).ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the module restarts
      const hashes = await driver.readHashes();
      expect(hashes).toEqual({ ok: true, value: {} });
    });
  });

  it('a framed identify on an AT module fails clearly, and `identify --at` works from the CLI', () => {
    const data = initDataDir();
    const framed = runCli(['--data', data, '--json', 'identify', device.path]);
    expect(framed.json()).toMatchObject({ ok: false, error: { code: 'SERIAL_NO_ANSWER' } });
    const at = runCli(['--data', data, '--json', 'identify', '--at', device.path]);
    expect(at.json()).toMatchObject({ ok: true, value: { driver: 'at', model: 'WROOM-32' } });
  });
});
