import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { err, ok, type Result } from '../../shared/result';
import { migrations as allMigrations, type Migration } from './migrations';
import { openSqlite } from './sqlite';

export type Db = Database.Database;

/** SQLite's or the OS's "no space left": an expected failure (a full disk), not a bug. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC';
}

/** `PRAGMA application_id` of a Commissioner database ("CMSR"), so a foreign SQLite file is never migrated. */
export const APPLICATION_ID = 0x434d5352;

export interface OpenOptions {
  create: boolean;
  migrations?: readonly Migration[];
}

/**
 * Opens the one database of a data folder (WAL, foreign keys on) and brings it to the latest
 * schema. A damaged or foreign file is reported and never modified.
 */
export function openDatabase(path: string, options: OpenOptions): Result<Db> {
  const migrations = options.migrations ?? allMigrations;
  if (!options.create && !existsSync(path)) return err('NOT_INITIALIZED');
  let db: Db | undefined;
  try {
    db = openSqlite(path);
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
    if (applicationId !== APPLICATION_ID && (applicationId !== 0 || tables.n > 0)) {
      db.close();
      return err('DATABASE_CORRUPT', `${path} is not a Commissioner database; it was left untouched.`);
    }
    const latest = migrations.at(-1)?.version ?? 0;
    if (version > latest) {
      db.close();
      return err('DATABASE_TOO_NEW', `${path} has schema ${version}; this build knows up to ${latest}. Upgrade Commissioner.`);
    }
    db.pragma('journal_mode = WAL');
    // Every commit reaches the disk before it returns: the ledger, credentials and certificates
    // a device has just received must survive a power cut on the factory floor. Stated here
    // because SQLite's WAL default differs between the first open (FULL) and later ones (NORMAL).
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
    return ok(db);
  } catch (error) {
    db?.close();
    const code = (error as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      return err('DATABASE_CORRUPT', `${path} is damaged or not a database; it was left untouched.`);
    }
    if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY') {
      return err('DATA_DIR_UNWRITABLE', `${path} cannot be opened for writing (${code}).`);
    }
    throw error;
  }
}

/** Applies every pending migration in order, each in its own transaction with its version. */
export function migrate(db: Db, migrations: readonly Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  let applied = 0;
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      if (typeof migration.up === 'string') db.exec(migration.up);
      else migration.up(db);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${migration.version}`);
    })();
    applied++;
  }
  return applied;
}
