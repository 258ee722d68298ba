import { describe, expect, it } from 'vitest';
import { deviceSyncStates } from '../../electron/sync/device-state';
import { SyncStore } from '../../electron/sync/store';
import { enqueue, openSyncDb } from '../helpers/sync-db';

const clock = () => 1_700_000_000_000;

/** A real database with two targets; the device's rows are enqueued as the registry writes them. */
function setup() {
  const { db } = openSyncDb();
  const store = new SyncStore(db, clock);
  store.addTarget({ name: 'enos', kind: 'enos', config: {}, rate: 10, burst: 10 });
  store.addTarget({ name: 'central', kind: 'hub', config: {}, rate: 10, burst: 10 });
  return { db, store, states: () => deviceSyncStates(db, store.targets(), { productKey: 'P1', deviceKey: 'd1' }) };
}

describe('a device’s sync state per target', () => {
  it('is none for a device without outbox rows', () => {
    const { states } = setup();
    expect(states().map((item) => [item.target, item.state, item.seq])).toEqual([
      ['central', 'none', null],
      ['enos', 'none', null],
    ]);
  });

  it('follows the latest row of the device: pending, then the delivery’s state, its error and the cloud id', () => {
    const { db, store, states } = setup();
    enqueue(db, { entity: 'device', entityId: 'P1/d1' });
    enqueue(db, { entity: 'device', entityId: 'P1/d2' });
    const latest = enqueue(db, { entity: 'device', entityId: 'P1/d1', operation: 'update' });
    expect(states().map((item) => [item.target, item.state, item.seq])).toEqual([
      ['central', 'pending', latest],
      ['enos', 'pending', latest],
    ]);
    store.finish('enos', latest, 'failed', { failure: { code: 'SYNC_REJECTED', message: 'EnOS refused the device', retryable: false }, mappings: [{ entity: 'device', localId: 'P1/d1', cloudId: 'asset-1' }] });
    store.setCursor('central', latest);
    const [central, enos] = states();
    expect(central).toMatchObject({ state: 'done', attempts: 0, error: null, cloudId: null });
    expect(enos).toMatchObject({ state: 'failed', attempts: 1, error: { code: 'SYNC_REJECTED', message: 'EnOS refused the device' }, cloudId: 'asset-1', updatedAt: clock() });
  });

  it('is empty without targets', () => {
    const { db } = openSyncDb();
    expect(deviceSyncStates(db, [], { productKey: 'P1', deviceKey: 'd1' })).toEqual([]);
  });
});
