import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../electron/registry/database';
import { migrations } from '../../electron/registry/migrations';
import { sync } from '../../electron/registry/migrations/007-sync';
import { openSqlite } from '../../electron/registry/sqlite';
import { tempDir } from '../helpers/cli';

describe('migration 007 (sync)', () => {
  // Everything before sync that the list holds today (002 registry brings the outbox).
  const previous = migrations.filter((migration) => migration.version < sync.version);

  it('upgrades a database made at the previous version, keeping its outbox', () => {
    const path = join(tempDir(), 'before-sync.db');
    const old = openSqlite(path);
    migrate(old, previous);
    old.prepare("INSERT INTO outbox (entity, entity_id, operation, revision, idempotency_key, payload, created_at) VALUES ('product', 'pKept001', 'create', 1, 'st:product:pKept001:1', '{}', 1)").run();
    old.close();

    const opened = openDatabase(path, { create: false, migrations: [...previous, sync] });
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const db = opened.value;
    expect(db.pragma('user_version', { simple: true })).toBe(7);
    expect(db.prepare('SELECT entity_id FROM outbox').pluck().all()).toEqual(['pKept001']);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'sync_%' ORDER BY name").pluck().all();
    expect(tables).toEqual(['sync_conflicts', 'sync_deliveries', 'sync_hub_entities', 'sync_hub_receipts', 'sync_mappings', 'sync_pool', 'sync_pulled', 'sync_targets']);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'sync_outbox_by_entity'").pluck().get()).toBe('sync_outbox_by_entity');
    db.close();
  });

  it('refuses what its checks forbid: an unknown target kind, a zero rate, a delivery of a missing target', () => {
    const path = join(tempDir(), 'checks.db');
    const db = openSqlite(path);
    db.pragma('foreign_keys = ON');
    migrate(db, [...previous, sync]);
    const add = db.prepare('INSERT INTO sync_targets (name, kind, config, rate, burst, created_at) VALUES (?, ?, ?, ?, ?, 0)');
    expect(() => add.run('x', 'ftp', '{}', 1, 1)).toThrow(/CHECK/);
    expect(() => add.run('x', 'enos', '{}', 0, 1)).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO sync_deliveries (target, seq, state, updated_at) VALUES ('nobody', 1, 'sent', 0)").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
