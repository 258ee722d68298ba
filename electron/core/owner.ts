import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { HubPortsSchema } from '../../shared/contract/hub';
import { err, ok, type Result } from '../../shared/result';
import { openSqlite } from '../registry/sqlite';
import { dataPaths } from './data-dir';

/**
 * One owner per data folder (architecture §2). The lock is an exclusive SQLite transaction held
 * on `owner.lock` for the owner's lifetime: a real OS file lock (fcntl/LockFileEx) that the OS
 * releases when the process dies, so a crashed owner never leaves a stale lock behind.
 */
export interface OwnerLock {
  release(): void;
}

export function acquireOwnership(dataDir: string): Result<OwnerLock> {
  const db = openSqlite(dataPaths(dataDir).lock, { timeout: 0 });
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch {
    db.close();
    return err('DATA_DIR_LOCKED', `Another Commissioner process owns ${dataDir}. Stop it, or use a different --data folder.`);
  }
  return ok({
    release() {
      if (!db.open) return;
      db.exec('ROLLBACK');
      db.close();
    },
  });
}

function isLockHeld(dataDir: string): boolean {
  if (!existsSync(dataPaths(dataDir).lock)) return false;
  const probe = acquireOwnership(dataDir);
  if (probe.ok) probe.value.release();
  return !probe.ok;
}

/** `run.json`: where the live owner listens. Flat keys, numbers for ports, only what it serves. */
export const RunInfoSchema = z.object({
  pid: z.number().int(),
  host: z.string(),
  bridge: z.number().int(),
  token: z.string(),
  ...HubPortsSchema.shape,
  registry: z.number().int().optional(),
  registryToken: z.string().optional(),
});
export type RunInfo = z.infer<typeof RunInfoSchema>;

/** Atomic, 0600: written to a temporary file and renamed over the old one. */
export function writeRunFile(path: string, info: RunInfo): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live owner's run info, or null when none runs (a `run.json` left by a dead owner is stale). */
export function findLiveOwner(dataDir: string): RunInfo | null {
  const { runFile } = dataPaths(dataDir);
  if (!existsSync(runFile)) return null;
  let parsed: RunInfo;
  try {
    parsed = RunInfoSchema.parse(JSON.parse(readFileSync(runFile, 'utf8')));
  } catch {
    return null;
  }
  if (parsed.pid !== process.pid && !processAlive(parsed.pid)) return null;
  return isLockHeld(dataDir) ? parsed : null;
}
