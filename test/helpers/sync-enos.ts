import type { Db } from '../../electron/registry/database';
import { createLogger } from '../../electron/core/logger';
import type { Vault } from '../../electron/pki/vault';
import { SyncService, type SyncServiceOptions } from '../../electron/sync/service';
import { ok } from '../../shared/result';
import { FakeEnos, type FakeEnosOptions } from '../fixtures/fake-enos/server';
import { enqueue, localRegistry } from './sync-db';

export const APP = { appKey: 'demo-app-key-0001', appSecret: 'demo-app-secret-0001', orgId: 'o15000000000001' };

export async function startFakeEnos(options: Partial<FakeEnosOptions> = {}): Promise<FakeEnos> {
  const fake = new FakeEnos({ ...APP, ...options });
  await fake.start();
  return fake;
}

export function syncService(db: Db, vault: Vault, overrides: Partial<SyncServiceOptions> = {}): SyncService {
  return new SyncService({ db, vault: () => ok(vault), clock: Date.now, logger: createLogger({ level: 'fatal', ringSize: 10 }), stationId: 'test-station', env: {}, ...localRegistry(db, vault), ...overrides });
}

/** An EnOS target on the fake with short pacing so tests stay fast. */
export function addEnosTarget(service: SyncService, fake: FakeEnos, overrides: { appSecret?: string; rate?: number; burst?: number; concurrency?: number } = {}): void {
  const added = service.addTarget({
    kind: 'enos',
    name: 'enos',
    url: fake.url,
    orgId: APP.orgId,
    appKey: APP.appKey,
    appSecret: overrides.appSecret ?? APP.appSecret,
    deviceEndpoints: ['mqtt://127.0.0.1:11883'],
    rate: overrides.rate ?? 500,
    burst: overrides.burst ?? 10,
    concurrency: overrides.concurrency ?? 4,
    backoffMs: 5,
    timeoutMs: 2000,
  });
  if (!added.ok) throw new Error(added.error.message);
}

/** Products and a tree in the fake cloud, as an organization would have them. */
export function seedCloud(fake: FakeEnos): { treeId: string; rootAssetId: string } {
  for (let index = 1; index <= 12; index++) fake.addProduct({ productKey: `pD${String(index).padStart(6, '0')}`, modelId: 'meterModel', dynamicActiveEnabled: index === 2 });
  fake.addProduct({ productKey: 'pGw00001', modelId: 'gatewayModel', productType: 'Gateway' });
  fake.addProduct({ productKey: 'pSub0001', modelId: 'meterModel' });
  fake.models.set('areaModel', { modelId: 'areaModel', name: { defaultValue: 'Area' } });
  return fake.addTree('Site A', 'siteModel');
}

export interface LocalWork {
  devices: string[];
  nodes: string[];
}

/** What a technician makes offline: devices, a gateway with sub-devices, nodes and placements, as outbox rows. */
export function makeLocalWork(db: Db, treeId: string, deviceCount: number): LocalWork {
  const devices: string[] = [];
  const product = (productKey: string) => enqueue(db, { entity: 'product', entityId: productKey, payload: { productKey, destination: 'enos' } });
  const device = (productKey: string, deviceKey: string) => {
    enqueue(db, { entity: 'device', entityId: `${productKey}/${deviceKey}`, dependsOn: [`product:${productKey}`], payload: { productKey, deviceKey, name: deviceKey, timezone: '+01:00', attributes: {}, tags: { line: 'A' }, destination: 'enos' } });
    devices.push(`${productKey}/${deviceKey}`);
  };
  product('pD000001');
  product('pGw00001');
  product('pSub0001');
  for (let index = 1; index <= deviceCount; index++) device('pD000001', `dev-${String(index).padStart(4, '0')}`);
  device('pGw00001', 'gw-1');
  for (let index = 1; index <= 3; index++) {
    device('pSub0001', `sub-${index}`);
    enqueue(db, { entity: 'topology', entityId: `pGw00001/gw-1>pSub0001/sub-${index}`, dependsOn: ['device:pGw00001/gw-1', `device:pSub0001/sub-${index}`] });
  }
  const nodes = ['n-building', 'n-floor', 'n-room'];
  nodes.forEach((id, index) =>
    enqueue(db, { entity: 'asset_node', entityId: id, dependsOn: [`asset_tree:${treeId}`, ...(index ? [`asset_node:${nodes[index - 1]}`] : [])], payload: { id, treeId, parentId: index ? nodes[index - 1] : null, name: id, type: 'areaModel', attributes: {}, position: 0 } }),
  );
  for (const ref of devices.slice(0, 20)) {
    const [productKey, deviceKey] = ref.split('/');
    enqueue(db, { entity: 'placement', entityId: `${treeId}:${ref}`, dependsOn: [`device:${ref}`, 'asset_node:n-room'], payload: { treeId, nodeId: 'n-room', productKey, deviceKey } });
  }
  return { devices, nodes };
}
