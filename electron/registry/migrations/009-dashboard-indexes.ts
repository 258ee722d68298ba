import type { Migration } from './index';

/**
 * The dashboard's counts (issue 11) as index-only scans: devices grouped by state and product,
 * and provisioning runs started since midnight grouped by outcome. Without them both are full
 * table scans, which a dashboard refreshed on every device change cannot afford at 100k devices.
 */
export const dashboardIndexes: Migration = {
  version: 9,
  name: 'dashboard-indexes',
  up: `
    CREATE INDEX devices_by_state_product ON devices (state, product_key);
    CREATE INDEX provisioning_runs_started ON provisioning_runs (started_at, status);
  `,
};
