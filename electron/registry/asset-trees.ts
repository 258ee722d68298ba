import { randomInt } from 'node:crypto';
import type { AssetTree, TreeExport, TreeView } from '../../shared/contract/assets';
import {
  addNode,
  deleteNode,
  findByPath,
  moveNode,
  nodePath,
  placeDevice,
  renameNode,
  renderTree,
  type AssetNode,
  type Placement,
  type TreeState,
} from '../../shared/model/asset-tree';
import { randomString } from '../../shared/model/identifiers';
import { err, ok, type Result } from '../../shared/result';
import type { Handlers } from '../bridge/dispatcher';
import { deviceRef, type Registry, type RegistryContext } from './registry';

/** assetId shape (protocol reference notation): 8 characters. */
const ASSET_ID_LENGTH = 8;

interface TreeRow {
  id: string;
  name: string;
  origin: AssetTree['origin'];
  revision: number;
  created_at: number;
  updated_at: number;
}

interface NodeRow {
  id: string;
  tree_id: string;
  parent_id: string | null;
  name: string;
  type: string;
  attributes: string;
  position: number;
}

const toTree = (row: TreeRow): AssetTree => ({ id: row.id, name: row.name, origin: row.origin, revision: row.revision, createdAt: row.created_at, updatedAt: row.updated_at });
const toNode = (row: NodeRow): AssetNode => ({
  id: row.id,
  treeId: row.tree_id,
  parentId: row.parent_id,
  name: row.name,
  type: row.type,
  attributes: JSON.parse(row.attributes) as Record<string, unknown>,
  position: row.position,
});

/** A node of a tree pulled from EnOS: its assetId is its local id; parentId null hangs it under the tree's root asset. */
export interface PulledNode {
  id: string;
  parentId: string | null;
  name: string;
  /** The EnOS model id of the logical asset (the EnOS target pushes a node's type as its modelId). */
  type: string;
  attributes: Record<string, unknown>;
}

/** Input of `importPulledTree`: a tree as `sync pull` fetched it from EnOS. */
export interface PulledTreeImport {
  treeId: string;
  name: string;
  /** Logical assets below the root, each parent before its children. */
  nodes: readonly PulledNode[];
}

/**
 * Asset trees in SQLite (issue 4): loads a tree, lets the pure operations of
 * `shared/model/asset-tree.ts` decide, writes the result with its outbox rows in one transaction.
 */
export class AssetTrees {
  constructor(
    private readonly context: RegistryContext,
    private readonly registry: Registry,
  ) {}

  private get db() {
    return this.context.db;
  }

  private newId(table: 'asset_trees' | 'asset_nodes'): string {
    for (;;) {
      const id = randomString(ASSET_ID_LENGTH, (n) => randomInt(n));
      if (!this.db.prepare(`SELECT 1 FROM ${table} WHERE id = ?`).get(id)) return id;
    }
  }

  listTrees(): (AssetTree & { nodes: number; devices: number })[] {
    return this.db
      .prepare<[], TreeRow & { nodes: number; devices: number }>(
        `SELECT t.*, (SELECT count(*) FROM asset_nodes n WHERE n.tree_id = t.id) AS nodes, (SELECT count(*) FROM asset_placements p WHERE p.tree_id = t.id) AS devices
         FROM asset_trees t ORDER BY t.name`,
      )
      .all()
      .map((row) => ({ ...toTree(row), nodes: row.nodes, devices: row.devices }));
  }

  /** A tree by id, or else by name. */
  findTree(ref: string): Result<AssetTree> {
    const row = this.db.prepare<[string, string, string], TreeRow>('SELECT * FROM asset_trees WHERE id = ? OR name = ? ORDER BY id = ? DESC LIMIT 1').get(ref, ref, ref);
    return row ? ok(toTree(row)) : err('NOT_FOUND', `No asset tree "${ref.slice(0, 100)}". See \`commissioner asset tree list\`.`);
  }

  private state(treeId: string): TreeState {
    const nodes = this.db.prepare<[string], NodeRow>('SELECT * FROM asset_nodes WHERE tree_id = ?').all(treeId).map(toNode);
    const placements = this.db
      .prepare<[string], Placement>(
        `SELECT p.tree_id AS treeId, p.node_id AS nodeId, d.product_key AS productKey, d.device_key AS deviceKey
         FROM asset_placements p JOIN devices d ON d.id = p.device_id WHERE p.tree_id = ? ORDER BY d.product_key, d.device_key`,
      )
      .all(treeId);
    return { nodes, placements };
  }

  private treeOfNode(nodeId: string): Result<AssetTree> {
    const treeId = this.db.prepare<[string], string>('SELECT tree_id FROM asset_nodes WHERE id = ?').pluck().get(nodeId);
    return treeId ? this.findTree(treeId) : err('NOT_FOUND', `No asset node ${nodeId.slice(0, 40)}.`);
  }

  private emit(treeId: string, operation: 'create' | 'update' | 'delete'): void {
    this.context.events.emit('assets.changed', { treeId, operation });
  }

  createTree(name: string): Result<AssetTree> {
    const trimmed = name.trim();
    if (this.db.prepare('SELECT 1 FROM asset_trees WHERE name = ?').get(trimmed)) return err('ALREADY_EXISTS', `An asset tree named "${trimmed}" already exists.`);
    const id = this.newId('asset_trees');
    const now = this.context.clock();
    const result = this.registry.transaction(() => {
      const revision = this.registry.outbox.record({ entity: 'asset_tree', entityId: id, operation: 'create', payload: (rev) => ({ id, name: trimmed, revision: rev }) });
      this.db.prepare('INSERT INTO asset_trees (id, name, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(id, trimmed, revision, now, now);
      return ok<AssetTree>({ id, name: trimmed, origin: 'local', revision, createdAt: now, updatedAt: now });
    });
    if (result.ok) this.emit(id, 'create');
    return result;
  }

  deleteTree(ref: string, cascade: boolean): Result<{ id: string }> {
    const tree = this.findTree(ref);
    if (!tree.ok) return tree;
    const state = this.state(tree.value.id);
    if (!cascade && (state.nodes.length > 0 || state.placements.length > 0)) return err('NODE_NOT_EMPTY', `Tree "${tree.value.name}" has ${state.nodes.length} node(s); delete them first or use --cascade.`);
    const result = tree.value.origin === 'enos' ? this.forgetPulledTree(tree.value, state) : this.registry.transaction(() => {
      for (const node of state.nodes.filter((item) => item.parentId === null)) this.removeNodes(state, node.id);
      this.registry.outbox.record({ entity: 'asset_tree', entityId: tree.value.id, operation: 'delete', payload: (revision) => ({ id: tree.value.id, revision }) });
      this.db.prepare('DELETE FROM asset_trees WHERE id = ?').run(tree.value.id);
      return ok({ id: tree.value.id });
    });
    if (result.ok) this.emit(tree.value.id, 'delete');
    return result;
  }

  /**
   * Removes a tree pulled from EnOS from this station only: EnOS owns it, so nothing is queued for
   * the sync. What was made here under it (nodes, placements) has outbox rows and may already be in
   * EnOS; deleting it silently here would either leave it orphaned there or delete it there, so the
   * delete is refused naming it: remove those explicitly first (that does reach EnOS).
   */
  private forgetPulledTree(tree: AssetTree, state: TreeState): Result<{ id: string }> {
    const madeHere = this.db.prepare<[string], number>("SELECT 1 FROM outbox WHERE entity = 'asset_node' AND entity_id = ? AND operation = 'create' LIMIT 1").pluck();
    const localNodes = state.nodes.filter((node) => madeHere.get(node.id) !== undefined);
    if (localNodes.length > 0 || state.placements.length > 0) {
      const named = [...localNodes.map((node) => `node ${node.id} (${node.name})`), ...state.placements.map((placement) => `placement of ${deviceRef(placement)}`)];
      return err('CONFLICT', `Tree "${tree.name}" was pulled from EnOS and holds what this station added to it: ${named.slice(0, 10).join(', ')}${named.length > 10 ? ` and ${named.length - 10} more` : ''}. Delete or unplace those first (that reaches EnOS), then delete the tree here.`);
    }
    return this.registry.transaction(() => {
      this.db.prepare('DELETE FROM asset_nodes WHERE tree_id = ?').run(tree.id);
      this.db.prepare('DELETE FROM asset_trees WHERE id = ?').run(tree.id);
      return ok({ id: tree.id });
    });
  }

  show(ref: string): Result<TreeView> {
    const tree = this.findTree(ref);
    if (!tree.ok) return tree;
    const state = this.state(tree.value.id);
    return ok({ tree: tree.value, nodes: [...state.nodes], placements: [...state.placements], text: renderTree(state, tree.value.name) });
  }

  /** Writes a node at a new revision with its outbox row (inside the caller's transaction). */
  private saveNode(node: AssetNode, operation: 'create' | 'update'): AssetNode {
    const dependsOn = [`asset_tree:${node.treeId}`, ...(node.parentId ? [`asset_node:${node.parentId}`] : [])];
    const revision = this.registry.outbox.record({ entity: 'asset_node', entityId: node.id, operation, dependsOn, payload: (rev) => ({ ...node, revision: rev }) });
    const now = this.context.clock();
    this.db
      .prepare(
        `INSERT INTO asset_nodes (id, tree_id, parent_id, name, type, attributes, position, revision, created_at, updated_at)
         VALUES (@id, @treeId, @parentId, @name, @type, @attributes, @position, @revision, @now, @now)
         ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name, type = excluded.type, attributes = excluded.attributes,
           position = excluded.position, revision = excluded.revision, updated_at = excluded.updated_at`,
      )
      .run({ ...node, attributes: JSON.stringify(node.attributes), revision, now });
    return node;
  }

  addNode(input: { tree: string; parentId: string | null; name: string; type: string; attributes: Record<string, unknown> }): Result<AssetNode> {
    const tree = this.findTree(input.tree);
    if (!tree.ok) return tree;
    const node = addNode(this.state(tree.value.id), { ...input, id: this.newId('asset_nodes'), treeId: tree.value.id });
    if (!node.ok) return node;
    return this.commitNode(node.value, 'create');
  }

  private commitNode(node: AssetNode, operation: 'create' | 'update'): Result<AssetNode> {
    const result = this.registry.transaction(() => ok(this.saveNode(node, operation)));
    if (result.ok) this.emit(node.treeId, operation === 'create' ? 'update' : operation);
    return result;
  }

  moveNode(nodeId: string, parentId: string | null): Result<AssetNode> {
    const tree = this.treeOfNode(nodeId);
    if (!tree.ok) return tree;
    const moved = moveNode(this.state(tree.value.id), nodeId, parentId);
    return moved.ok ? this.commitNode(moved.value, 'update') : moved;
  }

  renameNode(nodeId: string, name: string): Result<AssetNode> {
    const tree = this.treeOfNode(nodeId);
    if (!tree.ok) return tree;
    const renamed = renameNode(this.state(tree.value.id), nodeId, name);
    return renamed.ok ? this.commitNode(renamed.value, 'update') : renamed;
  }

  /** Deletes nodes children-first and their placements, each with an outbox row (caller's transaction). */
  private removeNodes(state: TreeState, nodeId: string): { nodes: number; placements: number } {
    const removal = deleteNode(state, nodeId, true);
    if (!removal.ok) throw new Error(`node ${nodeId} vanished inside its own transaction`);
    for (const placement of removal.value.placements) this.removePlacement(placement);
    for (const id of removal.value.nodeIds) {
      this.registry.outbox.record({ entity: 'asset_node', entityId: id, operation: 'delete', payload: (revision) => ({ id, revision }) });
      this.db.prepare('DELETE FROM asset_nodes WHERE id = ?').run(id);
    }
    return { nodes: removal.value.nodeIds.length, placements: removal.value.placements.length };
  }

  deleteNode(nodeId: string, cascade: boolean): Result<{ nodes: number; placements: number }> {
    const tree = this.treeOfNode(nodeId);
    if (!tree.ok) return tree;
    const state = this.state(tree.value.id);
    const check = deleteNode(state, nodeId, cascade);
    if (!check.ok) return check;
    const result = this.registry.transaction(() => ok(this.removeNodes(state, nodeId)));
    if (result.ok) this.emit(tree.value.id, 'update');
    return result;
  }

  private placementId(placement: Placement): string {
    return `${placement.treeId}:${deviceRef(placement)}`;
  }

  private removePlacement(placement: Placement): void {
    this.registry.outbox.record({ entity: 'placement', entityId: this.placementId(placement), operation: 'delete', payload: (revision) => ({ ...placement, revision }) });
    this.db
      .prepare('DELETE FROM asset_placements WHERE tree_id = ? AND device_id = (SELECT id FROM devices WHERE product_key = ? AND device_key = ?)')
      .run(placement.treeId, placement.productKey, placement.deviceKey);
  }

  place(deviceReference: string, nodeId: string): Result<Placement> {
    const device = this.registry.resolveDevice(deviceReference);
    if (!device.ok) return device;
    const tree = this.treeOfNode(nodeId);
    if (!tree.ok) return tree;
    const placed = placeDevice(this.state(tree.value.id), nodeId, device.value);
    if (!placed.ok) return placed;
    const { placement, previous } = placed.value;
    if (previous?.nodeId === nodeId) return ok(placement);
    const result = this.registry.transaction(() => {
      const revision = this.registry.outbox.record({
        entity: 'placement',
        entityId: this.placementId(placement),
        operation: previous ? 'update' : 'create',
        dependsOn: [`asset_node:${nodeId}`, `device:${deviceRef(placement)}`],
        payload: (rev) => ({ ...placement, revision: rev }),
      });
      this.db
        .prepare(
          `INSERT INTO asset_placements (tree_id, device_id, node_id, revision, created_at)
           SELECT ?, id, ?, ?, ? FROM devices WHERE product_key = ? AND device_key = ?
           ON CONFLICT (tree_id, device_id) DO UPDATE SET node_id = excluded.node_id, revision = excluded.revision`,
        )
        .run(placement.treeId, nodeId, revision, this.context.clock(), placement.productKey, placement.deviceKey);
      return ok(placement);
    });
    if (result.ok) this.emit(tree.value.id, 'update');
    return result;
  }

  unplace(deviceReference: string, treeRef: string): Result<{ removed: boolean }> {
    const device = this.registry.resolveDevice(deviceReference);
    if (!device.ok) return device;
    const tree = this.findTree(treeRef);
    if (!tree.ok) return tree;
    const placement = this.state(tree.value.id).placements.find((item) => item.productKey === device.value.productKey && item.deviceKey === device.value.deviceKey);
    if (!placement) return ok({ removed: false });
    const result = this.registry.transaction(() => {
      this.removePlacement(placement);
      return ok({ removed: true });
    });
    if (result.ok) this.emit(tree.value.id, 'update');
    return result;
  }

  path(treeRef: string, by: { nodeId?: string; path?: string }): Result<{ node: AssetNode; path: string[] }> {
    const tree = this.findTree(treeRef);
    if (!tree.ok) return tree;
    const state = this.state(tree.value.id);
    const node = by.nodeId ? state.nodes.find((item) => item.id === by.nodeId) : undefined;
    const found = by.nodeId ? (node ? ok(node) : err<AssetNode>('NOT_FOUND', `No node ${by.nodeId} in tree "${tree.value.name}".`)) : findByPath(state, by.path ?? '');
    if (!found.ok) return found;
    const names = nodePath(state, found.value.id);
    return names.ok ? ok({ node: found.value, path: names.value }) : names;
  }

  exportTree(ref: string): Result<TreeExport> {
    const view = this.show(ref);
    if (!view.ok) return view;
    const { tree, nodes, placements } = view.value;
    return ok({
      name: tree.name,
      nodes: nodes.map(({ id, parentId, name, type, attributes }) => ({ id, parentId, name, type, attributes })),
      placements: placements.map(({ nodeId, productKey, deviceKey }) => ({ nodeId, productKey, deviceKey })),
    });
  }

  /**
   * A new tree from an exported one, in one transaction (the single-step operations nest as
   * savepoints): parents before children, each node checked by the same pure rules as a single
   * add; nothing is kept when one fails.
   */
  importTree(input: TreeExport, name?: string): Result<AssetTree> {
    const missing = input.placements.find((placement) => !this.registry.getDevice(placement.productKey, placement.deviceKey));
    if (missing) return err('NOT_FOUND', `Device ${missing.productKey}/${missing.deviceKey} of the tree file is not in the registry; import the devices first.`);
    return this.registry.transaction(() => {
      const created = this.createTree(name ?? input.name);
      if (!created.ok) return created;
      const treeId = created.value.id;
      const ids = new Map<string, string>();
      const nodes: AssetNode[] = [];
      let pending = input.nodes;
      while (pending.length > 0) {
        const ready = pending.filter((node) => node.parentId === null || ids.has(node.parentId));
        if (ready.length === 0) return err<AssetTree>('VALIDATION_FAILED', `Node "${pending[0]!.name}" of the tree file has a parent that is not in the file (or the parents form a cycle).`);
        for (const node of ready) {
          const added = addNode({ nodes, placements: [] }, { ...node, id: this.newId('asset_nodes'), treeId, parentId: node.parentId === null ? null : ids.get(node.parentId)! });
          if (!added.ok) return added;
          nodes.push(this.saveNode(added.value, 'create'));
          ids.set(node.id, added.value.id);
        }
        pending = pending.filter((node) => !ready.includes(node));
      }
      for (const placement of input.placements) {
        const nodeId = ids.get(placement.nodeId);
        if (!nodeId) return err<AssetTree>('VALIDATION_FAILED', `A placement of the tree file names node ${placement.nodeId}, which is not in the file.`);
        const placed = this.place(`${placement.productKey}/${placement.deviceKey}`, nodeId);
        if (!placed.ok) return placed;
      }
      return ok(created.value);
    });
  }

  /**
   * A tree pulled from EnOS (origin 'enos'; issue 10 `sync pull`): the cloud treeId and the
   * nodes' assetIds become the local ids, so the sync maps them one to one. No outbox row is
   * written: EnOS has these already, and only what is made here later (nodes, placements under
   * them) is pushed. Pulling again renames the tree and adds nodes new in the cloud; nodes held
   * here keep their local state (their own changes reach EnOS through the outbox, where a remote
   * edit shows as a conflict). Returns the tree and the nodes it added.
   */
  importPulledTree(input: PulledTreeImport): Result<{ tree: AssetTree; added: AssetNode[] }> {
    const existing = this.db.prepare<[string], TreeRow>('SELECT * FROM asset_trees WHERE id = ?').get(input.treeId);
    if (existing && existing.origin !== 'enos') return err('ALREADY_EXISTS', `Asset tree ${input.treeId} exists locally and was not pulled from EnOS.`);
    const name = input.name.trim();
    const namesake = this.db.prepare<[string, string], string>('SELECT id FROM asset_trees WHERE name = ? AND id <> ?').pluck().get(name, input.treeId);
    if (namesake) return err('ALREADY_EXISTS', `The EnOS asset tree "${name}" has the name of local tree ${namesake}; rename or delete that tree, then pull again.`);
    const now = this.context.clock();
    const result = this.registry.transaction(() => {
      if (existing) this.db.prepare('UPDATE asset_trees SET name = ?, updated_at = ? WHERE id = ? AND name <> ?').run(name, now, input.treeId, name);
      else this.db.prepare("INSERT INTO asset_trees (id, name, origin, revision, created_at, updated_at) VALUES (?, ?, 'enos', 0, ?, ?)").run(input.treeId, name, now, now);
      const nodes = [...this.state(input.treeId).nodes];
      const added: AssetNode[] = [];
      for (const pulled of input.nodes) {
        if (nodes.some((node) => node.id === pulled.id)) continue;
        const elsewhere = this.db.prepare<[string], string>('SELECT tree_id FROM asset_nodes WHERE id = ?').pluck().get(pulled.id);
        if (elsewhere) return err<{ tree: AssetTree; added: AssetNode[] }>('CONFLICT', `Node ${pulled.id} of EnOS tree "${name}" has the id of a node in local tree ${elsewhere}.`);
        const node = addNode({ nodes, placements: [] }, { ...pulled, treeId: input.treeId });
        if (!node.ok) return err<{ tree: AssetTree; added: AssetNode[] }>(node.error.code, `Node ${pulled.id} of EnOS tree "${name}": ${node.error.message}`);
        this.db
          .prepare(
            `INSERT INTO asset_nodes (id, tree_id, parent_id, name, type, attributes, position, revision, created_at, updated_at)
             VALUES (@id, @treeId, @parentId, @name, @type, @attributes, @position, 0, @now, @now)`,
          )
          .run({ ...node.value, attributes: JSON.stringify(node.value.attributes), now });
        nodes.push(node.value);
        added.push(node.value);
      }
      return ok({ tree: toTree(this.db.prepare<[string], TreeRow>('SELECT * FROM asset_trees WHERE id = ?').get(input.treeId)!), added });
    });
    if (result.ok) this.emit(input.treeId, existing ? 'update' : 'create');
    return result;
  }

  handlers(): Pick<Handlers, Extract<keyof Handlers, `assets.${string}`>> {
    return {
      'assets.trees': () => ok(this.listTrees()),
      'assets.createTree': (input) => this.createTree(input.name),
      'assets.deleteTree': (input) => this.deleteTree(input.tree, input.cascade),
      'assets.show': (input) => this.show(input.tree),
      'assets.addNode': (input) => this.addNode(input),
      'assets.moveNode': (input) => this.moveNode(input.nodeId, input.parentId),
      'assets.renameNode': (input) => this.renameNode(input.nodeId, input.name),
      'assets.deleteNode': (input) => this.deleteNode(input.nodeId, input.cascade),
      'assets.place': (input) => this.place(input.device, input.nodeId),
      'assets.unplace': (input) => this.unplace(input.device, input.tree),
      'assets.path': (input) => this.path(input.tree, input),
      'assets.export': (input) => this.exportTree(input.tree),
      'assets.import': (input) => this.importTree(input.tree, input.name),
    };
  }
}
