import { createStore } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
import type { AssetTree, TreeView } from '../../../shared/contract';
import type { AppError, Result } from '../../../shared/result';

export type TreeSummary = AssetTree & { nodes: number; devices: number };

export interface AssetsState {
  trees: TreeSummary[];
  /** The shown tree: its nodes and placements. */
  view: TreeView | null;
  error: AppError | null;
  load(): Promise<void>;
  open(treeId: string | null): Promise<void>;
  createTree(name: string): Promise<Result<unknown>>;
  addNode(parentId: string | null, name: string, type: string): Promise<Result<unknown>>;
  moveNode(nodeId: string, parentId: string | null): Promise<Result<unknown>>;
  renameNode(nodeId: string, name: string): Promise<Result<unknown>>;
  deleteNode(nodeId: string, cascade: boolean): Promise<Result<unknown>>;
  place(device: string, nodeId: string): Promise<Result<unknown>>;
  unplace(device: string): Promise<Result<unknown>>;
  follow(): () => void;
}

/** The asset-tree screen's data; every change goes through the registry, which checks it again. */
export function createAssetsStore(api: Api) {
  return createStore<AssetsState>((set, get) => {
    /** Runs a change, then shows the tree as the registry now has it; a refusal is kept to show. */
    async function change(run: () => Promise<Result<unknown>>): Promise<Result<unknown>> {
      const result = await run();
      if (!result.ok) {
        set({ error: result.error });
        return result;
      }
      set({ error: null });
      await get().load();
      return result;
    }
    const treeId = () => get().view?.tree.id ?? '';
    return {
      trees: [],
      view: null,
      error: null,
      async load() {
        const trees = await api.call('assets.trees', {});
        if (!trees.ok) return set({ error: trees.error });
        set({ trees: trees.value });
        const shown = get().view?.tree.id ?? trees.value[0]?.id ?? null;
        await get().open(trees.value.some((tree) => tree.id === shown) ? shown : null);
      },
      async open(id) {
        if (!id) return set({ view: null });
        const view = await api.call('assets.show', { tree: id });
        set(view.ok ? { view: view.value } : { error: view.error });
      },
      async createTree(name) {
        const created = await change(() => api.call('assets.createTree', { name }));
        if (created.ok) await get().open((created.value as AssetTree).id);
        return created;
      },
      addNode: (parentId, name, type) => change(() => api.call('assets.addNode', { tree: treeId(), parentId, name, type })),
      moveNode: (nodeId, parentId) => change(() => api.call('assets.moveNode', { nodeId, parentId })),
      renameNode: (nodeId, name) => change(() => api.call('assets.renameNode', { nodeId, name })),
      deleteNode: (nodeId, cascade) => change(() => api.call('assets.deleteNode', { nodeId, cascade })),
      place: (device, nodeId) => change(() => api.call('assets.place', { device, nodeId })),
      unplace: (device) => change(() => api.call('assets.unplace', { device, tree: treeId() })),
      follow() {
        return api.on('assets.changed', () => void get().load());
      },
    };
  });
}
