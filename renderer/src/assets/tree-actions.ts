import type { TreeView } from '../../../shared/contract';
import { parseIdentityUri } from '../../../shared/model/identity-uri';

/** What is dragged in the tree: a node (to move it) or a placed device (to place it elsewhere). */
export type DragItem = { kind: 'node'; id: string } | { kind: 'device'; device: string };

/** The drag data's type: only drags that started in this tree carry it. */
export const DRAG_TYPE = 'application/x-commissioner-asset';

export function encodeDrag(item: DragItem): string {
  return JSON.stringify(item);
}

/** Null for anything that is not a drag from this tree (a file, a link, text from elsewhere). */
export function decodeDrag(text: string): DragItem | null {
  try {
    const item = JSON.parse(text) as Partial<DragItem> & Record<string, unknown>;
    if (item.kind === 'node' && typeof item.id === 'string') return { kind: 'node', id: item.id };
    if (item.kind === 'device' && typeof item.device === 'string') return { kind: 'device', device: item.device };
  } catch {
    // Not JSON: not ours.
  }
  return null;
}

export type DropAction = { kind: 'move'; nodeId: string; parentId: string | null } | { kind: 'place'; device: string; nodeId: string };

/**
 * What dropping `item` on a node (or on the top level, null) does; null when it would change
 * nothing. A move into the node's own branch is left to the registry, which refuses it with its
 * code (ASSET_CYCLE), so the screen shows the same answer as every other client gets.
 */
export function dropAction(view: Pick<TreeView, 'nodes' | 'placements'>, item: DragItem, target: string | null): DropAction | null {
  if (item.kind === 'node') {
    const node = view.nodes.find((candidate) => candidate.id === item.id);
    if (!node || node.id === target || node.parentId === target) return null;
    return { kind: 'move', nodeId: node.id, parentId: target };
  }
  if (target === null) return null;
  const placed = view.placements.find((placement) => `${placement.productKey}/${placement.deviceKey}` === item.device);
  return placed?.nodeId === target ? null : { kind: 'place', device: item.device, nodeId: target };
}

/**
 * The device a scanned label names: a barcode scanner types the label's QR content (the identity
 * URI, issue 9 "Labels"); `PK/DK` typed by hand is taken too.
 */
export function scannedDevice(text: string): string | null {
  const identity = parseIdentityUri(text);
  if (identity) return `${identity.productKey}/${identity.deviceKey}`;
  const typed = text.trim();
  return /^[A-Za-z0-9_-]{1,64}\/[A-Za-z0-9_-]{1,64}$/.test(typed) ? typed : null;
}

/**
 * The nodes a search shows: those whose name, type or placed device contains the text, and their
 * ancestors so the tree stays a tree. Null when there is no search (everything is shown).
 */
export function searchTree(view: Pick<TreeView, 'nodes' | 'placements'>, text: string): { shown: Set<string>; matches: Set<string> } | null {
  const needle = text.trim().toLowerCase();
  if (!needle) return null;
  const matches = new Set<string>();
  for (const node of view.nodes) if (`${node.name} ${node.type}`.toLowerCase().includes(needle)) matches.add(node.id);
  for (const placement of view.placements) if (`${placement.productKey}/${placement.deviceKey}`.toLowerCase().includes(needle)) matches.add(placement.nodeId);
  const parents = new Map(view.nodes.map((node) => [node.id, node.parentId]));
  const shown = new Set<string>();
  for (const id of matches) {
    for (let current: string | null | undefined = id; current && !shown.has(current); current = parents.get(current)) shown.add(current);
  }
  return { shown, matches };
}
