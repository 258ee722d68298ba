import { describe, expect, it } from 'vitest';
import type { Device } from '../../shared/contract/devices';
import type { DeviceIdentity } from '../../shared/contract/ports';
import { ok, type Result } from '../../shared/result';
import { planDevice } from '../../electron/provisioning/plan';
import { importPlan } from '../../electron/provisioning/station';
import { localRegistry, openSyncDb } from '../helpers/sync-db';

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

const identity = (serial: string, mac: string): DeviceIdentity => ({
  driver: 'framed',
  protocolVersion: 1,
  model: 'meter',
  serial,
  mac,
  firmware: '1.0.0',
  capabilities: [],
  protocols: ['mqtt'],
  storageBytes: null,
  state: 'factory',
  maxFrame: null,
});

/** The plan step against a real registry, with an offline pool claim that records its calls. */
function setup() {
  const { db, vault } = openSyncDb();
  const { registry } = localRegistry(db, vault);
  const product = value(registry.createProduct({ name: 'Meter', description: '', authScheme: 'device-secret', protocols: ['mqtt'], namingRule: { prefix: 'm-', source: 'serial' }, destination: 'local' })).product;
  const asked: string[] = [];
  const claimAs = (answer: (serial: string) => Result<Device | null>) => async (who: DeviceIdentity) => {
    asked.push(who.serial);
    return answer(who.serial);
  };
  return { registry, product, asked, claimAs };
}

describe('the plan step with an offline credential pool', () => {
  it('takes the pool device only for an unmatched device, after a plan row and before the naming rule', async () => {
    const { registry, product, asked, claimAs } = setup();
    const pooled = value(registry.createDevice({ productKey: product.productKey, deviceKey: 'pool-1', serial: 'SN-POOL' })).device;
    value(registry.createDevice({ productKey: product.productKey, deviceKey: 'planned-1', serial: 'SN-PLAN' }));
    const claim = claimAs(() => ok(pooled));

    expect(await planDevice(registry, product, identity('SN-PLAN', '02:00:00:00:00:01'), 'naming-rule', null, claim)).toMatchObject({ ok: true, value: { matched: true, device: { deviceKey: 'planned-1' } } });
    expect(asked).toEqual([]);
    expect(await planDevice(registry, product, identity('SN-NEW', '02:00:00:00:00:02'), 'naming-rule', null, claim)).toMatchObject({ ok: true, value: { matched: false, pooled: true, device: { deviceKey: 'pool-1' } } });
    expect(asked).toEqual(['SN-NEW']);
  });

  it('holds an unmatched device when the station holds them, without claiming; online it names the device by the rule', async () => {
    const { registry, product, asked, claimAs } = setup();
    const claim = claimAs(() => ok(null));
    expect(await planDevice(registry, product, identity('SN-HOLD', '02:00:00:00:00:03'), 'hold', null, claim)).toMatchObject({ ok: false, error: { code: 'PROVISION_HELD' } });
    expect(asked).toEqual([]);
    const online = await planDevice(registry, product, identity('SN-ONLINE', '02:00:00:00:00:04'), 'naming-rule', null, claim);
    expect(online).toMatchObject({ ok: true, value: { matched: false, device: { deviceKey: 'm-SN-ONLINE' } } });
    expect(online.ok && online.value.pooled).toBeFalsy();
  });

  it('passes an empty pool on as the failure of the plan, reserving no key', async () => {
    const { registry, product, claimAs } = setup();
    const claim = claimAs(() => ({ ok: false, error: { code: 'SYNC_UNREACHABLE', message: 'EnOS cannot be reached and its credential pool is empty' } }));
    expect(await planDevice(registry, product, identity('SN-EMPTY', '02:00:00:00:00:05'), 'naming-rule', null, claim)).toMatchObject({ ok: false, error: { code: 'SYNC_UNREACHABLE' } });
    expect(registry.getDevice(product.productKey, 'm-SN-EMPTY')).toBeUndefined();
  });
});

describe('the MES plan import', () => {
  it('takes a row whose serial is already planned for the product as present, and plans the same serial for another product', () => {
    const { registry, product } = setup();
    const other = value(registry.createProduct({ name: 'Other', description: '', authScheme: 'device-secret', protocols: ['mqtt'], namingRule: { prefix: 'o-', source: 'serial' }, destination: 'local' })).product;
    const plan = ['deviceKey,name,serial', ',Meter 1,SN-1', ',Meter 2,SN-2'].join('\n');
    expect(value(importPlan(registry, plan, product.productKey))).toEqual({ added: 2, present: 0 });
    expect(value(importPlan(registry, plan, product.productKey))).toEqual({ added: 0, present: 2 });
    expect(value(importPlan(registry, plan, other.productKey))).toEqual({ added: 2, present: 0 });
    expect(registry.devicesWithIdentity('SN-1', '')).toHaveLength(2);
  });
});
