import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/registry/database';
import { migrations } from '../../electron/registry/migrations';
import { provisioning } from '../../electron/registry/migrations/006-provisioning';
import { tempDir } from '../helpers/cli';

describe('migration 006 (provisioning)', () => {
  it('upgrades a database made at the previous version, keeping its rows; the ledger is append-only', () => {
    const path = join(tempDir(), 'upgrade.db');
    const all = migrations;
    const before = all.filter((migration) => migration.version < provisioning.version);
    const old = openDatabase(path, { create: true, migrations: before });
    if (!old.ok) throw new Error(old.error.message);
    expect(old.value.pragma('user_version', { simple: true })).toBe(provisioning.version - 1);
    old.value.prepare("INSERT INTO meta (key, value) VALUES ('kept', 'yes')").run();
    old.value.close();

    const upgraded = openDatabase(path, { create: false, migrations: all });
    if (!upgraded.ok) throw new Error(upgraded.error.message);
    const db = upgraded.value;
    expect(db.pragma('user_version', { simple: true })).toBe(all.at(-1)!.version);
    expect(db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'kept'").get()?.value).toBe('yes');
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'provisioning%' OR name = 'birth_records' ORDER BY name").all();
    expect(tables.map((table) => table.name)).toEqual(['birth_records', 'provisioning_ledger', 'provisioning_runs', 'provisioning_steps']);
    db.prepare("INSERT INTO provisioning_ledger (seq, entry, prev_hash, hash) VALUES (1, '{}', 'x', 'y')").run();
    expect(() => db.prepare('DELETE FROM provisioning_ledger').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE provisioning_ledger SET hash = 'z'").run()).toThrow(/append-only/);
    expect(() => db.prepare("INSERT INTO provisioning_runs (port, product_key, scheme, status, started_at) VALUES ('p', 'PK', 's', 'done?', 0)").run()).toThrow(/CHECK/);
    db.close();
  });
});
