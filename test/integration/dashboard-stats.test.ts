import { describe, expect, it } from 'vitest';
import { ok, type Result } from '../../shared/result';
import { createDispatcher } from '../../electron/bridge/dispatcher';
import { EventBus } from '../../electron/core/event-bus';
import { createLogger } from '../../electron/core/logger';
import type { ServiceContext } from '../../electron/core/module';
import { createRegistryModule } from '../../electron/registry/module';
import { localMidnight } from '../../shared/model/local-day';
import { Journal } from '../../electron/provisioning/journal';
import { localRegistry, openSyncDb } from '../helpers/sync-db';

const LOGGER = createLogger({ level: 'fatal', ringSize: 10, clock: () => 1 });

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

const product = (registry: ReturnType<typeof localRegistry>['registry'], name: string) =>
  value(registry.createProduct({ name, description: '', authScheme: 'device-secret', protocols: ['mqtt'], namingRule: { prefix: '', source: 'random' }, destination: 'local' })).product.productKey;

const plan = (sql: string, db: ReturnType<typeof openSyncDb>['db'], ...params: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail).join('; ');

describe('devices.stats (registry, real SQLite file)', () => {
  it('counts every state (zero included) and every product that has devices', () => {
    const { db, vault } = openSyncDb();
    const { registry } = localRegistry(db, vault);
    expect(registry.devices.stats()).toEqual({ total: 0, byState: { planned: 0, provisioned: 0, active: 0, disabled: 0, decommissioned: 0 }, byProduct: {} });

    const meter = product(registry, 'Meter');
    const gateway = product(registry, 'Gateway');
    product(registry, 'Unused');
    value(registry.importDevices('deviceKey,name\nm1,M1\nm2,M2\nm3,M3\n', { productKey: meter, dryRun: false }));
    value(registry.createDevice({ productKey: gateway, deviceKey: 'g1' }));
    value(registry.updateDevice({ ref: `${meter}/m1`, state: 'active' }));
    value(registry.updateDevice({ ref: `${gateway}/g1`, state: 'disabled' }));

    expect(registry.devices.stats()).toEqual({
      total: 4,
      byState: { planned: 2, provisioned: 0, active: 1, disabled: 1, decommissioned: 0 },
      byProduct: { [meter]: 3, [gateway]: 1 },
    });
    value(registry.deleteDevice(`${meter}/m2`));
    expect(registry.devices.stats()).toMatchObject({ total: 3, byState: { planned: 1 }, byProduct: { [meter]: 2 } });
  });

  it('reads only the (state, product_key) index, never the table', () => {
    const { db } = openSyncDb();
    expect(plan('SELECT state, product_key AS productKey, count(*) AS count FROM devices GROUP BY state, product_key', db)).toMatch(/USING COVERING INDEX devices_by_state_product/);
  });

  it('takes no input: anything else is INVALID_INPUT at the contract', async () => {
    const { db, vault } = openSyncDb();
    const module = createRegistryModule({ db, vault: () => ok(vault), clock: Date.now, events: new EventBus(), stationId: 'st', logger: LOGGER } as unknown as ServiceContext);
    const dispatcher = createDispatcher({ 'devices.stats': module.handlers['devices.stats'] }, LOGGER);
    expect(await dispatcher.dispatch('devices.stats', { productKey: 'x' }, { transport: 'in-process' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await dispatcher.dispatch('devices.stats', {}, { transport: 'in-process' })).toMatchObject({ ok: true, value: { total: 0 } });
  });
});

describe('provisioning.today (journal, real SQLite file)', () => {
  const midnight = localMidnight(Date.UTC(2026, 10, 25, 12));
  const HOUR = 3_600_000;

  it('counts the runs started since midnight by outcome, with the success rate over succeeded and failed', () => {
    const { db } = openSyncDb();
    let now = midnight - HOUR;
    const journal = new Journal(db, () => now);
    const run = (status: 'provisioned' | 'failed' | 'skipped' | 'held' | null) => {
      const row = journal.begin('/dev/pts/9', 'pk', 'device-secret');
      if (status) journal.finish(row.id, status, status === 'failed' ? { code: 'VERIFY_FAILED', message: 'no login' } : null);
    };
    run('provisioned'); // yesterday: not counted
    expect(journal.startedSince(midnight)).toEqual({ since: midnight, started: 0, provisioned: 0, failed: 0, skipped: 0, held: 0, running: 0, successRate: null });

    now = midnight + HOUR;
    for (const status of ['provisioned', 'provisioned', 'provisioned', 'failed', 'skipped', 'held', null] as const) run(status);
    expect(journal.startedSince(midnight)).toEqual({ since: midnight, started: 7, provisioned: 3, failed: 1, skipped: 1, held: 1, running: 1, successRate: 0.75 });
    expect(journal.startedSince(midnight - 2 * HOUR)).toMatchObject({ started: 8, provisioned: 4, successRate: 0.8 });
  });

  it('uses the (started_at, status) index', () => {
    const { db } = openSyncDb();
    expect(plan('SELECT status, count(*) AS count FROM provisioning_runs WHERE started_at >= ? GROUP BY status', db, 0)).toMatch(/COVERING INDEX provisioning_runs_started/);
  });

  it("local midnight is the start of the process's local day", () => {
    const noon = new Date(2026, 10, 25, 12, 34, 56).getTime();
    expect(localMidnight(noon)).toBe(new Date(2026, 10, 25).getTime());
    expect(localMidnight(localMidnight(noon))).toBe(localMidnight(noon));
  });

  it("counts from the station's local midnight when no since is given", () => {
    const { db } = openSyncDb();
    let now = midnight - HOUR;
    const journal = new Journal(db, () => now);
    journal.begin('/dev/pts/9', 'pk', 'device-secret');
    now = midnight + 2 * HOUR;
    journal.begin('/dev/pts/9', 'pk', 'device-secret');
    expect(journal.startedSince()).toMatchObject({ since: midnight, started: 1, running: 1 });
  });

  it('refuses a negative or fractional since with INVALID_INPUT', async () => {
    const { db } = openSyncDb();
    const journal = new Journal(db, Date.now);
    const dispatcher = createDispatcher({ 'provisioning.today': (input) => ok(journal.startedSince(input.since)) }, LOGGER);
    const today = (input: unknown) => dispatcher.dispatch('provisioning.today', input, { transport: 'in-process' });
    expect(await today({ since: -1 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await today({ since: 1.5 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await today({ since: 0, extra: true })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await today({ since: 0 })).toMatchObject({ ok: true, value: { since: 0, started: 0, successRate: null } });
  });
});
