import { z } from 'zod';
import type { PulledNode, PulledTreeImport } from '../../../registry/asset-trees';
import type { HubEntity } from './protocol';

/** A node as a hub lists it: its registry row, or the outbox payload another station pushed. */
const HubNodeSchema = z.object({
  treeId: z.string().min(1),
  parentId: z.string().min(1).nullable().default(null),
  name: z.string().min(1),
  type: z.string().default(''),
  attributes: z.record(z.string(), z.unknown()).default({}),
});

/** Each node after its parent; a node whose parent the hub did not list is left out with its subtree. */
function parentsFirst(nodes: PulledNode[]): PulledNode[] {
  const placed = new Set<string>();
  const ordered: PulledNode[] = [];
  for (let remaining = nodes; ; ) {
    const ready = remaining.filter((node) => node.parentId === null || placed.has(node.parentId));
    if (ready.length === 0) return ordered;
    for (const node of ready) placed.add(node.id);
    ordered.push(...ready);
    remaining = remaining.filter((node) => !placed.has(node.id));
  }
}

/**
 * A hub's trees (`GET /sync/v1/trees`: trees and nodes as entities) in the shape the registry
 * imports pulled trees in, as `sync pull` does for EnOS. Nodes that do not read as nodes are
 * skipped rather than failing the whole pull.
 */
export function hubTreeImports(items: readonly HubEntity[]): PulledTreeImport[] {
  const nodes: PulledNode[] = [];
  const treeOf = new Map<string, string>();
  for (const item of items) {
    if (item.entity !== 'asset_node') continue;
    const node = HubNodeSchema.safeParse(item.payload);
    if (!node.success) continue;
    treeOf.set(item.entityId, node.data.treeId);
    nodes.push({ id: item.entityId, parentId: node.data.parentId, name: node.data.name, type: node.data.type, attributes: node.data.attributes });
  }
  return items
    .filter((item) => item.entity === 'asset_tree')
    .map((tree) => ({
      treeId: tree.entityId,
      name: typeof tree.payload.name === 'string' && tree.payload.name.trim() ? tree.payload.name : tree.entityId,
      nodes: parentsFirst(nodes.filter((node) => treeOf.get(node.id) === tree.entityId)),
    }));
}
