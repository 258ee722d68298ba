import type { Migration } from './index';

/**
 * The registry at 100k devices (issue 4 "Scale"). A CSV import of moved devices brings one
 * secret per row: the vault seals them in bundles (`Vault.putMany`), one AES-GCM encryption per
 * bundle, each secret's id pointing at its bundle, so the id reads, lists and deletes like one
 * stored alone. The ids are the vault ids (`device:<pk>/<dk>:secret`), never a secret.
 * Device names sort case-insensitively: the name indexes of 002 are rebuilt with NOCASE (as
 * many indexes as before, so a device insert costs what it did).
 */
export const registryScale: Migration = {
  version: 10,
  name: 'registry-scale',
  up: `
    CREATE TABLE vault_bundles (
      id         INTEGER PRIMARY KEY,
      purpose    TEXT NOT NULL,
      iv         BLOB NOT NULL,
      tag        BLOB NOT NULL,
      ciphertext BLOB NOT NULL,     -- JSON {id: secret}, AES-256-GCM under the data key, 'vault-bundle:<id>' as additional data
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;

    -- No foreign key: it would scan this table on every bundle delete (no index on bundle, which
    -- would cost the import one more b-tree per row); the vault removes members before their bundle.
    CREATE TABLE vault_bundle_members (
      id     TEXT PRIMARY KEY,
      bundle INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;

    DROP INDEX devices_by_name;
    DROP INDEX devices_by_product_name;
    CREATE INDEX devices_by_name ON devices (name COLLATE NOCASE, id);
    CREATE INDEX devices_by_product_name ON devices (product_key, name COLLATE NOCASE, id);
  `,
};
