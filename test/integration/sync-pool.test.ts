import { afterEach, describe, expect, it } from 'vitest';
import type { FakeEnos } from '../fixtures/fake-enos/server';
import { localRegistry, openSyncDb } from '../helpers/sync-db';
import { addEnosTarget, seedCloud, startFakeEnos, syncService } from '../helpers/sync-enos';

const fakes: FakeEnos[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.stop()));
});

/** A station that pulled from the fake EnOS and pre-created a pool of `size` devices of pD000003 while online. */
async function stationWithPool(size: number) {
  const fake = await startFakeEnos();
  fakes.push(fake);
  const tree = seedCloud(fake);
  const { db, vault } = openSyncDb();
  const service = syncService(db, vault);
  addEnosTarget(service, fake);
  expect((await service.pull('enos')).ok).toBe(true);
  const pool = await service.pool('enos', 'pD000003', size);
  if (!pool.ok) throw new Error(pool.error.message);
  return { fake, tree, db, vault, service, pooled: pool.value.created.map((device) => device.deviceKey), ...localRegistry(db, vault) };
}

async function drain(service: ReturnType<typeof syncService>) {
  for (let round = 0; round < 10; round++) {
    expect((await service.run('enos')).ok).toBe(true);
    const status = service.status('enos');
    if (status.ok && status.value[0]!.pending === 0) return status.value[0]!;
  }
  throw new Error('the outbox did not drain');
}

describe('the EnOS credential pool: claiming a device offline (architecture §5)', () => {
  it('binds a pool device to a serial with the secret EnOS made, once per pool device', async () => {
    const { fake, db, vault, service, registry, pooled } = await stationWithPool(2);
    await fake.stop(); // claiming needs no cloud
    const first = service.claimPoolDevice('enos', 'pD000003', { serial: 'SN-1', mac: '02:00:00:00:00:01' });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value.device).toMatchObject({ productKey: 'pD000003', serial: 'SN-1', mac: '02:00:00:00:00:01', destination: 'enos', state: 'planned' });
    expect(pooled).toContain(first.value.device.deviceKey);
    // The secret EnOS made is now the device's, where the hub and the credential step read it; the pool's copy is gone.
    expect(registry.deviceSecret('pD000003', first.value.device.deviceKey)).toEqual({ ok: true, value: fake.findDevice('pD000003', first.value.device.deviceKey)!.deviceSecret });
    expect(vault.get(`sync:enos:pool:pD000003/${first.value.device.deviceKey}:secret`)).toBeUndefined();

    const second = service.claimPoolDevice(undefined, 'pD000003', { serial: 'SN-2' });
    expect(second.ok && second.value.device.deviceKey).not.toBe(first.value.device.deviceKey);
    expect(service.claimPoolDevice('enos', 'pD000003', { serial: 'SN-3' })).toMatchObject({ ok: false, error: { code: 'SYNC_POOL_EMPTY', message: expect.stringContaining('sync pool --product pD000003') } });
    expect(db.prepare('SELECT COUNT(*) FROM sync_pool WHERE claimed_at IS NOT NULL').pluck().get()).toBe(2);
    expect(db.prepare("SELECT COUNT(*) FROM devices WHERE serial = 'SN-3'").pluck().get()).toBe(0);
  });

  it('refuses a claim from an unknown target, from a hub target and for a serial the registry has, with their codes', async () => {
    const { service, registry } = await stationWithPool(1);
    expect(service.claimPoolDevice('nope', 'pD000003', { serial: 'SN-1' })).toMatchObject({ ok: false, error: { code: 'SYNC_TARGET_NOT_FOUND' } });
    expect(service.claimPoolDevice('enos', 'pD000001', { serial: 'SN-1' })).toMatchObject({ ok: false, error: { code: 'SYNC_POOL_EMPTY' } });
    expect(service.addTarget({ kind: 'hub', name: 'hub', url: 'http://127.0.0.1:9', tokenEnv: 'HUB_TOKEN' }).ok).toBe(true);
    expect(service.claimPoolDevice('hub', 'pD000003', { serial: 'SN-1' })).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
    expect(service.claimPoolDevice(undefined, 'pD000003', { serial: 'SN-1' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    // A failed registry write leaves the pool device unclaimed (one transaction).
    const [pooled] = (service.store.db.prepare('SELECT device_key FROM sync_pool').pluck().all() as string[]);
    expect(registry.createDevice({ productKey: 'pD000003', deviceKey: pooled! }).ok).toBe(true);
    expect(service.claimPoolDevice('enos', 'pD000003', { serial: 'SN-1' })).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS' } });
    expect(service.store.db.prepare('SELECT claimed_at FROM sync_pool').pluck().get()).toBeNull();
  });

  it('syncs a claimed device back onto its pool registration: no second device in EnOS, the local state written there', async () => {
    const { fake, service, pooled, registry } = await stationWithPool(1);
    const creates = fake.counters.deviceCreates;
    await fake.stop();
    const claimed = service.claimPoolDevice('enos', 'pD000003', { serial: 'SN-9' });
    if (!claimed.ok) throw new Error(claimed.error.message);
    expect(registry.updateDevice({ ref: `pD000003/${pooled[0]}`, name: 'Pump 9', tags: { line: 'B' } }).ok).toBe(true);
    // The credential step's "create in EnOS" is answered from the claim, without the cloud.
    const cloud = fake.findDevice('pD000003', pooled[0]!)!;
    expect(await service.createDeviceNow('enos', { productKey: 'pD000003', deviceKey: pooled[0]! })).toEqual({ ok: true, value: { productKey: 'pD000003', deviceKey: pooled[0], assetId: cloud.assetId, deviceSecret: cloud.deviceSecret } });
    await fake.start(); // online again, at the same address
    expect(await drain(service)).toMatchObject({ pending: 0, failed: 0, conflicts: 0 });
    expect(fake.counters.deviceCreates).toBe(creates);
    expect(fake.findDevice('pD000003', pooled[0]!)).toMatchObject({ deviceName: { defaultValue: 'Pump 9' }, deviceTags: { line: 'B' } });
    expect(fake.counters.mutations).toContain(`updateDevice pD000003/${pooled[0]}`);
  });

  it('surfaces a pool device deleted in EnOS before its claim synced, instead of registering it again with a secret the device does not hold', async () => {
    const { fake, service, pooled } = await stationWithPool(1);
    const claimed = service.claimPoolDevice('enos', 'pD000003', { serial: 'SN-10' });
    if (!claimed.ok) throw new Error(claimed.error.message);
    fake.deleteDeviceDirectly('pD000003', pooled[0]!);
    const creates = fake.counters.deviceCreates;
    await service.run('enos');
    expect(service.conflicts(true)).toMatchObject([{ kind: 'deleted_remotely', cloud: null }]);
    expect(fake.counters.deviceCreates).toBe(creates);
    expect(fake.findDevice('pD000003', pooled[0]!)).toBeUndefined();
  });
});
