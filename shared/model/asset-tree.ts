import { err, ok, type Result } from '../result';

/**
 * Asset-tree operations as pure functions over one tree's nodes and placements (issue 4). The
 * registry loads a tree, asks these what changes, and writes the answer in one transaction.
 * Mirrors EnOS's asset-tree service (protocol reference §11.5): move into an own descendant is
 * refused (17768), delete refuses a node with children (17766) unless cascading.
 */

export interface AssetNode {
  id: string;
  treeId: string;
  parentId: string | null;
  name: string;
  type: string;
  attributes: Record<string, unknown>;
  position: number;
}

export interface Placement {
  treeId: string;
  nodeId: string;
  productKey: string;
  deviceKey: string;
}

export interface TreeState {
  nodes: readonly AssetNode[];
  placements: readonly Placement[];
}

/** §9: EnOS trees are at most 7 levels deep; its tree root takes one, so our nodes get six. */
export const MAX_NODE_DEPTH = 6;
const NAME_MAX = 100;

export function childrenOf(state: TreeState, parentId: string | null): AssetNode[] {
  return state.nodes.filter((node) => node.parentId === parentId).sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
}

function nodeById(state: TreeState, id: string): Result<AssetNode> {
  const node = state.nodes.find((candidate) => candidate.id === id);
  return node ? ok(node) : err('NOT_FOUND', `No node ${id.slice(0, 40)} in this tree.`);
}

/** Names from the top-level node down to `id`. */
export function nodePath(state: TreeState, id: string): Result<string[]> {
  const names: string[] = [];
  let current = state.nodes.find((node) => node.id === id);
  if (!current) return err('NOT_FOUND', `No node ${id.slice(0, 40)} in this tree.`);
  while (current) {
    names.unshift(current.name);
    const parentId: string | null = current.parentId;
    current = parentId === null ? undefined : state.nodes.find((node) => node.id === parentId);
  }
  return ok(names);
}

/** Finds a node by its path of names, `Site/Building A/Floor 1`. */
export function findByPath(state: TreeState, path: string): Result<AssetNode> {
  const names = path.split('/').map((name) => name.trim()).filter(Boolean);
  let parentId: string | null = null;
  let found: AssetNode | undefined;
  for (const [index, name] of names.entries()) {
    found = childrenOf(state, parentId).find((node) => node.name === name);
    if (!found) return err('NOT_FOUND', `No node "${names.slice(0, index + 1).join('/')}" in this tree.`);
    parentId = found.id;
  }
  return found ? ok(found) : err('NOT_FOUND', 'An empty path names no node.');
}

function depthOf(state: TreeState, id: string | null): number {
  let depth = 0;
  let current = id === null ? undefined : state.nodes.find((node) => node.id === id);
  while (current) {
    depth++;
    const parentId: string | null = current.parentId;
    current = parentId === null ? undefined : state.nodes.find((node) => node.id === parentId);
  }
  return depth;
}

/** Ids of every node below `id` (not `id` itself), parents before children. */
export function descendantsOf(state: TreeState, id: string): string[] {
  const out: string[] = [];
  const queue = [id];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const child of state.nodes) {
      if (child.parentId === parent) {
        out.push(child.id);
        queue.push(child.id);
      }
    }
  }
  return out;
}

function subtreeHeight(state: TreeState, id: string): number {
  const children = state.nodes.filter((node) => node.parentId === id);
  return 1 + Math.max(0, ...children.map((child) => subtreeHeight(state, child.id)));
}

function checkName(state: TreeState, parentId: string | null, name: string, exceptId?: string): Result<string> {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > NAME_MAX || trimmed.includes('/')) return err('VALIDATION_FAILED', `A node name is 1–${NAME_MAX} characters without "/".`);
  if (childrenOf(state, parentId).some((node) => node.name === trimmed && node.id !== exceptId)) {
    return err('ALREADY_EXISTS', `"${trimmed}" already exists at this level; sibling names are unique so that paths stay unambiguous.`);
  }
  return ok(trimmed);
}

function nextPosition(state: TreeState, parentId: string | null): number {
  return Math.max(-1, ...childrenOf(state, parentId).map((node) => node.position)) + 1;
}

export interface NewNode {
  id: string;
  treeId: string;
  parentId: string | null;
  name: string;
  type?: string;
  attributes?: Record<string, unknown>;
}

export function addNode(state: TreeState, input: NewNode): Result<AssetNode> {
  if (input.parentId !== null) {
    const parent = nodeById(state, input.parentId);
    if (!parent.ok) return parent;
  }
  if (depthOf(state, input.parentId) + 1 > MAX_NODE_DEPTH) return err('VALIDATION_FAILED', `A tree is at most ${MAX_NODE_DEPTH} levels deep below its root (EnOS limit, §9).`);
  const name = checkName(state, input.parentId, input.name);
  if (!name.ok) return name;
  return ok({ id: input.id, treeId: input.treeId, parentId: input.parentId, name: name.value, type: input.type ?? '', attributes: input.attributes ?? {}, position: nextPosition(state, input.parentId) });
}

/** Moves `id` under `parentId` (null: top level), last among its new siblings. */
export function moveNode(state: TreeState, id: string, parentId: string | null): Result<AssetNode> {
  const node = nodeById(state, id);
  if (!node.ok) return node;
  if (parentId !== null) {
    const parent = nodeById(state, parentId);
    if (!parent.ok) return parent;
    if (parentId === id || descendantsOf(state, id).includes(parentId)) {
      const path = nodePath(state, parentId);
      return err('ASSET_CYCLE', `Cannot move "${node.value.name}" under ${path.ok ? `"${path.value.join('/')}"` : parentId}: that is the node itself or one of its descendants.`);
    }
  }
  if (depthOf(state, parentId) + subtreeHeight(state, id) > MAX_NODE_DEPTH) return err('VALIDATION_FAILED', `The move would make the tree deeper than ${MAX_NODE_DEPTH} levels (EnOS limit, §9).`);
  const name = checkName(state, parentId, node.value.name, id);
  if (!name.ok) return name;
  return ok({ ...node.value, parentId, position: node.value.parentId === parentId ? node.value.position : nextPosition(state, parentId) });
}

export function renameNode(state: TreeState, id: string, name: string): Result<AssetNode> {
  const node = nodeById(state, id);
  if (!node.ok) return node;
  const checked = checkName(state, node.value.parentId, name, id);
  return checked.ok ? ok({ ...node.value, name: checked.value }) : checked;
}

/** What a delete removes: nodes children-first, and the placements under them. */
export interface Removal {
  nodeIds: string[];
  placements: Placement[];
}

export function deleteNode(state: TreeState, id: string, cascade: boolean): Result<Removal> {
  const node = nodeById(state, id);
  if (!node.ok) return node;
  const below = descendantsOf(state, id);
  const nodeIds = [...below.reverse(), id];
  const removed = new Set(nodeIds);
  const placements = state.placements.filter((placement) => removed.has(placement.nodeId));
  if (!cascade && (below.length > 0 || placements.length > 0)) {
    return err('NODE_NOT_EMPTY', `"${node.value.name}" has ${below.length} node(s) and ${placements.length} device(s) below it; move them first or delete with --cascade.`);
  }
  return ok({ nodeIds, placements });
}

/** One placement per device per tree: placing again moves the device. */
export function placeDevice(state: TreeState, nodeId: string, device: { productKey: string; deviceKey: string }): Result<{ placement: Placement; previous: Placement | null }> {
  const node = nodeById(state, nodeId);
  if (!node.ok) return node;
  const previous = state.placements.find((placement) => placement.productKey === device.productKey && placement.deviceKey === device.deviceKey) ?? null;
  return ok({ placement: { treeId: node.value.treeId, nodeId, productKey: device.productKey, deviceKey: device.deviceKey }, previous });
}

/** The tree as indented text: nodes with their type, devices as `• PK/DK`. */
export function renderTree(state: TreeState, treeName: string): string {
  const lines = [treeName];
  const walk = (parentId: string | null, indent: string) => {
    for (const node of childrenOf(state, parentId)) {
      lines.push(`${indent}${node.name}${node.type ? ` [${node.type}]` : ''}  (${node.id})`);
      for (const placement of state.placements.filter((item) => item.nodeId === node.id)) lines.push(`${indent}  • ${placement.productKey}/${placement.deviceKey}`);
      walk(node.id, `${indent}  `);
    }
  };
  walk(null, '  ');
  return lines.join('\n');
}
