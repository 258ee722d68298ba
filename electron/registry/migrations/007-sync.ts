import type { Migration } from './index';

/**
 * Cloud sync (issue 10, architecture §8): targets, per-target delivery state of outbox rows and
 * the cursor, local↔cloud id mappings, conflicts, the EnOS credential pool, the offline cache of
 * pulled products / thing models / trees, and the hub side (entities received from other stations).
 * Secrets (app secret, hub token, product and device secrets) live in the vault, never here.
 */
export const sync: Migration = {
  version: 7,
  name: 'sync',
  up: `
    CREATE TABLE sync_targets (
      name          TEXT PRIMARY KEY,
      kind          TEXT NOT NULL CHECK (kind IN ('enos', 'hub')),
      config        TEXT NOT NULL,             -- JSON without secrets: url, orgId, appKey, endpoints / url, tokenEnv
      rate          REAL NOT NULL CHECK (rate > 0),
      burst         INTEGER NOT NULL CHECK (burst >= 1),
      cursor        INTEGER NOT NULL DEFAULT 0, -- every outbox row with seq <= cursor is done for this target
      paused_until  INTEGER NOT NULL DEFAULT 0, -- Retry-After of the last 429
      last_error    TEXT,                      -- JSON {code, message, seq?, at}
      runner_pid    INTEGER,                   -- the process delivering to this target now (one at a time)
      created_at    INTEGER NOT NULL
    ) STRICT;

    -- One row per outbox row a target has touched; rows above the cursor without one are pending.
    CREATE TABLE sync_deliveries (
      target          TEXT NOT NULL REFERENCES sync_targets (name) ON DELETE CASCADE,
      seq             INTEGER NOT NULL,
      state           TEXT NOT NULL CHECK (state IN ('inflight', 'retry', 'sent', 'skipped', 'failed', 'conflict')),
      attempts        INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL DEFAULT 0,
      error_code      TEXT,
      error_message   TEXT,
      force           INTEGER NOT NULL DEFAULT 0, -- set by a keep-local conflict resolution
      updated_at      INTEGER NOT NULL,
      PRIMARY KEY (target, seq)
    ) STRICT;
    CREATE INDEX sync_deliveries_state ON sync_deliveries (target, state);
    -- The processor asks per row whether an earlier row of the same entity is still open.
    CREATE INDEX sync_outbox_by_entity ON outbox (entity, entity_id, seq);

    CREATE TABLE sync_mappings (
      target      TEXT NOT NULL REFERENCES sync_targets (name) ON DELETE CASCADE,
      entity      TEXT NOT NULL,
      local_id    TEXT NOT NULL,
      cloud_id    TEXT NOT NULL,
      cloud_state TEXT,                        -- JSON the cloud held after our last write, to see remote edits
      updated_at  INTEGER NOT NULL,
      PRIMARY KEY (target, entity, local_id)
    ) STRICT;

    CREATE TABLE sync_conflicts (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      target      TEXT NOT NULL REFERENCES sync_targets (name) ON DELETE CASCADE,
      seq         INTEGER NOT NULL,
      kind        TEXT NOT NULL CHECK (kind IN ('other_product', 'changed_remotely', 'deleted_remotely', 'newer_elsewhere')),
      local       TEXT NOT NULL,               -- JSON: what this station wants
      cloud       TEXT,                        -- JSON: what the target holds
      created_at  INTEGER NOT NULL,
      resolution  TEXT CHECK (resolution IN ('keep_local', 'keep_cloud')),
      resolved_at INTEGER
    ) STRICT;

    -- Devices pre-created in EnOS for offline burning (architecture §5); secrets in the vault.
    CREATE TABLE sync_pool (
      target      TEXT NOT NULL REFERENCES sync_targets (name) ON DELETE CASCADE,
      product_key TEXT NOT NULL,
      device_key  TEXT NOT NULL,
      asset_id    TEXT NOT NULL,
      claimed_at  INTEGER,
      created_at  INTEGER NOT NULL,
      PRIMARY KEY (target, product_key, device_key)
    ) STRICT;

    -- What \`sync pull\` fetched, for offline work; snapshots without secrets.
    CREATE TABLE sync_pulled (
      target    TEXT NOT NULL REFERENCES sync_targets (name) ON DELETE CASCADE,
      kind      TEXT NOT NULL CHECK (kind IN ('product', 'thing_model', 'asset_tree')),
      id        TEXT NOT NULL,
      snapshot  TEXT NOT NULL,
      pulled_at INTEGER NOT NULL,
      PRIMARY KEY (target, kind, id)
    ) STRICT;

    -- Hub side: the latest revision of every entity other stations pushed, and one receipt per
    -- idempotency key so a repeated push answers the first result.
    CREATE TABLE sync_hub_entities (
      entity     TEXT NOT NULL,
      entity_id  TEXT NOT NULL,
      revision   INTEGER NOT NULL,
      origin     TEXT NOT NULL,
      deleted    INTEGER NOT NULL DEFAULT 0,
      payload    TEXT NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (entity, entity_id)
    ) STRICT;
    CREATE TABLE sync_hub_receipts (
      idempotency_key TEXT PRIMARY KEY,
      result          TEXT NOT NULL,
      received_at     INTEGER NOT NULL
    ) STRICT;
  `,
};
