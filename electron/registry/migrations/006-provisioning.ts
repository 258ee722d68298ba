import type { Migration } from './index';

/**
 * Provisioning (issue 9, architecture §6): the journal of pipeline runs and their steps, so that a
 * crash, an unplug or a retry resumes or redoes a run safely; the append-only, hash-chained
 * ledger; and the signed birth records. No secret is stored here (fingerprints only).
 */
export const provisioning: Migration = {
  version: 6,
  name: 'provisioning',
  up: `
    CREATE TABLE provisioning_runs (
      id            INTEGER PRIMARY KEY,
      port          TEXT NOT NULL,
      product_key   TEXT NOT NULL,
      serial        TEXT,
      mac           TEXT,
      model         TEXT,
      firmware      TEXT,
      device_key    TEXT,
      scheme        TEXT NOT NULL,
      status        TEXT NOT NULL CHECK (status IN ('running', 'provisioned', 'failed', 'skipped', 'held')),
      -- What the credential step made: the certificate serial or the secret's fingerprint (never the secret).
      credential    TEXT NOT NULL DEFAULT '{}',
      error_code    TEXT,
      error_message TEXT,
      started_at    INTEGER NOT NULL,
      finished_at   INTEGER
    ) STRICT;
    CREATE INDEX provisioning_runs_device ON provisioning_runs (product_key, serial, status);

    CREATE TABLE provisioning_steps (
      run_id       INTEGER NOT NULL REFERENCES provisioning_runs (id),
      step         TEXT NOT NULL,
      status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'reused', 'failed')),
      detail       TEXT NOT NULL DEFAULT '',
      ms           REAL NOT NULL DEFAULT 0,
      updated_at   INTEGER NOT NULL,
      PRIMARY KEY (run_id, step)
    ) STRICT;

    -- Append-only: each entry carries the hash of the one before (the first: 64 zeros).
    CREATE TABLE provisioning_ledger (
      seq        INTEGER PRIMARY KEY,
      entry      TEXT NOT NULL,
      prev_hash  TEXT NOT NULL,
      hash       TEXT NOT NULL UNIQUE
    ) STRICT;
    CREATE TRIGGER provisioning_ledger_no_update BEFORE UPDATE ON provisioning_ledger
      BEGIN SELECT RAISE(ABORT, 'the provisioning ledger is append-only'); END;
    CREATE TRIGGER provisioning_ledger_no_delete BEFORE DELETE ON provisioning_ledger
      BEGIN SELECT RAISE(ABORT, 'the provisioning ledger is append-only'); END;

    CREATE TABLE birth_records (
      product_key  TEXT NOT NULL,
      device_key   TEXT NOT NULL,
      run_id       INTEGER NOT NULL REFERENCES provisioning_runs (id),
      record       TEXT NOT NULL,
      created_at   INTEGER NOT NULL,
      PRIMARY KEY (product_key, device_key, run_id)
    ) STRICT;
  `,
};
