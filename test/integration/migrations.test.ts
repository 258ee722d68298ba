import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPLICATION_ID, migrate, openDatabase } from '../../electron/registry/database';
import { migrations } from '../../electron/registry/migrations';
import { openSqlite } from '../../electron/registry/sqlite';
import { tempDir } from '../helpers/cli';

describe('migrations', () => {
  it('are numbered 1…N without gaps', () => {
    expect(migrations.map((migration) => migration.version)).toEqual(migrations.map((_, index) => index + 1));
  });

  it.each(migrations.map((migration) => migration.version))('a database created at schema %i is upgraded to the latest', (version) => {
    const path = join(tempDir(), 'old.db');
    const old = openSqlite(path);
    migrate(old, migrations.slice(0, version));
    old.prepare("INSERT INTO meta (key, value) VALUES ('station_id', 'kept-across-upgrades')").run();
    old.close();

    const upgraded = openDatabase(path, { create: false });
    expect(upgraded.ok).toBe(true);
    if (!upgraded.ok) return;
    const db = upgraded.value;
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare("SELECT value FROM meta WHERE key = 'station_id'").get()).toEqual({ value: 'kept-across-upgrades' });
    db.close();
  });

  it('syncs every commit to disk, on the first open and on every later one', () => {
    const path = join(tempDir(), 'durable.db');
    for (const open of ['create', 'reopen']) {
      const opened = openDatabase(path, { create: open === 'create' });
      expect(opened.ok).toBe(true);
      if (!opened.ok) return;
      expect(opened.value.pragma('synchronous', { simple: true })).toBe(2); // FULL
      opened.value.close();
    }
  });

  it('refuses a database from a newer Commissioner', () => {
    const path = join(tempDir(), 'new.db');
    const db = openSqlite(path);
    migrate(db, migrations);
    db.pragma(`user_version = ${migrations.length + 5}`);
    db.close();
    expect(openDatabase(path, { create: false })).toMatchObject({ ok: false, error: { code: 'DATABASE_TOO_NEW' } });
  });

  it('says NOT_INITIALIZED for a missing database', () => {
    expect(openDatabase(join(tempDir(), 'none.db'), { create: false })).toMatchObject({ ok: false, error: { code: 'NOT_INITIALIZED' } });
  });
});
