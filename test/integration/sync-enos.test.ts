import { webcrypto, X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { subtle, x509 } from '../../electron/pki/x509';
import { PacedHttp } from '../../electron/sync/http';
import { TokenBucket } from '../../electron/sync/pacing';
import { EnosClient } from '../../electron/sync/targets/enos/client';
import { apimSignature, tokenEncryption } from '../../electron/sync/targets/enos/signing';
import { LOCAL_ID_TAG } from '../../electron/sync/targets/enos/target';
import type { FakeEnos } from '../fixtures/fake-enos/server';
import { enqueue, localRegistry, openSyncDb } from '../helpers/sync-db';
import { addEnosTarget, APP, makeLocalWork, seedCloud, startFakeEnos, syncService } from '../helpers/sync-enos';

const fakes: FakeEnos[] = [];
async function fakeEnos(options: Parameters<typeof startFakeEnos>[0] = {}) {
  const fake = await startFakeEnos(options);
  fakes.push(fake);
  return fake;
}
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.stop()));
});

async function prepared(fakeOptions: Parameters<typeof startFakeEnos>[0] = {}, target: Parameters<typeof addEnosTarget>[2] = {}) {
  const fake = await fakeEnos(fakeOptions);
  const tree = seedCloud(fake);
  const { db, vault } = openSyncDb();
  const service = syncService(db, vault);
  addEnosTarget(service, fake, target);
  return { fake, tree, db, vault, service };
}

async function runUntilIdle(service: ReturnType<typeof syncService>, rounds = 10) {
  for (let round = 0; round < rounds; round++) {
    const run = await service.run('enos');
    expect(run.ok).toBe(true);
    const status = service.status('enos');
    if (status.ok && status.value[0]!.pending === 0) return status.value[0]!;
  }
  return (service.status('enos') as { ok: true; value: { pending: number }[] }).value[0]!;
}

describe('sync to EnOS (fake apim gateway)', () => {
  it('pulls products with secrets, thing models and trees, reading every page and both spellings', async () => {
    const { service, db, tree } = await prepared();
    const pulled = await service.pull('enos');
    expect(pulled).toEqual({ ok: true, value: { target: 'enos', products: 14, models: 2, trees: 1 } });
    // 14 products > the fake's default page of 10 rows: every page was asked for with a pageSize.
    const snapshot = JSON.parse((db.prepare("SELECT snapshot FROM sync_pulled WHERE kind = 'product' AND id = 'pD000002'").get() as { snapshot: string }).snapshot);
    expect(snapshot.dynamicActivateEnabled).toBe(true); // the fake answers `dynamicActiveEnabled` (§13 row 20)
    expect(JSON.stringify(snapshot)).not.toContain('productSecret');
    expect(service.store.mapping('enos', 'asset_tree', tree.treeId)?.cloudState).toEqual({ rootAssetId: tree.rootAssetId });
  });

  it('keeps a pulled productSecret once, under the registry\'s vault id, where the registry reads it', async () => {
    const { service, db, vault, fake } = await prepared();
    const { registry } = localRegistry(db, vault);
    expect((await service.pull('enos')).ok).toBe(true);
    expect(registry.productSecret('pD000001')).toEqual({ ok: true, value: fake.products.get('pD000001')!.productSecret });
    expect(registry.getProduct('pD000002')).toMatchObject({ origin: 'enos', authScheme: 'product-secret', destination: 'enos' });
    const productSecrets = db.prepare("SELECT id FROM vault_secrets WHERE purpose = 'product-secret' ORDER BY id").pluck().all();
    expect(productSecrets).toEqual([...fake.products.keys()].sort().map((productKey) => `product:${productKey}:secret`));
  });

  it('imports a pulled tree into the registry with its cloud ids, and pushes only what is made under it locally', async () => {
    const { fake, tree, service, db, vault } = await prepared();
    const plant = fake.addLogicalAsset(tree.treeId, tree.rootAssetId, 'Plant', 'areaModel', { code: 'P1' });
    const hall = fake.addLogicalAsset(tree.treeId, plant.assetId, 'Hall', 'areaModel');
    const cloudDevice = fake.createDeviceDirectly('pD000001', 'in-cloud-1');
    fake.nodes.set(cloudDevice.assetId, { ...hall, assetId: cloudDevice.assetId, parentAssetId: hall.assetId, label: '0', name: { defaultValue: 'in-cloud-1' } });
    expect(await service.pull('enos')).toMatchObject({ ok: true, value: { trees: 1 } });

    const { registry, assets } = localRegistry(db, vault);
    const view = assets.show(tree.treeId);
    if (!view.ok) throw new Error(view.error.message);
    expect(view.value.tree).toMatchObject({ id: tree.treeId, name: 'Site A', origin: 'enos' });
    // Logical assets keep their assetIds as local ids; the device asset is not a node.
    expect(view.value.nodes.map(({ id, parentId, name, type }) => ({ id, parentId, name, type }))).toEqual([
      { id: plant.assetId, parentId: null, name: 'Plant', type: 'areaModel' },
      { id: hall.assetId, parentId: plant.assetId, name: 'Hall', type: 'areaModel' },
    ]);
    expect(service.store.mapping('enos', 'asset_node', hall.assetId)).toMatchObject({ cloudId: hall.assetId });
    // Nothing pulled waits to be pushed back: neither the trees nor the products have outbox rows.
    expect(db.prepare('SELECT COUNT(*) FROM outbox').pluck().get()).toBe(0);

    // Made at the site: a node under the pulled hall, and a device placed under it.
    const product = registry.getProduct('pD000001')!;
    expect(product.destination).toBe('enos');
    const device = registry.createDevice({ productKey: 'pD000001', deviceKey: 'site-dev-1' });
    expect(device.ok).toBe(true);
    const cabinet = assets.addNode({ tree: tree.treeId, parentId: hall.assetId, name: 'Cabinet', type: 'areaModel', attributes: {} });
    if (!cabinet.ok) throw new Error(cabinet.error.message);
    expect(assets.place('pD000001/site-dev-1', cabinet.value.id).ok).toBe(true);
    expect(await runUntilIdle(service)).toMatchObject({ pending: 0, failed: 0, conflicts: 0 });

    expect(fake.counters.nodeCreates).toBe(1);
    const cabinetCloud = service.store.mapping('enos', 'asset_node', cabinet.value.id)!.cloudId;
    expect(fake.nodes.get(cabinetCloud)).toMatchObject({ parentAssetId: hall.assetId, tags: { [LOCAL_ID_TAG]: cabinet.value.id } });
    expect(fake.nodes.get(fake.findDevice('pD000001', 'site-dev-1')!.assetId)!.parentAssetId).toBe(cabinetCloud);
    expect(fake.counters.mutations.filter((entry) => entry.startsWith('createAsset'))).toEqual([`createAsset ${cabinetCloud}`]);

    // Pulling again adds what is new in the cloud, and does not take the pushed cabinet for a new node.
    const annex = fake.addLogicalAsset(tree.treeId, tree.rootAssetId, 'Annex', 'areaModel');
    expect((await service.pull('enos')).ok).toBe(true);
    const again = assets.show(tree.treeId);
    expect(again.ok && again.value.nodes.map((node) => node.id).sort()).toEqual([plant.assetId, hall.assetId, cabinet.value.id, annex.assetId].sort());
    expect(db.prepare("SELECT COUNT(*) FROM outbox WHERE entity = 'asset_node'").pluck().get()).toBe(1);
    expect(await runUntilIdle(service)).toMatchObject({ pending: 0, failed: 0 });
    expect(fake.counters.nodeCreates).toBe(1);
  });

  it('does not import a node pushed before its answer was lost: its local-id tag names a node of the tree', async () => {
    const { fake, tree, service, db, vault } = await prepared();
    expect((await service.pull('enos')).ok).toBe(true);
    expect(await runUntilIdle(service)).toMatchObject({ pending: 0 }); // nothing pulled is pending
    const { assets } = localRegistry(db, vault);
    const local = assets.addNode({ tree: tree.treeId, parentId: null, name: 'Lost answer', type: 'areaModel', attributes: {} });
    if (!local.ok) throw new Error(local.error.message);
    fake.cue('drop-after');
    await service.run('enos', { maxWaitMs: 0 });
    expect(fake.counters.nodeCreates).toBe(1);
    expect(service.store.mapping('enos', 'asset_node', local.value.id)).toBeUndefined();
    expect((await service.pull('enos')).ok).toBe(true);
    const view = assets.show(tree.treeId);
    expect(view.ok && view.value.nodes.map((node) => node.id)).toEqual([local.value.id]);
    expect(await runUntilIdle(service)).toMatchObject({ pending: 0, failed: 0 });
    expect(fake.counters.nodeCreates).toBe(1);
  });

  it('does not push the rename of a pulled node once its tree was removed here', async () => {
    const { fake, tree, service, db, vault } = await prepared();
    const hall = fake.addLogicalAsset(tree.treeId, tree.rootAssetId, 'Hall', 'areaModel');
    expect((await service.pull('enos')).ok).toBe(true);
    const { assets } = localRegistry(db, vault);
    expect(assets.renameNode(hall.assetId, 'Hall (renamed here)').ok).toBe(true);
    expect(assets.deleteTree(tree.treeId, true).ok).toBe(true);
    expect(await runUntilIdle(service)).toMatchObject({ pending: 0, failed: 0, skipped: 1 });
    expect(fake.nodes.get(hall.assetId)?.name).toEqual({ defaultValue: 'Hall' });
    expect(fake.counters.mutations.filter((entry) => entry.startsWith('updateAsset'))).toEqual([]);
  });

  it('refuses to pull a tree whose name a local tree has, and keeps nothing of that tree', async () => {
    const { service, db, vault, tree } = await prepared();
    const { assets } = localRegistry(db, vault);
    expect(assets.createTree('Site A').ok).toBe(true);
    expect(await service.pull('enos')).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS', message: expect.stringContaining(tree.treeId) } });
    expect(service.store.mapping('enos', 'asset_tree', tree.treeId)).toBeUndefined();
    expect(assets.findTree(tree.treeId)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(assets.findTree('Site A')).toMatchObject({ ok: true, value: { origin: 'local' } });
  });

  it('delivers 200 devices, a gateway with sub-devices, nodes and placements complete and in dependency order', async () => {
    const { fake, tree, db, vault, service } = await prepared({ rate: { perSecond: 1000, burst: 20 } });
    expect((await service.pull('enos')).ok).toBe(true);
    const work = makeLocalWork(db, tree.treeId, 200);
    const progress: number[] = [];
    const watched = syncService(db, vault, { onStatus: (status) => progress.push(status.pending) });
    const status = await runUntilIdle(watched);
    expect(status).toMatchObject({ pending: 0, failed: 0, conflicts: 0 });
    expect(progress.length).toBeGreaterThan(0);
    for (const ref of work.devices) expect(fake.findDevice(...(ref.split('/') as [string, string])), ref).toBeDefined();
    expect(fake.counters.deviceCreates).toBe(work.devices.length);
    const mutations = fake.counters.mutations;
    const at = (entry: string) => mutations.indexOf(entry);
    expect(at('createDevice pGw00001/gw-1')).toBeLessThan(at('addSubDevice gw-1'));
    const gateway = fake.findDevice('pGw00001', 'gw-1')!;
    expect(fake.topology.get(gateway.assetId)?.size).toBe(3);
    const cloud = (id: string) => service.store.mapping('enos', 'asset_node', id)!.cloudId;
    expect(fake.nodes.get(cloud('n-building'))!.parentAssetId).toBe(tree.rootAssetId);
    expect(fake.nodes.get(cloud('n-floor'))!.parentAssetId).toBe(cloud('n-building'));
    expect(fake.nodes.get(cloud('n-room'))!.parentAssetId).toBe(cloud('n-floor'));
    expect(fake.nodes.get(cloud('n-room'))!.tags[LOCAL_ID_TAG]).toBe('n-room');
    const placed = fake.findDevice('pD000001', 'dev-0001')!;
    expect(fake.nodes.get(placed.assetId)!.parentAssetId).toBe(cloud('n-room'));
    expect(at('associateAsset pD000001/dev-0001')).toBeGreaterThan(at(`createAsset ${cloud('n-room')}`));
    expect(at('associateAsset pD000001/dev-0001')).toBeGreaterThan(at('createDevice pD000001/dev-0001'));
    expect(fake.counters.overLimit).toBe(0);
    expect(fake.counters.badSignatures).toBe(0);
  });

  it('skips products and devices bound for another destination, and refuses a product EnOS does not have', async () => {
    const { service, db } = await prepared();
    enqueue(db, { entity: 'product', entityId: 'pLocal01', payload: { productKey: 'pLocal01', destination: 'local' } });
    enqueue(db, { entity: 'device', entityId: 'pLocal01/d1', dependsOn: ['product:pLocal01'], payload: { destination: 'local' } });
    enqueue(db, { entity: 'product', entityId: 'pMissing', payload: { productKey: 'pMissing', destination: 'enos' } });
    await service.run('enos');
    const status = service.status('enos');
    expect(status.ok && status.value[0]).toMatchObject({ skipped: 2, failed: 1, sent: 0, lastError: { code: 'SYNC_NOT_PULLED' } });
  });

  it('retries HTML pages, truncated and wrong bodies, internal errors and dropped connections without duplicates', async () => {
    const { fake, service, db } = await prepared();
    expect((await service.pull('enos')).ok).toBe(true);
    for (let index = 1; index <= 6; index++) enqueue(db, { entity: 'device', entityId: `pD000001/bad-${index}`, payload: { destination: 'enos' } });
    fake.cue('html', 'truncated', 'wrong-body', 'internal', 'drop', 'drop-after');
    const status = await runUntilIdle(service);
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    expect(fake.counters.deviceCreates).toBe(6);
    for (let index = 1; index <= 6; index++) expect(fake.findDevice('pD000001', `bad-${index}`)).toBeDefined();
    const codes = (db.prepare("SELECT DISTINCT error_code FROM sync_deliveries WHERE error_code IS NOT NULL").pluck().all() as string[]).sort();
    expect(codes).toEqual([]); // cleared once delivered
  });

  it('looks a node up by its local-id tag after an answer was lost, instead of creating it twice', async () => {
    const { fake, tree, service, db } = await prepared();
    expect((await service.pull('enos')).ok).toBe(true);
    enqueue(db, { entity: 'asset_node', entityId: 'n-lost', payload: { treeId: tree.treeId, parentId: null, name: 'Lost answer', type: 'areaModel' } });
    fake.cue('drop-after');
    const status = await runUntilIdle(service);
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    expect(fake.counters.nodeCreates).toBe(1);
    expect(fake.duplicateNodes(LOCAL_ID_TAG)).toBe(0);
    expect(fake.nodes.get(service.store.mapping('enos', 'asset_node', 'n-lost')!.cloudId)!.tags[LOCAL_ID_TAG]).toBe('n-lost');
  });

  it('reports wrong credentials per item and marks nothing synced', async () => {
    const { fake, service, db } = await prepared({}, { appSecret: 'not-the-secret' });
    enqueue(db, { entity: 'device', entityId: 'pD000001/d1', payload: { destination: 'enos' } });
    await service.run('enos');
    const status = service.status('enos');
    expect(status.ok && status.value[0]).toMatchObject({ sent: 0, failed: 1, lastError: { code: 'SYNC_AUTH_FAILED' } });
    expect(fake.devices.size).toBe(0);
  });

  it('names clock skew when the token service refuses the timestamp', async () => {
    const fake = await fakeEnos();
    seedCloud(fake);
    const { db, vault } = openSyncDb();
    const service = syncService(db, vault, { clock: () => Date.now() + 3_600_000 });
    addEnosTarget(service, fake);
    enqueue(db, { entity: 'device', entityId: 'pD000001/d1', payload: { destination: 'enos' } });
    await service.run('enos');
    const status = service.status('enos');
    expect(status.ok && status.value[0]).toMatchObject({ sent: 0, failed: 1, lastError: { code: 'SYNC_CLOCK_SKEW' } });
  });

  it('takes a new token when the gateway says the old one expired', async () => {
    const { fake, service, db } = await prepared();
    expect((await service.pull('enos')).ok).toBe(true);
    fake.expireTokens();
    enqueue(db, { entity: 'device', entityId: 'pD000001/d1', payload: { destination: 'enos' } });
    expect(await runUntilIdle(service)).toMatchObject({ pending: 0, failed: 0 });
    expect(fake.counters.tokensIssued).toBe(2);
  });

  it('refreshes the token shortly before it expires, and gets a new one after', async () => {
    let now = 1_700_000_000_000;
    const clock = () => now;
    const fake = await fakeEnos({ clock, tokenLifetime: 100 });
    seedCloud(fake);
    const http = new PacedHttp({ bucket: new TokenBucket(1000, 100, clock), clock, sleep: async () => {}, timeoutMs: 2000 });
    const client = new EnosClient({ url: fake.url, ...APP }, http, clock);
    const get = () => client.call('GET', '/connect-service/v2.1/products', { action: 'get', productKey: 'pD000001' });
    // Calls made at once share one token request.
    expect((await Promise.all([get(), get(), get()])).every((answer) => answer.ok)).toBe(true);
    expect(fake.counters.tokensIssued).toBe(1);
    now += 95_000; // inside the last tenth of the 100 s lifetime
    expect(await get()).toMatchObject({ ok: true, value: { code: 0 } });
    expect(fake.counters).toMatchObject({ tokensIssued: 1, tokenRefreshes: 1 });
    now += 200_000;
    expect(await get()).toMatchObject({ ok: true, value: { code: 0 } });
    expect(fake.counters).toMatchObject({ tokensIssued: 2, tokenRefreshes: 1, badSignatures: 0 });
  });

  it('honours 429 and Retry-After from a gateway stricter than the configured rate', async () => {
    const { fake, service, db } = await prepared({ rate: { perSecond: 40, burst: 5 } }, { rate: 500, burst: 20 });
    for (let index = 1; index <= 12; index++) enqueue(db, { entity: 'device', entityId: `pD000001/r-${index}`, payload: { destination: 'enos' } });
    const status = await runUntilIdle(service);
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    expect(fake.counters.overLimit).toBeGreaterThan(0);
    expect(fake.counters.deviceCreates).toBe(12);
  });

  it('stays under a gateway limit it was configured for: zero over-limit calls', async () => {
    const { fake, service, db } = await prepared({ rate: { perSecond: 50, burst: 8 } }, { rate: 50, burst: 4 });
    for (let index = 1; index <= 40; index++) enqueue(db, { entity: 'device', entityId: `pD000001/p-${index}`, payload: { destination: 'enos' } });
    expect(await runUntilIdle(service)).toMatchObject({ pending: 0, failed: 0 });
    expect(fake.counters.overLimit).toBe(0);
  });

  it('surfaces conflicts with both sides and resolves them only by explicit choice', async () => {
    const { fake, tree, service, db, vault } = await prepared();
    expect((await service.pull('enos')).ok).toBe(true);
    fake.createDeviceDirectly('pD000002', 'clash-1');
    enqueue(db, { entity: 'device', entityId: 'pD000001/clash-1', payload: { destination: 'enos' } });
    enqueue(db, { entity: 'asset_node', entityId: 'n-edit', payload: { treeId: tree.treeId, parentId: null, name: 'Hall', type: 'areaModel' } });
    const conflictEvents: number[] = [];
    const watched = syncService(db, vault, { onConflict: (conflict) => conflictEvents.push(conflict.id) });
    await watched.run('enos');
    const [clash] = watched.conflicts(true);
    expect(clash).toMatchObject({ kind: 'other_product', local: { productKey: 'pD000001', deviceKey: 'clash-1' }, cloud: { productKey: 'pD000002', deviceKey: 'clash-1' } });
    expect(conflictEvents).toEqual([clash!.id]);
    expect(watched.status('enos')).toMatchObject({ ok: true, value: [{ conflicts: 1 }] });
    expect(watched.resolve(clash!.id, 'cloud')).toMatchObject({ ok: true, value: { resolution: 'keep_cloud' } });
    expect(watched.resolve(clash!.id, 'cloud')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(fake.findDevice('pD000001', 'clash-1')).toBeUndefined();

    // The node changes in the cloud after it was synced; a local rename now conflicts.
    const cloudNode = fake.nodes.get(service.store.mapping('enos', 'asset_node', 'n-edit')!.cloudId)!;
    cloudNode.name = { defaultValue: 'Renamed in EnOS' };
    enqueue(db, { entity: 'asset_node', entityId: 'n-edit', operation: 'update', payload: { treeId: tree.treeId, parentId: null, name: 'Main hall', type: 'areaModel' } });
    await watched.run('enos');
    const [edit] = watched.conflicts(true);
    expect(edit).toMatchObject({ kind: 'changed_remotely', local: { name: { defaultValue: 'Main hall' } }, cloud: { name: { defaultValue: 'Renamed in EnOS' } } });
    expect(cloudNode.name).toEqual({ defaultValue: 'Renamed in EnOS' }); // nothing overwritten silently
    expect(watched.resolve(edit!.id, 'local').ok).toBe(true);
    expect(await runUntilIdle(watched)).toMatchObject({ pending: 0, conflicts: 0 });
    expect(cloudNode.name).toEqual({ defaultValue: 'Main hall' });
  });

  it('creates a device in EnOS at the plan step online, and its outbox row later adopts it', async () => {
    const { fake, service, db } = await prepared();
    const created = await service.createDeviceNow('enos', { productKey: 'pD000001', deviceKey: 'plan-1' });
    if (!created.ok) throw new Error(created.error.message);
    expect(created.value.deviceSecret).toBe(fake.findDevice('pD000001', 'plan-1')!.deviceSecret);
    enqueue(db, { entity: 'device', entityId: 'pD000001/plan-1', payload: { destination: 'enos' } });
    expect(await runUntilIdle(service)).toMatchObject({ pending: 0, failed: 0, conflicts: 0 });
    expect(fake.counters.deviceCreates).toBe(1);
    expect(await service.createDeviceNow('enos', { productKey: 'pD000001', deviceKey: 'plan-1' })).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS' } });
    expect(await service.createDeviceNow('enos', { productKey: 'pNoSuch1', deviceKey: 'plan-2' })).toMatchObject({ ok: false, error: { code: 'SYNC_NOT_PULLED' } });
    expect(await service.createDeviceNow('nope', { productKey: 'pD000001', deviceKey: 'plan-3' })).toMatchObject({ ok: false, error: { code: 'SYNC_TARGET_NOT_FOUND' } });
  });

  it('lets one process deliver to a target at a time, and takes over from a dead one', async () => {
    const { service, db } = await prepared();
    enqueue(db, { entity: 'device', entityId: 'pD000001/busy-1', payload: { destination: 'enos' } });
    db.prepare("UPDATE sync_targets SET runner_pid = ? WHERE name = 'enos'").run(process.ppid);
    expect(await service.run('enos')).toMatchObject({ ok: false, error: { code: 'SYNC_BUSY' } });
    db.prepare("UPDATE sync_targets SET runner_pid = 2147483646 WHERE name = 'enos'").run(); // no such process
    expect(await runUntilIdle(service)).toMatchObject({ pending: 0, failed: 0 });
    expect(db.prepare("SELECT runner_pid FROM sync_targets WHERE name = 'enos'").pluck().get()).toBeNull();
  });

  it('keeps syncing in the background until stopped, picking up rows written meanwhile', async () => {
    const { fake, service, db } = await prepared();
    const stop = new AbortController();
    const loop = service.runContinuously(stop.signal, 20);
    enqueue(db, { entity: 'device', entityId: 'pD000001/bg-1', payload: { destination: 'enos' } });
    await expect.poll(() => fake.findDevice('pD000001', 'bg-1'), { timeout: 10_000 }).toBeDefined();
    enqueue(db, { entity: 'device', entityId: 'pD000001/bg-2', payload: { destination: 'enos' } });
    await expect.poll(() => fake.findDevice('pD000001', 'bg-2'), { timeout: 10_000 }).toBeDefined();
    stop.abort();
    await loop;
    expect(service.status('enos')).toMatchObject({ ok: true, value: [{ pending: 0, sent: 2 }] });
  });

  it('reports a device deleted in EnOS as a conflict, and registers it again when local is kept', async () => {
    const { fake, service, db } = await prepared();
    enqueue(db, { entity: 'device', entityId: 'pD000001/gone-1', payload: { destination: 'enos', name: 'Gone' } });
    expect(await runUntilIdle(service)).toMatchObject({ pending: 0, failed: 0 });
    fake.deleteDeviceDirectly('pD000001', 'gone-1');
    enqueue(db, { entity: 'device', entityId: 'pD000001/gone-1', operation: 'update', payload: { destination: 'enos', name: 'Renamed' } });
    await service.run('enos');
    const [gone] = service.conflicts(true);
    expect(gone).toMatchObject({ kind: 'deleted_remotely', local: { deviceName: { defaultValue: 'Renamed' } }, cloud: null });
    expect(service.resolve(gone!.id, 'local').ok).toBe(true);
    expect(await runUntilIdle(service)).toMatchObject({ pending: 0, conflicts: 0 });
    expect(fake.findDevice('pD000001', 'gone-1')?.deviceName).toEqual({ defaultValue: 'Renamed' });
  });

  it('estimates the time to send what is pending at the configured pace before anything flows', async () => {
    const { service, db } = await prepared({}, { rate: 5, burst: 1 });
    for (let index = 0; index < 20; index++) enqueue(db, { entity: 'device', entityId: `pD000001/eta-${index}`, payload: { destination: 'enos' } });
    expect(service.status('enos')).toMatchObject({ ok: true, value: [{ pending: 20, sent: 0, etaSeconds: 4, lastError: null }] });
  });

  it('pre-creates a credential pool with keys and secrets in the vault', async () => {
    const { fake, service, vault, db } = await prepared();
    const pool = await service.pool('enos', 'pD000003', 3);
    expect(pool.ok && pool.value.created).toHaveLength(3);
    for (const device of pool.ok ? pool.value.created : []) {
      const cloud = fake.findDevice(device.productKey, device.deviceKey)!;
      expect(vault.get(`sync:enos:pool:${device.productKey}/${device.deviceKey}:secret`)).toBe(cloud.deviceSecret);
    }
    expect(db.prepare('SELECT COUNT(*) FROM sync_pool').pluck().get()).toBe(3);
    expect(await service.pool('enos', 'pNoSuch1', 1)).toMatchObject({ ok: false, error: { code: 'SYNC_NOT_PULLED' } });
  });

  it('refuses unknown targets and duplicate names with their codes', async () => {
    const { service, fake } = await prepared();
    expect(service.status('nope')).toMatchObject({ ok: false, error: { code: 'SYNC_TARGET_NOT_FOUND' } });
    expect(await service.run('nope')).toMatchObject({ ok: false, error: { code: 'SYNC_TARGET_NOT_FOUND' } });
    expect(service.removeTarget('nope')).toMatchObject({ ok: false, error: { code: 'SYNC_TARGET_NOT_FOUND' } });
    expect(() => addEnosTarget(service, fake)).toThrow(/exists/);
    expect(service.removeTarget('enos')).toEqual({ ok: true, value: { removed: 'enos' } });
    expect(service.status(undefined)).toEqual({ ok: true, value: [] });
  });
});

describe('the fake gateway itself', () => {
  it('refuses a call whose signature was made with another secret (403, counted)', async () => {
    const fake = await fakeEnos();
    seedCloud(fake);
    const timestamp = Date.now();
    const tokenAnswer = await fetch(`${fake.url}/apim-token-service/v2.0/token/get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appKey: APP.appKey, encryption: tokenEncryption(APP.appKey, timestamp, APP.appSecret), timestamp }),
    });
    const token = ((await tokenAnswer.json()) as { data: { accessToken: string } }).data.accessToken;
    const url = new URL(`${fake.url}/connect-service/v2.1/products?action=get&productKey=pD000001&orgId=${APP.orgId}`);
    const call = (secret: string) =>
      fetch(url, { headers: { 'apim-accesstoken': token, 'apim-timestamp': String(timestamp), 'apim-signature': apimSignature(token, url.searchParams, undefined, timestamp, secret) } });
    expect((await call('someone-elses-secret')).status).toBe(403);
    expect(fake.counters.badSignatures).toBe(1);
    expect((await call(APP.appSecret)).status).toBe(200);
  });
});

describe('EnOS as the certificate issuer (§11.4)', () => {
  it('has EnOS sign a device CSR and revokes the certificate by its serial', async () => {
    const { fake, service } = await prepared();
    fake.createDeviceDirectly('pD000001', 'cert-dev-1');
    const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = (await subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'C=CN, ST=SH, L=SH, O=Site, OU=pD000001, CN=cert-dev-1', keys, signingAlgorithm: algorithm });
    const issuer = service.enosIssuer('enos');
    if (!issuer.ok) throw new Error(issuer.error.message);
    expect(issuer.value.kind).toBe('enos');
    const issued = await issuer.value.issue({ productKey: 'pD000001', deviceKey: 'cert-dev-1' }, csr.toString('pem'), { validDays: 30 });
    if (!issued.ok) throw new Error(issued.error.message);
    const certificate = new X509Certificate(issued.value.certificatePem);
    expect(certificate.verify(new X509Certificate(issued.value.chainPem).publicKey)).toBe(true);
    expect(certificate.subject).toContain('CN=cert-dev-1');
    expect(issued.value.notAfter - issued.value.notBefore).toBe(30 * 86_400_000);
    expect(await issuer.value.revoke(issued.value.serial, 'keyCompromise')).toEqual({ ok: true, value: undefined });
    expect(fake.certificates.get(Number(issued.value.serial))).toMatchObject({ revoked: true, reason: 1 });
    expect(await issuer.value.revoke('999999', 'superseded')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    // A CSR whose CN is another device is refused by EnOS, and said so.
    const other = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=someone-else', keys, signingAlgorithm: algorithm });
    expect(await issuer.value.issue({ productKey: 'pD000001', deviceKey: 'cert-dev-1' }, other.toString('pem'))).toMatchObject({ ok: false, error: { code: 'SYNC_REJECTED' } });
    expect(service.enosIssuer('nope')).toMatchObject({ ok: false, error: { code: 'SYNC_TARGET_NOT_FOUND' } });
  });
});
