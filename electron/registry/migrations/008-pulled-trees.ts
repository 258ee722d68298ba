import type { Migration } from './index';

/**
 * Asset trees pulled from EnOS (issues 4 and 10): EnOS owns its trees, so `sync pull` imports
 * them with their cloud treeId as the local id and marks them `enos`; nodes made locally under
 * them are pushed, the tree itself never is. Existing trees are the station's own (`local`).
 */
export const pulledTrees: Migration = {
  version: 8,
  name: 'pulled-trees',
  up: `
    ALTER TABLE asset_trees ADD COLUMN origin TEXT NOT NULL DEFAULT 'local' CHECK (origin IN ('local', 'enos'));
  `,
};
