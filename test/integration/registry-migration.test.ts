import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../../electron/core/event-bus';
import { Vault } from '../../electron/pki/vault';
import { openDatabase } from '../../electron/registry/database';
import { migrations } from '../../electron/registry/migrations';
import { foundation } from '../../electron/registry/migrations/001-foundation';
import { Registry } from '../../electron/registry/registry';
import { tempDir } from '../helpers/cli';

describe('migration 002 (registry)', () => {
  it('upgrades a database made at schema 1, keeping its data, and the registry works on it', () => {
    const path = join(tempDir(), 'commissioner.db');
    const old = openDatabase(path, { create: true, migrations: [foundation] });
    if (!old.ok) throw new Error(old.error.message);
    const passphrase = { method: 'passphrase', passphrase: 'old station' } as const;
    const created = Vault.create(old.value, passphrase, { scrypt: { N: 2 ** 14, r: 8, p: 1 } });
    if (!created.ok) throw new Error(created.error.message);
    created.value.put('device:legacy/dk:secret', 'LegacySecret00000001', 'device-secret');
    old.value.prepare("INSERT INTO meta (key, value) VALUES ('station_id', 'st-old')").run();
    expect(old.value.pragma('user_version', { simple: true })).toBe(1);
    old.value.close();

    const upgraded = openDatabase(path, { create: false });
    if (!upgraded.ok) throw new Error(upgraded.error.message);
    const db = upgraded.value;
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.at(-1)!.version);
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]).sort();
      expect(tables).toEqual(expect.arrayContaining(['asset_nodes', 'asset_placements', 'asset_trees', 'device_topology', 'devices', 'outbox', 'products']));
      // The outbox is the contract with the sync (issue 10): exactly these columns.
      expect((db.prepare('PRAGMA table_info(outbox)').all() as { name: string }[]).map((column) => column.name)).toEqual([
        'seq',
        'entity',
        'entity_id',
        'operation',
        'revision',
        'idempotency_key',
        'depends_on',
        'payload',
        'created_at',
      ]);
      expect(db.prepare("SELECT value FROM meta WHERE key = 'station_id'").pluck().get()).toBe('st-old');
      const vault = Vault.unlock(db, passphrase);
      expect(vault.ok && vault.value.get('device:legacy/dk:secret')).toBe('LegacySecret00000001');

      const registry = new Registry({ db, vault: () => vault, clock: () => 1, events: new EventBus(), stationId: 'st-old' });
      const product = registry.createProduct({ name: 'P', description: '', authScheme: 'device-secret', protocols: ['mqtt'], namingRule: { prefix: '', source: 'random' }, destination: 'local' });
      expect(product.ok).toBe(true);
      expect(db.prepare('SELECT idempotency_key FROM outbox').pluck().all()).toEqual([expect.stringMatching(/^st-old:product:[A-Za-z0-9]{8}:1$/)]);
      // The CHECK constraints refuse entities and operations the sync does not know.
      expect(() => db.prepare("INSERT INTO outbox (entity, entity_id, operation, revision, idempotency_key, payload, created_at) VALUES ('widget', 'x', 'create', 1, 'k', '{}', 1)").run()).toThrow(/CHECK/);
    } finally {
      db.close();
    }
  });
});
