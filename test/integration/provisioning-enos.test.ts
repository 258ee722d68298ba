import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../shared/api';
import { exportThingModel } from '../../shared/model/thing-model-json';
import { ok, type Result } from '../../shared/result';
import { createLocalApi } from '../../electron/bridge/local-api';
import { initDataFolder } from '../../electron/core/init';
import { openServices, type Services } from '../../electron/services';
import { BUILT_IN_MODEL } from '../../electron/sim/telemetry';
import type { FakeEnos } from '../fixtures/fake-enos/server';
import { tempDir } from '../helpers/cli';
import { stopSim } from '../helpers/provisioning';
import { startSimDevice, type SimDevice } from '../helpers/sim';
import { APP, startFakeEnos } from '../helpers/sync-enos';


const unlock = async () => ok({ method: 'passphrase' as const, passphrase: 'enos provisioning passphrase' });
const RUN = { baud: 1_000_000, verifyTimeoutMs: 4000, samples: 1, operator: 'enos-test' };

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe('provisioning for an EnOS destination (fake apim gateway on loopback)', () => {
  const dir = tempDir('commissioner-prov-enos-');
  const sims: SimDevice[] = [];
  let fake: FakeEnos;
  let services: Services;
  let api: Api;

  beforeAll(async () => {
    fake = await startFakeEnos();
    fake.models.set('simMeter', { ...(exportThingModel(BUILT_IN_MODEL) as Record<string, unknown>), modelId: 'simMeter' });
    fake.addProduct({ productKey: 'pSecret1', modelId: 'simMeter' });
    fake.addProduct({ productKey: 'pCert001', modelId: 'simMeter', biDirectionalAuth: true });
    const data = join(dir, 'data');
    value(await initDataFolder(data, unlock, { scrypt: { N: 2 ** 14, r: 8, p: 1 } }));
    await open();
    value(await api.call('certificates.caInit', { algorithm: 'P-256', name: 'Station CA', validYears: 2 }));
    await services.start();
    value(await api.call('sync.target.add', { kind: 'enos', name: 'enos', url: fake.url, orgId: APP.orgId, appKey: APP.appKey, appSecret: APP.appSecret, deviceEndpoints: ['mqtt://10.1.2.3:11883', 'mqtts://10.1.2.3:18883'] }));
    value(await api.call('sync.pull', { target: 'enos' }));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(sims.map(stopSim));
    await services?.stop();
    await fake?.stop();
  }, 60_000);

  async function open(): Promise<void> {
    services = value(await openServices({ dataDir: join(dir, 'data'), host: 'cli', logLevel: 'warn', unlock, hub: { host: '127.0.0.1', mqttPort: 0, mqttsPort: 0, wssPort: null }, serial: { timeoutMs: 500, attempts: 3 } }));
    api = createLocalApi(services.dispatcher, services.events);
  }

  async function sim(name: string): Promise<SimDevice> {
    const device = await startSimDevice(dir, name, ['--baud', String(RUN.baud), '--state', join(dir, `${name}.json`)]);
    sims.push(device);
    return device;
  }

  it('device secret: created in EnOS at the plan step, its secret burnt and verified at the station, the target endpoint committed', async () => {
    expect(value(await api.call('products.get', { productKey: 'pSecret1' })).destination).toBe('enos');
    const device = await sim('e1');
    const result = value(await api.call('provisioning.provision', { port: device.path, productKey: 'pSecret1', ...RUN }));
    expect(result.error?.message ?? null).toBeNull();
    const credential = result.steps.find((step) => step.step === 'credential');
    expect(credential?.detail).toContain('issued by EnOS');
    const cloud = fake.findDevice('pSecret1', result.deviceKey!);
    expect(cloud?.deviceSecret).toBe(value(await api.call('devices.secret', { ref: `pSecret1/${result.deviceKey}` })).deviceSecret);
    expect(result.steps.find((step) => step.step === 'commit')?.detail).toContain('mqtt://10.1.2.3:11883');
  }, 60_000);

  it('certificate: EnOS signs the device CSR, the station trusts its chain and verifies the mTLS login', async () => {
    const device = await sim('e2');
    // The running hub's TLS listeners trust the chain EnOS returned as soon as it is added (no restart).
    const result = value(await api.call('provisioning.provision', { port: device.path, productKey: 'pCert001', ...RUN }));
    expect(result.error?.message ?? null).toBeNull();
    expect(result).toMatchObject({ outcome: 'provisioned' });
    expect(result.steps.find((step) => step.step === 'credential')?.detail).toMatch(/EnOS certificate \S+ issued/);
    expect(result.checks.find((check) => check.check === 'mtls')?.result).toBe('passed');
    expect(result.steps.find((step) => step.step === 'commit')?.detail).toContain('mqtt://10.1.2.3:18883');
  }, 60_000);

  it('offline: a device-secret device takes a device of the credential pool made while online, and syncs back onto it', async () => {
    const [pooled] = value(await api.call('sync.pool', { target: 'enos', productKey: 'pSecret1', count: 1 })).created;
    const creates = fake.counters.deviceCreates;
    await fake.stop();
    const result = value(await api.call('provisioning.provision', { port: (await sim('e5')).path, productKey: 'pSecret1', ...RUN }));
    expect(result.error?.message ?? null).toBeNull();
    expect(result).toMatchObject({ outcome: 'provisioned', deviceKey: pooled!.deviceKey });
    expect(result.steps.find((step) => step.step === 'plan')?.detail).toContain('credential pool');
    expect(result.steps.find((step) => step.step === 'credential')?.detail).toContain('issued by EnOS');
    // The secret burnt and verified at the station is the one EnOS made for the pool device.
    expect(value(await api.call('devices.secret', { ref: `pSecret1/${pooled!.deviceKey}` })).deviceSecret).toBe(fake.findDevice('pSecret1', pooled!.deviceKey)!.deviceSecret);
    expect(value(await api.call('devices.get', { ref: `pSecret1/${pooled!.deviceKey}` }))).toMatchObject({ state: 'provisioned', serial: expect.any(String) });

    await fake.start(); // online again, at the same address
    const [synced] = value(await api.call('sync.run', { target: 'enos' }));
    expect(synced).toMatchObject({ failed: 0, conflicts: 0 });
    expect(fake.counters.deviceCreates).toBe(creates);
    expect(fake.counters.mutations).toContain(`updateDevice pSecret1/${pooled!.deviceKey}`);
  }, 60_000);

  it('offline: a certificate device is held awaiting its certificate; a device-secret device says to use the pool', async () => {
    await fake.stop();
    const held = value(await api.call('provisioning.provision', { port: (await sim('e3')).path, productKey: 'pCert001', ...RUN }));
    expect(held).toMatchObject({ outcome: 'held', error: { code: 'PROVISION_HELD', message: expect.stringContaining('Awaiting certificate') } });
    const secret = value(await api.call('provisioning.provision', { port: (await sim('e4')).path, productKey: 'pSecret1', ...RUN }));
    expect(secret).toMatchObject({ outcome: 'failed', error: { code: 'SYNC_UNREACHABLE', message: expect.stringContaining('credential pool') } });
  }, 60_000);
});
