import type { Migration } from './index';

/**
 * The registry (issue 4): products with their thing models, devices, gateway topology, asset
 * trees with placements, and the outbox the sync drains (architecture §8). Secrets live in the
 * vault (`product:<pk>:secret`, `device:<pk>/<dk>:secret`), never here.
 */
export const registry: Migration = {
  version: 2,
  name: 'registry',
  up: `
    CREATE TABLE products (
      product_key   TEXT PRIMARY KEY,
      name          TEXT NOT NULL,
      description   TEXT NOT NULL DEFAULT '',
      data_format   TEXT NOT NULL DEFAULT 'json' CHECK (data_format IN ('json')),
      auth_scheme   TEXT NOT NULL CHECK (auth_scheme IN ('device-secret', 'product-secret', 'certificate')),
      protocols     TEXT NOT NULL,            -- JSON array of 'mqtt' | 'http' | 'coap'
      naming_rule   TEXT NOT NULL,            -- JSON {prefix, source}
      thing_model   TEXT,                     -- JSON, the stored (parsed) model
      destination   TEXT NOT NULL,            -- 'local' or a sync target name
      origin        TEXT NOT NULL CHECK (origin IN ('local', 'enos')),
      revision      INTEGER NOT NULL,
      created_at    INTEGER NOT NULL,
      updated_at    INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE devices (
      id                 INTEGER PRIMARY KEY,
      product_key        TEXT NOT NULL REFERENCES products (product_key),
      device_key         TEXT NOT NULL,
      name               TEXT NOT NULL DEFAULT '',
      serial             TEXT,
      mac                TEXT,
      firmware           TEXT,
      destination        TEXT NOT NULL,
      credential_source  TEXT NOT NULL CHECK (credential_source IN ('none', 'generated', 'imported', 'activation', 'enos')),
      state              TEXT NOT NULL CHECK (state IN ('planned', 'provisioned', 'active', 'disabled', 'decommissioned')),
      cert_fingerprint   TEXT,
      attributes         TEXT NOT NULL DEFAULT '{}',
      tags               TEXT NOT NULL DEFAULT '{}',
      desired_config     TEXT NOT NULL DEFAULT '{}',
      timezone           TEXT NOT NULL DEFAULT '+00:00',
      revision           INTEGER NOT NULL,
      created_at         INTEGER NOT NULL,
      updated_at         INTEGER NOT NULL,
      UNIQUE (product_key, device_key)
    ) STRICT;
    -- Keyset pagination and filters over 100k devices (issue 4 "Scale").
    CREATE INDEX devices_by_key ON devices (device_key, id);
    CREATE INDEX devices_by_name ON devices (name, id);
    CREATE INDEX devices_by_created ON devices (created_at, id);
    CREATE INDEX devices_by_product_name ON devices (product_key, name, id);
    CREATE INDEX devices_by_product_created ON devices (product_key, created_at, id);
    CREATE INDEX devices_by_state ON devices (state, device_key, id);
    CREATE INDEX devices_by_serial ON devices (serial) WHERE serial IS NOT NULL;
    CREATE INDEX devices_by_mac ON devices (mac) WHERE mac IS NOT NULL;

    -- EnOS topology (§6.4): a sub-device has at most one gateway.
    CREATE TABLE device_topology (
      sub_id      INTEGER PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
      gateway_id  INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
      created_at  INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX device_topology_by_gateway ON device_topology (gateway_id);

    CREATE TABLE asset_trees (
      id          TEXT PRIMARY KEY,
      name        TEXT NOT NULL UNIQUE,
      revision    INTEGER NOT NULL,
      created_at  INTEGER NOT NULL,
      updated_at  INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE asset_nodes (
      id          TEXT PRIMARY KEY,
      tree_id     TEXT NOT NULL REFERENCES asset_trees (id),
      parent_id   TEXT REFERENCES asset_nodes (id),
      name        TEXT NOT NULL,
      type        TEXT NOT NULL DEFAULT '',
      attributes  TEXT NOT NULL DEFAULT '{}',
      position    INTEGER NOT NULL,
      revision    INTEGER NOT NULL,
      created_at  INTEGER NOT NULL,
      updated_at  INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX asset_nodes_by_tree ON asset_nodes (tree_id, parent_id, position);

    -- One placement per device per tree.
    CREATE TABLE asset_placements (
      tree_id     TEXT NOT NULL REFERENCES asset_trees (id),
      device_id   INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
      node_id     TEXT NOT NULL REFERENCES asset_nodes (id),
      revision    INTEGER NOT NULL,
      created_at  INTEGER NOT NULL,
      PRIMARY KEY (tree_id, device_id)
    ) STRICT;
    CREATE INDEX asset_placements_by_node ON asset_placements (node_id);

    -- Every registry change, written in the same transaction as the change; the sync drains it.
    -- Revisions come from one station-wide counter (this table's sequence), so an entity's
    -- revision only grows, also across delete and re-create.
    CREATE TABLE outbox (
      seq             INTEGER PRIMARY KEY AUTOINCREMENT,
      entity          TEXT NOT NULL CHECK (entity IN ('product','device','asset_tree','asset_node','placement','topology')),
      entity_id       TEXT NOT NULL,          -- productKey, 'PK/DK', tree id, node id, 'treeId:PK/DK', 'gwPK/gwDK>subPK/subDK'
      operation       TEXT NOT NULL CHECK (operation IN ('create','update','delete')),
      revision        INTEGER NOT NULL,        -- the entity's revision after this change
      idempotency_key TEXT NOT NULL UNIQUE,    -- e.g. '<stationId>:<entity>:<entity_id>:<revision>'
      depends_on      TEXT NOT NULL DEFAULT '[]', -- JSON array of '<entity>:<entity_id>' that must reach the target first
      payload         TEXT NOT NULL,           -- JSON snapshot of the entity at that revision, never a secret
      created_at      INTEGER NOT NULL
    ) STRICT;
  `,
};
