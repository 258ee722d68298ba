import { join } from 'node:path';
import { EventBus } from '../../electron/core/event-bus';
import { AssetTrees } from '../../electron/registry/asset-trees';
import { openDatabase, type Db } from '../../electron/registry/database';
import { Registry } from '../../electron/registry/registry';
import { Vault } from '../../electron/pki/vault';
import { ok } from '../../shared/result';
import { TEST_PASSPHRASE, tempDir } from './cli';

/**
 * A real SQLite file with the registry's outbox (002) and the sync tables (007), and a vault
 * unlocked with the CLI tests' passphrase.
 */
export function openSyncDb(dir = tempDir('commissioner-sync-')): { db: Db; vault: Vault; path: string } {
  const path = join(dir, 'commissioner.db');
  const opened = openDatabase(path, { create: true });
  if (!opened.ok) throw new Error(opened.error.message);
  const db = opened.value;
  const unlock = { method: 'passphrase' as const, passphrase: TEST_PASSPHRASE };
  const vault = Vault.exists(db) ? Vault.unlock(db, unlock) : Vault.create(db, unlock, { scrypt: { N: 2 ** 14, r: 8, p: 1 } });
  if (!vault.ok) throw new Error(vault.error.message);
  return { db, vault: vault.value, path };
}

let counter = 0;

/** Writes an outbox row the way the registry does (migration 002's table, its key format). */
export function enqueue(db: Db, row: { entity: string; entityId: string; operation?: 'create' | 'update' | 'delete'; dependsOn?: string[]; payload?: Record<string, unknown> }): number {
  const next = ((db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").pluck().get() as number | undefined) ?? 0) + 1;
  db.prepare('INSERT INTO outbox (seq, entity, entity_id, operation, revision, idempotency_key, depends_on, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
    next,
    row.entity,
    row.entityId,
    row.operation ?? 'create',
    next,
    `test-station:${row.entity}:${row.entityId}:${next}:${++counter}`,
    JSON.stringify(row.dependsOn ?? []),
    JSON.stringify({ ...(row.payload ?? {}), revision: next }),
    Date.now(),
  );
  return next;
}

/** The registry and asset trees of a sync test's database, which `sync pull` imports into. */
export function localRegistry(db: Db, vault: Vault, stationId = 'test-station'): { registry: Registry; assets: AssetTrees } {
  const context = { db, vault: () => ok(vault), clock: Date.now, events: new EventBus(), stationId };
  const registry = new Registry(context);
  return { registry, assets: new AssetTrees(context, registry) };
}
