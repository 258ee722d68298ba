import { z } from 'zod';
import { event, request } from './define';

/** Domain `assets` (issue 4): asset trees, nodes and device placements. */

/** `enos`: pulled by `sync pull`, its id is the cloud treeId; nodes made locally under it are pushed, the tree never is. */
export const TreeOriginSchema = z.enum(['local', 'enos']);
export const AssetTreeSchema = z.object({ id: z.string(), name: z.string(), origin: TreeOriginSchema.default('local'), revision: z.number().int(), createdAt: z.number().int(), updatedAt: z.number().int() });
export type AssetTree = z.infer<typeof AssetTreeSchema>;

export const AssetNodeSchema = z.object({
  id: z.string(),
  treeId: z.string(),
  parentId: z.string().nullable(),
  name: z.string(),
  type: z.string(),
  attributes: z.record(z.string(), z.unknown()),
  position: z.number().int(),
});

export const PlacementSchema = z.object({ treeId: z.string(), nodeId: z.string(), productKey: z.string(), deviceKey: z.string() });

export const TreeViewSchema = z.object({ tree: AssetTreeSchema, nodes: z.array(AssetNodeSchema), placements: z.array(PlacementSchema), text: z.string() });
export type TreeView = z.infer<typeof TreeViewSchema>;

/** A tree by id or name. */
const tree = z.string().min(1).max(100);
const nodeId = z.string().min(1).max(40);
const nodeName = z.string().min(1).max(100);

/** A tree as a file: node ids are local to the file; import gives the nodes new ids. */
export const TreeExportSchema = z.object({
  name: nodeName,
  nodes: z.array(z.object({ id: z.string().min(1).max(40), parentId: z.string().min(1).max(40).nullable(), name: nodeName, type: z.string().max(100).default(''), attributes: z.record(z.string(), z.unknown()).default({}) })).max(100_000),
  placements: z.array(z.object({ nodeId: z.string().min(1).max(40), productKey: z.string().min(1).max(20), deviceKey: z.string().min(1).max(64) })).max(1_000_000).default([]),
});
export type TreeExport = z.output<typeof TreeExportSchema>;

export const assetsRequests = {
  trees: request('assets.trees', z.object({}).strict(), z.array(AssetTreeSchema.extend({ nodes: z.number().int(), devices: z.number().int() }))),
  createTree: request('assets.createTree', z.object({ name: nodeName }).strict(), AssetTreeSchema),
  deleteTree: request('assets.deleteTree', z.object({ tree, cascade: z.boolean().default(false) }).strict(), z.object({ id: z.string() })),
  show: request('assets.show', z.object({ tree }).strict(), TreeViewSchema),
  addNode: request(
    'assets.addNode',
    z.object({ tree, parentId: nodeId.nullable().default(null), name: nodeName, type: z.string().max(100).default(''), attributes: z.record(z.string(), z.unknown()).default({}) }).strict(),
    AssetNodeSchema,
  ),
  /** parentId null moves the node to the top level. */
  moveNode: request('assets.moveNode', z.object({ nodeId, parentId: nodeId.nullable() }).strict(), AssetNodeSchema),
  renameNode: request('assets.renameNode', z.object({ nodeId, name: nodeName }).strict(), AssetNodeSchema),
  deleteNode: request('assets.deleteNode', z.object({ nodeId, cascade: z.boolean().default(false) }).strict(), z.object({ nodes: z.number().int(), placements: z.number().int() })),
  /** Places a device (`PK/DK` or a unique bare deviceKey) under a node; one placement per device per tree. */
  place: request('assets.place', z.object({ device: z.string().min(1).max(100), nodeId }).strict(), PlacementSchema),
  unplace: request('assets.unplace', z.object({ device: z.string().min(1).max(100), tree }).strict(), z.object({ removed: z.boolean() })),
  /** A node's path of names, or the node at a path of names (`Site/Building/Floor`). */
  export: request('assets.export', z.object({ tree }).strict(), TreeExportSchema),
  /** Creates a new tree from an exported one (optionally renamed); every device must exist. */
  import: request('assets.import', z.object({ tree: TreeExportSchema, name: nodeName.optional() }).strict(), AssetTreeSchema),
  path: request('assets.path', z.object({ tree, nodeId: nodeId.optional(), path: z.string().max(1000).optional() }).strict(), z.object({ node: AssetNodeSchema, path: z.array(z.string()) })),
};

export const assetsEvents = {
  changed: event('assets.changed', z.object({ treeId: z.string(), operation: z.enum(['create', 'update', 'delete']) })),
};
