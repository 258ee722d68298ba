import type { Migration } from './index';

/**
 * One device's ledger entries (device detail, issue 11) by index: the ledger keeps each entry as
 * canonical JSON, so the index is on the same `json_extract` expressions the query uses, with
 * `seq` last for "newest first". Without it every device detail read the whole ledger.
 */
export const ledgerDeviceIndex: Migration = {
  version: 11,
  name: 'ledger-device-index',
  up: `
    CREATE INDEX provisioning_ledger_by_device ON provisioning_ledger (json_extract(entry, '$.productKey'), json_extract(entry, '$.deviceKey'), seq);
  `,
};
