import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../electron/bridge/dispatcher';
import { EventBus } from '../../electron/core/event-bus';
import { createLogger } from '../../electron/core/logger';
import type { ServiceContext } from '../../electron/core/module';
import { Vault } from '../../electron/pki/vault';
import { openDatabase } from '../../electron/registry/database';
import { createRegistryModule } from '../../electron/registry/module';
import { tempDir } from '../helpers/cli';

/** The registry's contract handlers behind the real dispatcher (input and output checked by the schemas). */
describe('registry contract: products, devices, model, assets', () => {
  const dir = tempDir();
  const opened = openDatabase(join(dir, 'commissioner.db'), { create: true });
  if (!opened.ok) throw new Error(opened.error.message);
  const db = opened.value;
  const vault = Vault.create(db, { method: 'passphrase', passphrase: 'contract' }, { scrypt: { N: 2 ** 14, r: 8, p: 1 } });
  const logger = createLogger({ level: 'fatal', ringSize: 10, clock: () => 1 });
  const events = new EventBus();
  const seen: { channel: string; payload: unknown }[] = [];
  events.subscribe((channel, payload) => seen.push({ channel, payload }));
  const context = { config: { dataDir: dir, host: 'cli', logLevel: 'fatal' }, logger, db, events, clock: () => 1_700_000_000_000, stationId: 'st', vault: () => vault } as ServiceContext;
  const module = createRegistryModule(context);
  const dispatcher = createDispatcher(module.handlers, logger);
  const call = (channel: string, input: unknown) => dispatcher.dispatch(channel, input, { transport: 'in-process' });
  afterAll(() => db.close());

  it('refuses malformed input at the contract with INVALID_INPUT', async () => {
    expect(await call('products.create', { name: 'X', authScheme: 'password' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await call('products.create', { name: 'X', authScheme: 'device-secret', extra: 1 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await call('devices.list', { limit: 5000 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await call('devices.create', { productKey: 'p', timezone: 'not a zone!' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await call('assets.moveNode', { nodeId: 'x' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('creates, lists, validates and places through the contract, emitting change events', async () => {
    const model = JSON.parse(readFileSync(resolve(__dirname, '../../resources/models/smart-meter.json'), 'utf8'));
    const created = await call('products.create', { name: 'Meter', authScheme: 'certificate', thingModel: model, namingRule: { prefix: 'sm-', source: 'mac' } });
    expect(created).toMatchObject({ ok: true, value: { product: { authScheme: 'certificate', dynamicActivation: false }, productSecret: null } });
    const productKey = (created as { value: { product: { productKey: string } } }).value.product.productKey;
    const device = await call('devices.create', { productKey, mac: '02:00:00:aa:bb:cc' });
    expect(device).toMatchObject({ ok: true, value: { device: { deviceKey: 'sm-020000AABBCC' }, deviceSecret: expect.stringMatching(/^[A-Za-z0-9]{20}$/) } });
    expect(await call('devices.list', { productKey })).toMatchObject({ ok: true, value: { items: [{ deviceKey: 'sm-020000AABBCC' }], next: null } });
    expect(await call('model.validate', { productKey, kind: 'measurepoints', payload: { measurepoints: { phaseVoltage: { a: 230, b: 231 } } } })).toEqual({
      ok: true,
      value: { valid: false, violations: [{ path: '$.measurepoints.phaseVoltage.c', message: 'the required member "c" is missing' }] },
    });
    expect(await call('model.validate', { productKey, kind: 'event', payload: {} })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const tree = (await call('assets.createTree', { name: 'Grid' })) as { ok: true; value: { id: string } };
    const node = (await call('assets.addNode', { tree: 'Grid', name: 'Feeder 1' })) as { ok: true; value: { id: string } };
    expect(await call('assets.place', { device: 'sm-020000AABBCC', nodeId: node.value.id })).toMatchObject({ ok: true, value: { treeId: tree.value.id } });
    expect(await call('assets.path', { tree: 'Grid', nodeId: node.value.id })).toMatchObject({ ok: true, value: { path: ['Feeder 1'] } });
    expect(seen.map((event) => event.channel)).toEqual(['products.changed', 'devices.changed', 'assets.changed', 'assets.changed', 'assets.changed']);
    const treeFile = (await call('assets.export', { tree: 'Grid' })) as { ok: true; value: { nodes: unknown[]; placements: unknown[] } };
    expect(treeFile.value).toMatchObject({ name: 'Grid', nodes: [{ name: 'Feeder 1', parentId: null }], placements: [{ productKey, deviceKey: 'sm-020000AABBCC' }] });
    const copy = await call('assets.import', { tree: treeFile.value, name: 'Grid copy' });
    expect(copy).toMatchObject({ ok: true, value: { name: 'Grid copy' } });
    const copied = (await call('assets.show', { tree: 'Grid copy' })) as { ok: true; value: { text: string; nodes: { id: string }[] } };
    expect(copied.value.text).toBe(['Grid copy', `  Feeder 1  (${copied.value.nodes[0]!.id})`, `    • ${productKey}/sm-020000AABBCC`].join('\n'));
    const outboxBefore = db.prepare('SELECT count(*) FROM outbox').pluck().get();
    const broken = { name: 'Broken', nodes: [{ id: 'a', parentId: null, name: 'A' }, { id: 'b', parentId: 'a', name: 'B' }, { id: 'c', parentId: 'a', name: 'B' }], placements: [] };
    expect(await call('assets.import', { tree: broken })).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS' } });
    expect(await call('assets.show', { tree: 'Broken' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(db.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(outboxBefore);
    const orphan = { name: 'Orphan', nodes: [{ id: 'a', parentId: 'ghost', name: 'A' }], placements: [] };
    expect(await call('assets.import', { tree: orphan })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const exported = (await call('products.exportModel', { productKey })) as { ok: true; value: Record<string, unknown> };
    expect(await call('model.check', { model: exported.value })).toEqual({ ok: true, value: { valid: true, violations: [] } });
  });

  it('counts a filter and serves the window at an offset (the virtualized table, issue 11); a cursor and an offset together are refused', async () => {
    const product = (await call('products.create', { name: 'Window', authScheme: 'device-secret' })) as { ok: true; value: { product: { productKey: string } } };
    const productKey = product.value.product.productKey;
    for (let index = 0; index < 25; index += 1) await call('devices.create', { productKey, deviceKey: `w${String(index).padStart(2, '0')}`, serial: index % 5 === 0 ? `FIVE-${index}` : `SN-${index}` });
    expect(await call('devices.count', { productKey })).toEqual({ ok: true, value: { total: 25 } });
    expect(await call('devices.count', { productKey, query: 'FIVE' })).toEqual({ ok: true, value: { total: 5 } });
    expect(await call('devices.count', { productKey, state: 'active' })).toEqual({ ok: true, value: { total: 0 } });
    const window = (await call('devices.list', { productKey, offset: 20, limit: 3 })) as { ok: true; value: { items: { deviceKey: string }[]; next: string } };
    expect(window.value.items.map((item) => item.deviceKey)).toEqual(['w20', 'w21', 'w22']);
    // The window's cursor continues after it.
    const after = (await call('devices.list', { productKey, after: window.value.next, limit: 5 })) as { ok: true; value: { items: { deviceKey: string }[]; next: string | null } };
    expect(after.value).toMatchObject({ items: [{ deviceKey: 'w23' }, { deviceKey: 'w24' }], next: null });
    const descending = (await call('devices.list', { productKey, offset: 1, limit: 2, order: 'desc' })) as { ok: true; value: { items: { deviceKey: string }[] } };
    expect(descending.value.items.map((item) => item.deviceKey)).toEqual(['w23', 'w22']);
    expect(await call('devices.list', { productKey, offset: 100 })).toMatchObject({ ok: true, value: { items: [], next: null } });
    expect(await call('devices.list', { productKey, offset: 1, after: window.value.next })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await call('devices.list', { productKey, offset: -1 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await call('devices.count', { productKey, sort: 'name' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
