import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../../shared/result';
import { EventBus } from '../../electron/core/event-bus';
import { Vault } from '../../electron/pki/vault';
import { openDatabase, type Db } from '../../electron/registry/database';
import { deviceSecretId, Registry } from '../../electron/registry/registry';
import { tempDir } from '../helpers/cli';

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

interface OutboxRow {
  seq: number;
  entity: string;
  entity_id: string;
  operation: string;
  revision: number;
  idempotency_key: string;
  depends_on: string;
  payload: string;
}

/** The CSV import writes set-based (electron/registry/device-import.ts); what it writes must equal the one-by-one path. */
describe('device CSV import (in-process, real SQLite file)', () => {
  let db: Db;
  let vault: Vault;
  let registry: Registry;
  const now = 1_700_000_000_000;

  beforeEach(() => {
    db = value(openDatabase(join(tempDir(), 'commissioner.db'), { create: true }));
    vault = value(Vault.create(db, { method: 'passphrase', passphrase: 'pass phrase' }, { scrypt: { N: 2 ** 14, r: 8, p: 1 } }));
    registry = new Registry({ db, vault: () => ({ ok: true, value: vault }), clock: () => now, events: new EventBus(), stationId: 'st1' });
  });
  afterEach(() => db.close());

  const product = (destination: string) =>
    value(registry.createProduct({ name: 'Meter', description: '', authScheme: 'device-secret', protocols: ['mqtt'], namingRule: { prefix: 'm-', source: 'serial' }, destination })).product.productKey;
  const outboxOf = (productKey: string, deviceKey: string) => db.prepare('SELECT * FROM outbox WHERE entity_id = ?').get(`${productKey}/${deviceKey}`) as OutboxRow;
  const counts = () => db.prepare("SELECT (SELECT count(*) FROM devices) || '/' || (SELECT count(*) FROM outbox) || '/' || (SELECT count(*) FROM vault_bundle_members)").pluck().get();

  it('writes each device and its outbox row exactly as creating it one by one would', () => {
    const pk = product('local');
    const other = product('enos-prod');
    value(registry.createDevice({ productKey: pk, deviceKey: 'made-1', name: 'Made', serial: 'S1', deviceSecret: 'MadeSecret0000000001' }));
    value(registry.createDevice({ productKey: pk, deviceKey: 'made-2' }));
    // The highest row id is free again: the import's rows start below where the one before ended.
    value(registry.deleteDevice(`${pk}/made-2`));
    const before = registry.outbox.nextRevision();
    const csv = [
      'productKey,deviceKey,name,serial,mac,firmware,timezone,deviceSecret',
      `${pk},imp-1,"Pump, ""north""",S2,aa:bb:cc:dd:ee:01,1.2.3,+08:00,ImpSecret00000000001`,
      `${pk},,Derived,S3,,,,`,
      `${other},imp-3,Über,,,,,ImpSecret00000000003`,
    ].join('\n');
    expect(value(registry.importDevices(csv, { dryRun: false }))).toEqual({ dryRun: false, rows: 3, imported: 3, issues: [] });

    const made = outboxOf(pk, 'made-1');
    const keys = [
      [pk, 'imp-1'],
      [pk, 'm-S3'],
      [other, 'imp-3'],
    ] as const;
    keys.forEach(([productKey, deviceKey], index) => {
      const device = registry.getDevice(productKey, deviceKey)!;
      const row = outboxOf(productKey, deviceKey);
      expect(device.revision).toBe(before + index);
      expect(row).toMatchObject({ seq: device.revision, entity: 'device', operation: 'create', revision: device.revision, idempotency_key: `st1:device:${productKey}/${deviceKey}:${device.revision}` });
      expect(JSON.parse(row.depends_on)).toEqual([`product:${productKey}`]);
      expect(JSON.parse(row.payload)).toEqual(device);
      expect(Object.keys(JSON.parse(row.payload))).toEqual(Object.keys(JSON.parse(made.payload)));
    });
    expect(registry.getDevice(pk, 'imp-1')).toMatchObject({ name: 'Pump, "north"', mac: 'aa:bb:cc:dd:ee:01', firmware: '1.2.3', timezone: '+08:00', destination: 'local', credentialSource: 'imported', state: 'planned', createdAt: now });
    expect(registry.getDevice(pk, 'm-S3')).toMatchObject({ name: 'Derived', serial: 'S3', mac: null, timezone: '+00:00', credentialSource: 'none' });
    expect(registry.getDevice(other, 'imp-3')).toMatchObject({ name: 'Über', destination: 'enos-prod', credentialSource: 'imported' });
    // The next change continues the counter after the import.
    expect(value(registry.createDevice({ productKey: pk, deviceKey: 'after' })).device.revision).toBe(before + 3);

    expect(value(registry.deviceSecret(pk, 'imp-1'))).toBe('ImpSecret00000000001');
    expect(value(registry.deviceSecret(other, 'imp-3'))).toBe('ImpSecret00000000003');
    expect(registry.deviceSecret(pk, 'm-S3')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(JSON.stringify(db.prepare('SELECT * FROM outbox').all())).not.toContain('ImpSecret');
    expect(JSON.stringify(db.prepare('SELECT * FROM devices').all())).not.toContain('ImpSecret');

    // Deleting an imported device takes its secret out of the vault; its bundle neighbour keeps its own.
    value(registry.deleteDevice(`${pk}/imp-1`));
    expect(vault.has(deviceSecretId(pk, 'imp-1'))).toBe(false);
    expect(value(registry.deviceSecret(other, 'imp-3'))).toBe('ImpSecret00000000003');
  });

  it('writes nothing when a row is bad, and nothing for an empty file', () => {
    const pk = product('local');
    const before = counts();
    expect(registry.importDevices(`deviceKey,deviceSecret\nok-1,Secret0000000000001\nbad key,Secret0000000000002\n`, { productKey: pk, dryRun: false })).toMatchObject({
      ok: false,
      error: { code: 'CSV_INVALID', message: expect.stringContaining('line 3 (deviceKey)') },
    });
    expect(value(registry.importDevices('deviceKey\n', { productKey: pk, dryRun: false }))).toMatchObject({ imported: 0 });
    expect(counts()).toBe(before);
  });

  it('rolls the whole import back when the vault write fails part-way', () => {
    const pk = product('local');
    const before = counts();
    db.exec("CREATE TRIGGER refuse_bundle BEFORE INSERT ON vault_bundle_members WHEN NEW.id LIKE '%/d70:%' BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    const csv = ['deviceKey,deviceSecret', ...Array.from({ length: 100 }, (_, index) => `d${index},Secret${String(index).padStart(14, '0')}`)].join('\n');
    expect(() => registry.importDevices(csv, { productKey: pk, dryRun: false })).toThrow('disk full');
    expect(counts()).toBe(before);
    expect(db.prepare('SELECT count(*) FROM vault_bundles').pluck().get()).toBe(0);
  });
});
