import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceListQuery } from '../../shared/contract/devices';
import type { Result } from '../../shared/result';
import { EventBus } from '../../electron/core/event-bus';
import { Vault } from '../../electron/pki/vault';
import { openDatabase, type Db } from '../../electron/registry/database';
import { Registry } from '../../electron/registry/registry';
import { tempDir } from '../helpers/cli';

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe('device list sorted by name (in-process, real SQLite file)', () => {
  let db: Db;
  let registry: Registry;

  beforeEach(() => {
    db = value(openDatabase(join(tempDir(), 'commissioner.db'), { create: true }));
    const vault = Vault.create(db, { method: 'passphrase', passphrase: 'pass phrase' }, { scrypt: { N: 2 ** 14, r: 8, p: 1 } });
    registry = new Registry({ db, vault: () => vault, clock: () => 1_700_000_000_000, events: new EventBus(), stationId: 'st1' });
  });
  afterEach(() => db.close());

  /** Every page of the query, `limit` at a time, following the cursors. */
  const allPages = (query: Partial<DeviceListQuery>) => {
    const names: string[] = [];
    let after: string | undefined;
    do {
      const page = value(registry.listDevices({ sort: 'name', order: 'asc', limit: 2, ...query, after }));
      names.push(...page.items.map((device) => device.name));
      after = page.next ?? undefined;
    } while (after);
    return names;
  };

  it('sorts names case-insensitively in both directions and pages through ties without losing or repeating a device', () => {
    const productKey = value(registry.createProduct({ name: 'Meter', description: '', authScheme: 'product-secret', protocols: ['mqtt'], namingRule: { prefix: '', source: 'random' }, destination: 'local' })).product.productKey;
    const names = ['beta', 'Alpha', 'alpha', 'Charlie', 'ALPHA', 'Bravo', 'delta'];
    names.forEach((name, index) => value(registry.createDevice({ productKey, deviceKey: `d${index}`, name })));
    // Equal names apart from case keep their creation (id) order.
    const ascending = ['Alpha', 'alpha', 'ALPHA', 'beta', 'Bravo', 'Charlie', 'delta'];
    expect(allPages({})).toEqual(ascending);
    expect(allPages({ order: 'desc' })).toEqual([...ascending].reverse());
    expect(allPages({ productKey })).toEqual(ascending);
    expect(allPages({ productKey, order: 'desc', limit: 3 })).toEqual([...ascending].reverse());
  });
});
