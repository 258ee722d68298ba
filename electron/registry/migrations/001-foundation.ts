import type { Migration } from './index';

/** Station identity and the secrets vault (architecture §2 and §7). */
export const foundation: Migration = {
  version: 1,
  name: 'foundation',
  up: `
    CREATE TABLE meta (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;

    -- One data key per data folder, wrapped once per unlock method.
    CREATE TABLE vault_wraps (
      method     TEXT PRIMARY KEY CHECK (method IN ('passphrase', 'os-keystore')),
      params     TEXT NOT NULL,          -- JSON: KDF name and tuned parameters
      salt       BLOB,
      iv         BLOB,
      tag        BLOB,
      wrapped    BLOB NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;

    -- Every secret, AES-256-GCM under the data key, bound to its id as additional data.
    CREATE TABLE vault_secrets (
      id         TEXT PRIMARY KEY,
      purpose    TEXT NOT NULL,
      iv         BLOB NOT NULL,
      tag        BLOB NOT NULL,
      ciphertext BLOB NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
  `,
};
