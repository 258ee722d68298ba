import { describe, expect, it } from 'vitest';
import type { Result } from '../../shared/result';
import { WITH_IDENTITY } from '../../electron/registry/device-repository';
import { localRegistry, openSyncDb } from '../helpers/sync-db';

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** The provisioning plan step's lookup (architecture §6 step 2): by index, whatever the size of the registry. */
describe('devices by serial or MAC (registry, real SQLite file)', () => {
  it('finds the exact serial and the MAC in any usual spelling, nothing else', () => {
    const { db, vault } = openSyncDb();
    const { registry } = localRegistry(db, vault);
    const productKey = value(registry.createProduct({ name: 'Meter', description: '', authScheme: 'device-secret', protocols: ['mqtt'], namingRule: { prefix: '', source: 'random' }, destination: 'local' })).product.productKey;
    value(registry.importDevices('deviceKey,name,serial,mac\nd1,D1,SN1,AA-BB-CC-DD-EE-01\nd10,D10,SN10,AABBCCDDEE10\nd2,D2,SN2,\n', { productKey, dryRun: false }));
    const keys = (serial: string, mac: string) => registry.devicesWithIdentity(serial, mac).map((device) => device.deviceKey).sort();

    expect(keys('SN1', '')).toEqual(['d1']);
    expect(keys('', 'aa:bb:cc:dd:ee:01')).toEqual(['d1']);
    expect(keys('', 'aa-bb-cc-dd-ee-10')).toEqual(['d10']);
    expect(keys('SN2', 'aa:bb:cc:dd:ee:10')).toEqual(['d10', 'd2']);
    expect(keys('SN', 'aa:bb')).toEqual([]);
    expect(keys('', '')).toEqual([]);
  });

  it('reads the serial index and the MAC-digits index, never the table', () => {
    const { db } = openSyncDb();
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${WITH_IDENTITY}`).all({ serial: 'SN1', mac: 'aabbccddee01' }) as { detail: string }[]).map((row) => row.detail).join('; ');
    expect(plan).toMatch(/USING INDEX devices_by_serial/);
    expect(plan).toMatch(/USING INDEX devices_by_mac_digits/);
    expect(plan).not.toMatch(/SCAN devices/);
  });
});
