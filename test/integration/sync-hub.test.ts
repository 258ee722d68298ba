import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../electron/core/logger';
import { openSqlite } from '../../electron/registry/sqlite';
import { startRegistryServer, type RegistryServer } from '../../electron/sync/targets/hub/server';
import { initDataDir, readPortsFile, runCli, startCli, cliEnv, type CliProcess } from '../helpers/cli';
import { enqueue, localRegistry, openSyncDb } from '../helpers/sync-db';
import { syncService } from '../helpers/sync-enos';

const servers: RegistryServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function hubStation() {
  const hub = openSyncDb();
  const server = await startRegistryServer({ host: '127.0.0.1', port: 0, db: hub.db, clock: Date.now, logger: createLogger({ level: 'fatal', ringSize: 10 }) });
  servers.push(server);
  return { ...hub, server, url: `http://127.0.0.1:${server.port}` };
}

function pusher(url: string, token: string, stationId = 'station-b') {
  const station = openSyncDb();
  const service = syncService(station.db, station.vault, { env: { HUB_TOKEN: token }, stationId });
  const added = service.addTarget({ kind: 'hub', name: 'hub', url, tokenEnv: 'HUB_TOKEN', rate: 200, burst: 10, concurrency: 2, backoffMs: 5, timeoutMs: 2000 });
  if (!added.ok) throw new Error(added.error.message);
  return { ...station, service };
}

const hubRows = (db: ReturnType<typeof openSyncDb>['db']) => db.prepare('SELECT entity, entity_id AS entityId, origin FROM sync_hub_entities ORDER BY entity, entity_id').all();

describe('sync to a central Commissioner hub (sync API v1)', () => {
  it('pushes in order, exactly once even when a push is repeated, and pulls products and trees back', async () => {
    const hub = await hubStation();
    const b = pusher(hub.url, hub.server.token);
    enqueue(b.db, { entity: 'product', entityId: 'pLine001', payload: { productKey: 'pLine001', name: 'Line meter' } });
    enqueue(b.db, { entity: 'device', entityId: 'pLine001/m-1', dependsOn: ['product:pLine001'], payload: { productKey: 'pLine001', deviceKey: 'm-1' } });
    enqueue(b.db, { entity: 'asset_tree', entityId: 'tree-1', payload: { id: 'tree-1', name: 'Line 1' } });
    enqueue(b.db, { entity: 'asset_node', entityId: 'node-1', dependsOn: ['asset_tree:tree-1'], payload: { id: 'node-1', treeId: 'tree-1', parentId: null, name: 'Cell 1' } });
    expect((await b.service.run('hub')).ok).toBe(true);
    expect(b.service.status('hub')).toMatchObject({ ok: true, value: [{ pending: 0, sent: 4, failed: 0 }] });
    expect(hubRows(hub.db)).toHaveLength(4);

    // The answers were lost: the station sends everything again; the hub recognises each key.
    b.db.prepare('DELETE FROM sync_deliveries').run();
    b.db.prepare('UPDATE sync_targets SET cursor = 0').run();
    expect((await b.service.run('hub')).ok).toBe(true);
    expect(hub.db.prepare('SELECT COUNT(*) FROM sync_hub_receipts').pluck().get()).toBe(4);
    expect(hubRows(hub.db)).toHaveLength(4);

    const c = pusher(hub.url, hub.server.token, 'station-c');
    expect(await c.service.pull('hub')).toEqual({ ok: true, value: { target: 'hub', products: 1, models: 0, trees: 1 } });
    expect(JSON.parse(c.db.prepare("SELECT snapshot FROM sync_pulled WHERE kind = 'product'").pluck().get() as string)).toMatchObject({ productKey: 'pLine001' });
  });

  it('imports the hub\'s trees into the registry on pull, without pushing them back, and skips a station\'s own tree', async () => {
    const hub = await hubStation();
    const b = pusher(hub.url, hub.server.token, 'station-b');
    const { assets: made } = localRegistry(b.db, b.vault, 'station-b');
    const line = made.createTree('Line 1');
    if (!line.ok) throw new Error(line.error.message);
    const cell = made.addNode({ tree: line.value.id, parentId: null, name: 'Cell 1', type: 'cell', attributes: {} });
    if (!cell.ok) throw new Error(cell.error.message);
    const robot = made.addNode({ tree: line.value.id, parentId: cell.value.id, name: 'Robot', type: 'robot', attributes: { axis: 6 } });
    if (!robot.ok) throw new Error(robot.error.message);
    expect(await b.service.run('hub')).toMatchObject({ ok: true, value: [{ failed: 0 }] });

    const c = pusher(hub.url, hub.server.token, 'station-c');
    expect(await c.service.pull('hub')).toMatchObject({ ok: true, value: { trees: 1 } });
    const view = localRegistry(c.db, c.vault, 'station-c').assets.show(line.value.id);
    if (!view.ok) throw new Error(view.error.message);
    expect(view.value.tree).toMatchObject({ id: line.value.id, name: 'Line 1' });
    expect(view.value.nodes.map(({ id, parentId, name, type, attributes }) => ({ id, parentId, name, type, attributes }))).toEqual([
      { id: cell.value.id, parentId: null, name: 'Cell 1', type: 'cell', attributes: {} },
      { id: robot.value.id, parentId: cell.value.id, name: 'Robot', type: 'robot', attributes: { axis: 6 } },
    ]);
    expect(c.db.prepare('SELECT COUNT(*) FROM outbox').pluck().get()).toBe(0);
    // The station that made the tree pulls it back as its own: held already, not imported again.
    expect(await b.service.pull('hub')).toMatchObject({ ok: true, value: { trees: 1 } });
    expect(made.show(line.value.id)).toMatchObject({ ok: true, value: { tree: { origin: 'local' } } });
  });

  it('surfaces a newer revision written by another station as a conflict, resolved by choice', async () => {
    const hub = await hubStation();
    const c = pusher(hub.url, hub.server.token, 'station-c');
    const b = pusher(hub.url, hub.server.token, 'station-b');
    // Station C's outbox is further along: its revision of the shared product is higher.
    for (let index = 0; index < 5; index++) enqueue(c.db, { entity: 'asset_tree', entityId: `t-${index}`, payload: {} });
    enqueue(c.db, { entity: 'product', entityId: 'pShared1', payload: { name: 'from C' } });
    enqueue(b.db, { entity: 'product', entityId: 'pShared1', payload: { name: 'from B' } });
    await c.service.run('hub');
    await b.service.run('hub');
    const [conflict] = b.service.conflicts(true);
    expect(conflict).toMatchObject({ kind: 'newer_elsewhere', local: { payload: { name: 'from B' } }, cloud: { origin: 'station-c', payload: { name: 'from C' } } });
    expect(JSON.parse(hub.db.prepare("SELECT payload FROM sync_hub_entities WHERE entity_id = 'pShared1'").pluck().get() as string).name).toBe('from C');
    expect(b.service.resolve(conflict!.id, 'local').ok).toBe(true);
    await b.service.run('hub');
    expect(JSON.parse(hub.db.prepare("SELECT payload FROM sync_hub_entities WHERE entity_id = 'pShared1'").pluck().get() as string).name).toBe('from B');
  });

  it('refuses a wrong registry token and a missing token variable with their codes', async () => {
    const hub = await hubStation();
    const b = pusher(hub.url, 'not-the-registry-token');
    enqueue(b.db, { entity: 'product', entityId: 'pX000001', payload: {} });
    await b.service.run('hub');
    expect(b.service.status('hub')).toMatchObject({ ok: true, value: [{ sent: 0, failed: 1, lastError: { code: 'SYNC_AUTH_FAILED' } }] });
    expect(hubRows(hub.db)).toHaveLength(0);
    const unset = syncService(b.db, b.vault, { env: {} });
    expect(await unset.run('hub')).toMatchObject({ ok: false, error: { code: 'SYNC_AUTH_FAILED' } });
  });

  it('answers a malformed push with 400 and an unknown path with 404', async () => {
    const hub = await hubStation();
    const headers = { authorization: `Bearer ${hub.server.token}`, 'content-type': 'application/json' };
    expect((await fetch(`${hub.url}/sync/v1/items`, { method: 'POST', headers, body: '{"origin":"x"}' })).status).toBe(400);
    expect((await fetch(`${hub.url}/sync/v1/items`, { method: 'POST', headers, body: '<html>' })).status).toBe(400);
    expect((await fetch(`${hub.url}/sync/v2/items`, { headers })).status).toBe(404);
    expect((await fetch(`${hub.url}/sync/v1/products`)).status).toBe(401);
  });
});

// Two real stations need the sync tables in every station's database, which the built CLI has
// only once migrations 003–006 exist and 007 is listed (see the sync section of the README).

describe('two real stations: one serves the registry, the other pushes to it', () => {
  const stations: CliProcess[] = [];
  afterEach(async () => {
    await Promise.all(stations.splice(0).map((station) => station.stop()));
  });

  it('serves the sync API on its own port with its own token and receives a pushed product', async () => {
    const hubDir = initDataDir();
    const hub = startCli(['--data', hubDir, 'station', '--port', '0', '--serve-registry', '--registry-port', '0', '--ports-file', join(hubDir, 'ports.json')]);
    stations.push(hub);
    const ports = await readPortsFile(join(hubDir, 'ports.json'));
    expect(ports.registry).toEqual(expect.any(Number));
    expect(ports.registryToken).toEqual(expect.any(String));
    expect(ports.registryToken).not.toBe(ports.token);

    const siteDir = initDataDir();
    const env = cliEnv({ HUB_TOKEN: String(ports.registryToken) });
    const site = startCli(['--data', siteDir, 'station', '--port', '0', '--ports-file', join(siteDir, 'ports.json')], { env });
    stations.push(site);
    await readPortsFile(join(siteDir, 'ports.json'));
    expect(runCli(['--data', siteDir, 'sync', 'target', 'add', 'hub', '--url', `http://127.0.0.1:${ports.registry}`, '--token-env', 'HUB_TOKEN'], { env }).status).toBe(0);
    expect(runCli(['--data', siteDir, 'product', 'create', '--name', 'Line meter', '--auth', 'device-secret', '--destination', 'hub'], { env }).status).toBe(0);
    const run = runCli(['--data', siteDir, '--json', 'sync', 'run', '--once'], { env });
    expect(run.json()).toMatchObject({ ok: true, value: [{ target: 'hub', failed: 0, conflicts: 0 }] });
    const status = runCli(['--data', siteDir, '--json', 'sync', 'status'], { env }).json<{ ok: true; value: { pending: number; sent: number }[] }>();
    expect(status.value[0]).toMatchObject({ pending: 0 });
    expect(status.value[0]!.sent).toBeGreaterThan(0);
    // The site pulls the hub's own products (made on the hub) together with what was pushed.
    expect(runCli(['--data', hubDir, 'product', 'create', '--name', 'Hub product', '--auth', 'device-secret']).status).toBe(0);
    expect(runCli(['--data', siteDir, '--json', 'sync', 'pull', '--target', 'hub'], { env }).json()).toMatchObject({ ok: true, value: { target: 'hub', products: 2 } });
    const hubDb = openSqlite(join(hubDir, 'commissioner.db'), { readonly: true });
    expect(hubDb.prepare("SELECT COUNT(*) FROM sync_hub_entities WHERE entity = 'product'").pluck().get()).toBe(1);
    hubDb.close();
  });
});
