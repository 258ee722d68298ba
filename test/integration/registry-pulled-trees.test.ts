import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../electron/registry/database';
import { migrations } from '../../electron/registry/migrations';
import { pulledTrees } from '../../electron/registry/migrations/008-pulled-trees';
import { openSqlite } from '../../electron/registry/sqlite';
import { tempDir } from '../helpers/cli';
import { localRegistry, openSyncDb } from '../helpers/sync-db';

const TREE = { treeId: 'tEnos001', name: 'Site A' };
const PLANT = { id: 'aPlant01', parentId: null, name: 'Plant', type: 'areaModel', attributes: { code: 'P1' } };
const HALL = { id: 'aHall001', parentId: 'aPlant01', name: 'Hall', type: 'areaModel', attributes: {} };

function setup() {
  const { db, vault } = openSyncDb();
  return { db, ...localRegistry(db, vault) };
}

const outboxRows = (db: ReturnType<typeof setup>['db']) => db.prepare('SELECT entity, entity_id AS entityId, operation FROM outbox ORDER BY seq').all();

describe('asset trees pulled from EnOS (registry import)', () => {
  it('keeps the cloud treeId and assetIds as local ids, marks the tree enos, and writes no outbox row', () => {
    const { db, assets } = setup();
    const imported = assets.importPulledTree({ ...TREE, nodes: [PLANT, HALL] });
    expect(imported).toMatchObject({ ok: true, value: { tree: { id: 'tEnos001', name: 'Site A', origin: 'enos', revision: 0 }, added: [{ id: 'aPlant01' }, { id: 'aHall001', parentId: 'aPlant01' }] } });
    expect(assets.path('tEnos001', { nodeId: 'aHall001' })).toMatchObject({ ok: true, value: { path: ['Plant', 'Hall'] } });
    expect(assets.listTrees()).toMatchObject([{ id: 'tEnos001', origin: 'enos', nodes: 2 }]);
    expect(outboxRows(db)).toEqual([]);
  });

  it('records only what is made locally under a pulled tree', () => {
    const { db, assets } = setup();
    expect(assets.importPulledTree({ ...TREE, nodes: [PLANT, HALL] }).ok).toBe(true);
    const cabinet = assets.addNode({ tree: 'Site A', parentId: 'aHall001', name: 'Cabinet', type: 'areaModel', attributes: {} });
    if (!cabinet.ok) throw new Error(cabinet.error.message);
    expect(assets.renameNode('aHall001', 'Hall 1').ok).toBe(true);
    const rows = db.prepare('SELECT entity, entity_id AS entityId, operation, depends_on AS dependsOn FROM outbox ORDER BY seq').all();
    expect(rows).toEqual([
      { entity: 'asset_node', entityId: cabinet.value.id, operation: 'create', dependsOn: JSON.stringify(['asset_tree:tEnos001', 'asset_node:aHall001']) },
      { entity: 'asset_node', entityId: 'aHall001', operation: 'update', dependsOn: JSON.stringify(['asset_tree:tEnos001', 'asset_node:aPlant01']) },
    ]);
  });

  it('deleting a pulled tree removes it here only; what was added here under it is named and the delete refused', async () => {
    const { db, assets } = setup();
    const deleteTree = (tree: string) => assets.handlers()['assets.deleteTree']({ tree, cascade: true }, { transport: 'in-process' });
    expect(assets.importPulledTree({ ...TREE, nodes: [PLANT, HALL] }).ok).toBe(true);
    const cabinet = assets.addNode({ tree: 'Site A', parentId: 'aHall001', name: 'Cabinet', type: 'areaModel', attributes: {} });
    if (!cabinet.ok) throw new Error(cabinet.error.message);
    const before = outboxRows(db);
    expect(await deleteTree('Site A')).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining(`node ${cabinet.value.id} (Cabinet)`) } });
    expect(assets.listTrees()).toMatchObject([{ id: 'tEnos001', nodes: 3 }]);
    expect(outboxRows(db)).toEqual(before);

    // With the local node deleted explicitly (a delete that reaches EnOS), the pulled tree goes, and nothing more is queued.
    expect(assets.deleteNode(cabinet.value.id, false).ok).toBe(true);
    const queued = outboxRows(db);
    expect(await deleteTree('Site A')).toEqual({ ok: true, value: { id: 'tEnos001' } });
    expect(assets.listTrees()).toEqual([]);
    expect(db.prepare("SELECT count(*) FROM asset_nodes WHERE tree_id = 'tEnos001'").pluck().get()).toBe(0);
    expect(outboxRows(db)).toEqual(queued);
    expect(queued).not.toContainEqual(expect.objectContaining({ entityId: 'aPlant01' }));
    expect(queued).not.toContainEqual(expect.objectContaining({ entity: 'asset_tree' }));
  });

  it('on a second pull renames the tree and adds new nodes, keeping local changes of the nodes it holds', () => {
    const { db, assets } = setup();
    expect(assets.importPulledTree({ ...TREE, nodes: [PLANT, HALL] }).ok).toBe(true);
    expect(assets.renameNode('aHall001', 'Hall 1').ok).toBe(true);
    const annex = { id: 'aAnnex01', parentId: null, name: 'Annex', type: 'areaModel', attributes: {} };
    const again = assets.importPulledTree({ treeId: 'tEnos001', name: 'Site A (north)', nodes: [PLANT, HALL, annex] });
    expect(again).toMatchObject({ ok: true, value: { tree: { name: 'Site A (north)', origin: 'enos' }, added: [{ id: 'aAnnex01' }] } });
    const view = assets.show('tEnos001');
    expect(view.ok && view.value.nodes.map((node) => node.name).sort()).toEqual(['Annex', 'Hall 1', 'Plant']);
    expect(outboxRows(db)).toEqual([{ entity: 'asset_node', entityId: 'aHall001', operation: 'update' }]);
  });

  it('refuses a tree id or name a local tree has, a node id of another tree, and a node the tree rules refuse, changing nothing', () => {
    const { db, assets } = setup();
    const local = assets.createTree('Plant B');
    if (!local.ok) throw new Error(local.error.message);
    const localNode = assets.addNode({ tree: 'Plant B', parentId: null, name: 'Line', type: '', attributes: {} });
    if (!localNode.ok) throw new Error(localNode.error.message);
    const before = outboxRows(db);
    expect(assets.importPulledTree({ treeId: local.value.id, name: 'Other', nodes: [] })).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS' } });
    expect(assets.importPulledTree({ ...TREE, name: 'Plant B', nodes: [] })).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS', message: expect.stringContaining(local.value.id) } });
    expect(assets.importPulledTree({ ...TREE, nodes: [PLANT, { ...HALL, id: localNode.value.id }] })).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining(localNode.value.id) } });
    expect(assets.importPulledTree({ ...TREE, nodes: [PLANT, { ...HALL, name: 'Plant', parentId: null }] })).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS', message: expect.stringContaining('aHall001') } });
    expect(assets.importPulledTree({ ...TREE, nodes: [HALL] })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: expect.stringContaining('aHall001') } });
    expect(assets.findTree('tEnos001')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(db.prepare("SELECT COUNT(*) FROM asset_nodes WHERE tree_id = 'tEnos001'").pluck().get()).toBe(0);
    expect(outboxRows(db)).toEqual(before);
  });
});

describe('migration 008 (pulled trees)', () => {
  const previous = migrations.filter((migration) => migration.version < pulledTrees.version);

  it('upgrades a database made at the previous version: its trees are local, and the origin is checked', () => {
    const path = join(tempDir(), 'before-008.db');
    const old = openSqlite(path);
    migrate(old, previous);
    old.prepare("INSERT INTO asset_trees (id, name, revision, created_at, updated_at) VALUES ('tOld0001', 'Old site', 1, 1, 1)").run();
    old.close();

    const opened = openDatabase(path, { create: false, migrations: [...previous, pulledTrees] });
    if (!opened.ok) throw new Error(opened.error.message);
    const db = opened.value;
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(8);
      expect(db.prepare("SELECT origin FROM asset_trees WHERE id = 'tOld0001'").pluck().get()).toBe('local');
      expect(() => db.prepare("UPDATE asset_trees SET origin = 'cloud'").run()).toThrow(/CHECK/);
    } finally {
      db.close();
    }
  });
});
