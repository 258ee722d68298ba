import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../../shared/result';
import { EventBus } from '../../electron/core/event-bus';
import { RegistryDirectory } from '../../electron/hub/registry-directory';
import { Vault } from '../../electron/pki/vault';
import { openDatabase, type Db } from '../../electron/registry/database';
import { Registry } from '../../electron/registry/registry';
import { tempDir } from '../helpers/cli';
import { fillDisk } from '../helpers/disk';
import { quietLogger } from '../helpers/sim';

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe('the hub\'s writes to the registry: firmware reports (ota.device.inform, §6.3), first logins, activation, a full disk', () => {
  let db: Db;
  let registry: Registry;
  let directory: RegistryDirectory;
  const changes: string[] = [];

  beforeEach(() => {
    db = value(openDatabase(join(tempDir(), 'commissioner.db'), { create: true }));
    const vault = Vault.create(db, { method: 'passphrase', passphrase: 'pass phrase' }, { scrypt: { N: 2 ** 14, r: 8, p: 1 } });
    const events = new EventBus();
    events.subscribe((channel) => channel === 'devices.changed' && changes.push(channel));
    registry = new Registry({ db, vault: () => vault, clock: () => 1_700_000_000_000, events, stationId: 'st1' });
    directory = new RegistryDirectory(registry, events, () => vault, quietLogger());
  });
  afterEach(() => db.close());

  const outboxUpdates = () => (db.prepare("SELECT count(*) AS n FROM outbox WHERE entity = 'device' AND operation = 'update'").get() as { n: number }).n;

  it('a login reporting the firmware the registry holds writes nothing; a new version is written once', () => {
    const { product } = value(registry.createProduct({ name: 'Meter', description: '', authScheme: 'device-secret', protocols: ['mqtt'], namingRule: { prefix: 'm-', source: 'serial' }, destination: 'local' }));
    const device = value(registry.createDevice({ productKey: product.productKey, serial: 'SN001', firmware: '1.4.2' })).device;
    changes.length = 0;
    directory.reportFirmware(device, '1.4.2');
    expect(outboxUpdates()).toBe(0);
    expect(changes).toEqual([]);
    directory.reportFirmware(device, '1.5.0');
    directory.reportFirmware(device, '1.5.0');
    expect(registry.getDevice(device.productKey, device.deviceKey)?.firmware).toBe('1.5.0');
    expect(outboxUpdates()).toBe(1);
    expect(changes).toEqual(['devices.changed']);
  });

  it('on a full disk: activation and tag writes fail with STORAGE_FULL, first logins wait, and nothing throws', () => {
    const { product } = value(registry.createProduct({ name: 'Meter', description: '', authScheme: 'device-secret', protocols: ['mqtt'], namingRule: { prefix: 'm-', source: 'serial' }, destination: 'local' }));
    const dynamic = value(registry.createProduct({ name: 'Dyn', description: '', authScheme: 'product-secret', protocols: ['mqtt'], namingRule: { prefix: 'd-', source: 'serial' }, destination: 'local' })).product;
    const device = value(registry.createDevice({ productKey: product.productKey, serial: 'SN001' })).device;
    const unactivated = value(registry.createDevice({ productKey: dynamic.productKey, serial: 'SN002' })).device;
    const disk = fillDisk(db, 'devices', 'UPDATE');
    expect(directory.activate(unactivated)).toMatchObject({ ok: false, error: { code: 'STORAGE_FULL' } });
    expect(directory.updateTags(device, { floor: '3' })).toMatchObject({ ok: false, error: { code: 'STORAGE_FULL' } });
    directory.reportFirmware(device, '2.0.0');
    directory.markActive(device);
    expect(() => directory.flush()).not.toThrow();
    expect(registry.getDevice(device.productKey, device.deviceKey)).toMatchObject({ state: 'planned', firmware: null });
    expect(registry.deviceSecret(unactivated.productKey, unactivated.deviceKey).ok).toBe(false);
    disk.free();
    directory.flush();
    expect(registry.getDevice(device.productKey, device.deviceKey)?.state).toBe('active');
  });
});
