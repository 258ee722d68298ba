import { randomUUID } from 'node:crypto';
import { err, ok, type Result } from '../../shared/result';
import { scryptFromEnv, Vault, type ScryptParams, type Unlock } from '../pki/vault';
import { openDatabase, type Db } from '../registry/database';
import { dataPaths, ensureWritableDataDir } from './data-dir';

export interface InitReport {
  dataDir: string;
  database: string;
  stationId: string;
  schemaVersion: number;
  /** False when everything already existed (init is idempotent). */
  created: boolean;
}

export function readStationId(db: Db): string | undefined {
  return (db.prepare("SELECT value FROM meta WHERE key = 'station_id'").get() as { value: string } | undefined)?.value;
}

/**
 * `commissioner init`: data folder, database at the latest schema, station id and vault.
 * Running it again changes nothing, but proves the unlock works (a wrong passphrase is refused).
 */
export async function initDataFolder(
  dataDir: string,
  unlock: () => Promise<Result<Unlock>>,
  options: { scrypt?: ScryptParams } = {},
): Promise<Result<InitReport>> {
  const writable = ensureWritableDataDir(dataDir);
  if (!writable.ok) return writable;
  const path = dataPaths(dataDir).database;
  const opened = openDatabase(path, { create: true });
  if (!opened.ok) return opened;
  const db = opened.value;
  try {
    let created = false;
    let stationId = readStationId(db);
    if (!stationId) {
      stationId = randomUUID();
      db.prepare("INSERT INTO meta (key, value) VALUES ('station_id', ?)").run(stationId);
      created = true;
    }
    const unlocked = await unlock();
    if (!unlocked.ok) return unlocked;
    const hadVault = Vault.exists(db);
    const vault = hadVault ? Vault.unlock(db, unlocked.value) : Vault.create(db, unlocked.value, { scrypt: options.scrypt ?? scryptFromEnv() });
    if (!vault.ok) return err(vault.error.code, vault.error.message);
    created ||= !hadVault;
    return ok({ dataDir, database: path, stationId, schemaVersion: db.pragma('user_version', { simple: true }) as number, created });
  } finally {
    db.close();
  }
}
