import type { Migration } from './index';

/**
 * The hub (issue 5): each device's last session — when it connected and left, why, and over
 * which listener — so "last seen" survives a restart. Written in batches when sessions change,
 * never per message (the hot path stays in memory).
 */
export const hub: Migration = {
  version: 3,
  name: 'hub',
  up: `
    CREATE TABLE hub_last_seen (
      product_key      TEXT NOT NULL,
      device_key       TEXT NOT NULL,
      connected_at     INTEGER NOT NULL,
      disconnected_at  INTEGER,                -- null while online
      reason           TEXT,                   -- why it went offline (hub OfflineReason)
      listener         TEXT NOT NULL CHECK (listener IN ('mqtt', 'mqtts', 'wss', 'http', 'https', 'coap')),
      address          TEXT,
      via              TEXT,                   -- 'PK/DK' of the gateway for a sub-device
      PRIMARY KEY (product_key, device_key)
    ) STRICT;
  `,
};
