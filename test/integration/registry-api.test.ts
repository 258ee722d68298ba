import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { err, type Result } from '../../shared/result';
import { EventBus } from '../../electron/core/event-bus';
import { Vault } from '../../electron/pki/vault';
import { openDatabase, type Db } from '../../electron/registry/database';
import { Registry } from '../../electron/registry/registry';
import { tempDir } from '../helpers/cli';

const MODEL = {
  modelId: 'meter',
  name: { defaultValue: 'Meter' },
  attributes: { ratedPower: { identifier: 'ratedPower', dataType: 'FLOAT', dataDefinition: null } },
  measurepoints: { power: { identifier: 'power', dataType: 'DOUBLE', dataDefinition: null } },
  services: {},
  events: {},
};

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe('Registry (in-process, real SQLite file)', () => {
  let db: Db;
  let vault: Result<Vault>;
  let registry: Registry;
  let now = 1_700_000_000_000;
  const events: string[] = [];

  beforeEach(() => {
    db = value(openDatabase(join(tempDir(), 'commissioner.db'), { create: true }));
    vault = Vault.create(db, { method: 'passphrase', passphrase: 'pass phrase' }, { scrypt: { N: 2 ** 14, r: 8, p: 1 } });
    const bus = new EventBus();
    bus.subscribe((channel) => events.push(channel));
    registry = new Registry({ db, vault: () => vault, clock: () => now++, events: bus, stationId: 'st1' });
  });
  afterEach(() => db.close());

  const outbox = () => db.prepare('SELECT entity, entity_id, operation, revision, depends_on, payload FROM outbox ORDER BY seq').all() as Record<string, string | number>[];

  it('creates products and devices with secrets in the vault and one outbox row per change', () => {
    const { product, productSecret } = value(registry.createProduct({ name: 'Meter', description: '', authScheme: 'device-secret', protocols: ['mqtt'], namingRule: { prefix: 'm-', source: 'serial' }, destination: 'local', thingModel: MODEL }));
    expect(product.productKey).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(productSecret).toBeNull();
    const created = value(registry.createDevice({ productKey: product.productKey, serial: 'SN001' }));
    expect(created.device.deviceKey).toBe('m-SN001');
    expect(created.deviceSecret).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(value(registry.deviceSecret(product.productKey, 'm-SN001'))).toBe(created.deviceSecret);
    expect(JSON.stringify(db.prepare('SELECT * FROM devices').all())).not.toContain(created.deviceSecret!);
    expect(JSON.stringify(outbox())).not.toContain(created.deviceSecret!);
    const rows = outbox();
    expect(rows.map((row) => `${row.entity}:${row.operation}`)).toEqual(['product:create', 'device:create']);
    expect(JSON.parse(rows[1]!.depends_on as string)).toEqual([`product:${product.productKey}`]);
    expect(rows[1]!.revision).toBe(created.device.revision);
    expect(events).toContain('devices.changed');
  });

  it('product-secret products get a productSecret and devices activate with the issued secret', () => {
    const { product, productSecret } = value(registry.createProduct({ name: 'Dyn', description: '', authScheme: 'product-secret', protocols: ['mqtt'], namingRule: { prefix: '', source: 'random' }, destination: 'local' }));
    expect(product.dynamicActivation).toBe(true);
    expect(value(registry.productSecret(product.productKey))).toBe(productSecret);
    const { device, deviceSecret } = value(registry.createDevice({ productKey: product.productKey }));
    expect(device.deviceKey).toMatch(/^[A-Za-z0-9]{10}$/);
    expect(deviceSecret).toBeNull();
    expect(registry.deviceSecret(product.productKey, device.deviceKey)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const active = value(registry.activateDevice(product.productKey, device.deviceKey, 'IssuedSecret00000001'));
    expect(active.state).toBe('active');
    expect(active.revision).toBeGreaterThan(device.revision);
    expect(value(registry.deviceSecret(product.productKey, device.deviceKey))).toBe('IssuedSecret00000001');
  });

  it('resolves bare deviceKeys only when unique', () => {
    const a = value(registry.createProduct({ name: 'A', description: '', authScheme: 'certificate', protocols: ['mqtt'], namingRule: { prefix: '', source: 'random' }, destination: 'local' })).product;
    const b = value(registry.createProduct({ name: 'B', description: '', authScheme: 'certificate', protocols: ['mqtt'], namingRule: { prefix: '', source: 'random' }, destination: 'local' })).product;
    value(registry.createDevice({ productKey: a.productKey, deviceKey: 'dev-1' }));
    expect(value(registry.resolveDevice('dev-1')).productKey).toBe(a.productKey);
    value(registry.createDevice({ productKey: b.productKey, deviceKey: 'dev-1' }));
    expect(registry.resolveDevice('dev-1')).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(value(registry.resolveDevice(`${b.productKey}/dev-1`)).productKey).toBe(b.productKey);
    expect(registry.resolveDevice('nope')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(registry.createDevice({ productKey: a.productKey, deviceKey: 'dev-1' })).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS' } });
    expect(registry.createDevice({ productKey: a.productKey, deviceKey: 'bad key' })).toMatchObject({ ok: false, error: { code: 'INVALID_IDENTIFIER' } });
    expect(registry.createDevice({ productKey: 'missing1' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('validates attributes against the model and leaves the row unchanged on violations', () => {
    const { product } = value(registry.createProduct({ name: 'Meter', description: '', authScheme: 'device-secret', protocols: ['mqtt'], namingRule: { prefix: '', source: 'random' }, destination: 'local', thingModel: MODEL }));
    const { device } = value(registry.createDevice({ productKey: product.productKey, deviceKey: 'm1' }));
    value(registry.updateAttributes(product.productKey, 'm1', { ratedPower: 5.5 }));
    const before = outbox().length;
    const bad = registry.updateAttributes(product.productKey, 'm1', { ratedPower: 'x', nope: 1 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'MODEL_VIOLATION' } });
    expect(!bad.ok && bad.error.message).toContain('$.ratedPower');
    expect(!bad.ok && bad.error.message).toContain('$.nope');
    expect(outbox().length).toBe(before);
    expect(value(registry.getAttributes(product.productKey, 'm1'))).toEqual({ ratedPower: 5.5 });
    value(registry.deleteAttributes(product.productKey, 'm1', ['ratedPower']));
    expect(value(registry.getAttributes(product.productKey, 'm1'))).toEqual({});
    value(registry.updateTags(product.productKey, 'm1', { site: 'north' }));
    expect(registry.updateTags(product.productKey, 'm1', { 'bad key': 'x' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(value(registry.getTags(product.productKey, device.deviceKey, ['site']))).toEqual({ site: 'north' });
  });

  it('keeps gateway topology per §6.4 and writes topology outbox rows', () => {
    const { product } = value(registry.createProduct({ name: 'GW', description: '', authScheme: 'device-secret', protocols: ['mqtt'], namingRule: { prefix: '', source: 'random' }, destination: 'local' }));
    const pk = product.productKey;
    for (const dk of ['gw', 's1', 's2']) value(registry.createDevice({ productKey: pk, deviceKey: dk }));
    value(registry.addSubDevice(pk, 'gw', pk, 's1'));
    expect(registry.subDevices(pk, 'gw').map((d) => d.deviceKey)).toEqual(['s1']);
    expect(registry.gatewayOf(pk, 's1')?.deviceKey).toBe('gw');
    expect(registry.addSubDevice(pk, 's2', pk, 's1')).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(registry.addSubDevice(pk, 's2', pk, 'gw')).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    value(registry.deleteDevice(`${pk}/s1`));
    expect(registry.subDevices(pk, 'gw')).toEqual([]);
    expect(outbox().filter((row) => row.entity === 'topology').map((row) => row.operation)).toEqual(['create', 'delete']);
    expect(registry.deleteProduct(pk)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('refuses secret operations with VAULT_LOCKED and writes nothing', () => {
    const { product } = value(registry.createProduct({ name: 'M', description: '', authScheme: 'device-secret', protocols: ['mqtt'], namingRule: { prefix: '', source: 'random' }, destination: 'local' }));
    vault = err('VAULT_LOCKED');
    expect(registry.createDevice({ productKey: product.productKey })).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
    expect(registry.productSecret(product.productKey)).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
    expect(db.prepare('SELECT count(*) AS n FROM devices').get()).toEqual({ n: 0 });
  });

  it('imports EnOS products with their productKey and secret', () => {
    const product = value(registry.importProduct({ productKey: 'x4jwTsoz', name: 'Pulled', authScheme: 'product-secret', productSecret: 'PsDemoSecret0001', thingModel: MODEL, destination: 'enos' }));
    expect(product).toMatchObject({ origin: 'enos', productKey: 'x4jwTsoz', dynamicActivation: true });
    expect(value(registry.productSecret('x4jwTsoz'))).toBe('PsDemoSecret0001');
    expect(registry.getProduct('x4jwTsoz')?.thingModel?.measurepoints.power?.dataType).toBe('DOUBLE');
    expect(registry.importProduct({ productKey: 'x4jwTsoz', name: 'Pulled', authScheme: 'product-secret', productSecret: 'p', thingModel: { modelId: 'x', measurepoints: { a: { dataType: 'NOPE' } } }, destination: 'enos' })).toMatchObject({
      ok: false,
      error: { code: 'THING_MODEL_INVALID' },
    });
  });
});
