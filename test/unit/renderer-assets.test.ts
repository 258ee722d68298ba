import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../electron/bridge/dispatcher';
import { createLocalApi } from '../../electron/bridge/local-api';
import { EventBus } from '../../electron/core/event-bus';
import { createLogger } from '../../electron/core/logger';
import type { ServiceContext } from '../../electron/core/module';
import { Vault } from '../../electron/pki/vault';
import { openDatabase } from '../../electron/registry/database';
import { createRegistryModule } from '../../electron/registry/module';
import { createAssetsStore } from '../../renderer/src/stores/assets';
import { tempDir } from '../helpers/cli';

/** The asset-tree screen's store against the real registry through the in-process contract. */
describe('assets store', () => {
  const dir = tempDir();
  const opened = openDatabase(join(dir, 'commissioner.db'), { create: true });
  if (!opened.ok) throw new Error(opened.error.message);
  const db = opened.value;
  const vault = Vault.create(db, { method: 'passphrase', passphrase: 'assets' }, { scrypt: { N: 2 ** 14, r: 8, p: 1 } });
  const logger = createLogger({ level: 'fatal', ringSize: 10, clock: () => 1 });
  const events = new EventBus();
  const context = { config: { dataDir: dir, host: 'cli', logLevel: 'fatal' }, logger, db, events, clock: () => 1, stationId: 'st', vault: () => vault } as ServiceContext;
  const module = createRegistryModule(context);
  const api = createLocalApi(createDispatcher(module.handlers, logger), events);
  afterAll(() => db.close());

  it('creates a tree, builds and moves nodes, places a device, and keeps refusals to show', async () => {
    const product = module.registry.createProduct({ name: 'P', description: '', authScheme: 'device-secret', protocols: ['mqtt'], namingRule: { prefix: '', source: 'random' }, destination: 'local' });
    if (!product.ok) throw new Error(product.error.message);
    module.registry.createDevice({ productKey: product.value.product.productKey, deviceKey: 'pump-1' });
    const store = createAssetsStore(api);
    await store.getState().load();
    expect(store.getState().view).toBeNull();

    expect((await store.getState().createTree('Plant')).ok).toBe(true);
    expect(store.getState().view?.tree.name).toBe('Plant');
    await store.getState().addNode(null, 'Hall', 'building');
    const hall = store.getState().view!.nodes[0]!;
    await store.getState().addNode(hall.id, 'Line 1', '');
    const line = store.getState().view!.nodes.find((node) => node.name === 'Line 1')!;
    await store.getState().place('pump-1', line.id);
    expect(store.getState().view?.placements).toEqual([expect.objectContaining({ nodeId: line.id, deviceKey: 'pump-1' })]);
    expect(store.getState().trees).toEqual([expect.objectContaining({ name: 'Plant', nodes: 2, devices: 1 })]);

    const cycle = await store.getState().moveNode(hall.id, line.id);
    expect(cycle).toMatchObject({ ok: false, error: { code: 'ASSET_CYCLE' } });
    expect(store.getState().error?.code).toBe('ASSET_CYCLE');
    expect(store.getState().view?.nodes.find((node) => node.id === hall.id)?.parentId).toBeNull();

    await store.getState().moveNode(line.id, null);
    expect(store.getState().error).toBeNull();
    expect(store.getState().view?.nodes.find((node) => node.id === line.id)?.parentId).toBeNull();
    await store.getState().unplace('pump-1');
    expect(store.getState().view?.placements).toEqual([]);
    await store.getState().deleteNode(hall.id, false);
    expect(store.getState().view?.nodes.map((node) => node.name)).toEqual(['Line 1']);
  });
});
