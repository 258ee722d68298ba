import { describe, expect, it } from 'vitest';
import type { Api } from '../../shared/api';
import type { Device } from '../../shared/contract';
import { err, ok, type Result } from '../../shared/result';
import { createDevicesStore, deviceAt, keptWindows, windowRuns } from '../../renderer/src/stores/devices';

const device = (deviceKey: string, state: Device['state'] = 'planned'): Device => ({
  productKey: 'P1', deviceKey, name: deviceKey, serial: null, mac: null, firmware: null, destination: 'local', credentialSource: 'none', state,
  certFingerprint: null, attributes: {}, tags: {}, desiredConfig: {}, timezone: '+00:00', revision: 1, createdAt: 0, updatedAt: 0,
});

/** An api answering `devices.*` from a sorted in-memory list, in pages, like the registry's keyset cursor. */
function registryApi(all: Device[], overrides: Record<string, (input: never) => Result<unknown>> = {}) {
  const calls: [string, Record<string, unknown>][] = [];
  let changed: (() => void) | undefined;
  const handlers: Record<string, (input: never) => Result<unknown>> = {
    'devices.list': (input: { limit: number; offset?: number; query?: string }) => {
      const matching = all.filter((item) => !input.query || item.deviceKey.includes(input.query));
      const start = input.offset ?? 0;
      const items = matching.slice(start, start + input.limit);
      return ok({ items, next: start + input.limit < matching.length ? items.at(-1)!.deviceKey : null });
    },
    'devices.count': (input: { query?: string }) => ok({ total: all.filter((item) => !input.query || item.deviceKey.includes(input.query)).length }),
    'devices.get': (input: { ref: string }) => ok(all.find((item) => `${item.productKey}/${item.deviceKey}` === input.ref)),
    'devices.update': (input: { ref: string; state: Device['state'] }) => ok({ ...all.find((item) => `P1/${item.deviceKey}` === input.ref)!, state: input.state }),
    ...overrides,
  };
  const api = {
    async call(channel: string, input: Record<string, unknown>) {
      calls.push([channel, input]);
      return handlers[channel]!(input as never);
    },
    on(_channel: string, listener: () => void) {
      changed = listener;
      return () => (changed = undefined);
    },
  } as unknown as Api;
  return { api, calls, emitChanged: () => changed?.() };
}

const many = Array.from({ length: 2500 }, (_, index) => device(`d${String(index).padStart(5, '0')}`));

describe('devices store', () => {
  it('counts the matches and loads only the windows around the rows in view, each once', async () => {
    const { api, calls } = registryApi(many);
    const store = createDevicesStore(api);
    await store.getState().reload();
    expect(store.getState().total).toBe(2500);
    const lists = () => calls.filter(([channel]) => channel === 'devices.list').map(([, input]) => [input.offset, input.limit]);
    expect(lists()).toEqual([[0, 200]]);
    // A jump to the end fetches the windows there, not the 2,000 rows before them.
    await Promise.all([store.getState().ensure(2480, 2499), store.getState().ensure(2480, 2499)]);
    expect(lists()).toEqual([[0, 200], [2200, 300]]);
    expect(deviceAt(store.getState().windows, 2499)!.deviceKey).toBe('d02499');
    expect(deviceAt(store.getState().windows, 1000)).toBeUndefined();
    // Back in the middle: the windows around rows 1000–1020, one request.
    const before = store.getState().windows;
    await store.getState().ensure(1000, 1020);
    expect(lists().at(-1)).toEqual([800, 500]);
    expect(deviceAt(store.getState().windows, 1010)!.deviceKey).toBe('d01010');
    // A loaded window keeps its identity when others arrive: its rows are not rebuilt.
    expect(store.getState().windows[24]).toBe(before[24]);
    expect(store.getState().loading).toBe(false);
  });

  it('asks for at most the contract’s page limit per request, and keeps a bounded number of windows', async () => {
    const { api, calls } = registryApi(Array.from({ length: 30_000 }, (_, index) => device(`e${String(index).padStart(5, '0')}`)));
    const store = createDevicesStore(api);
    await store.getState().reload();
    await store.getState().ensure(0, 2999);
    expect(calls.filter(([channel]) => channel === 'devices.list').every(([, input]) => (input.limit as number) <= 1000)).toBe(true);
    for (let first = 0; first < 30_000; first += 1000) await store.getState().ensure(first, first + 40);
    expect(Object.keys(store.getState().windows).length).toBeLessThanOrEqual(100);
    expect(deviceAt(store.getState().windows, 29_020)!.deviceKey).toBe('e29020');
  });

  it('groups missing windows into runs no longer than a request may be, and keeps the windows nearest the view', () => {
    expect(windowRuns([5, 1, 2, 3, 9, 10], 2)).toEqual([{ start: 1, length: 2 }, { start: 3, length: 1 }, { start: 5, length: 1 }, { start: 9, length: 2 }]);
    expect(Object.keys(keptWindows({ 0: 'a', 5: 'b', 9: 'c', 10: 'd' }, 9, 2)).map(Number).sort((a, b) => a - b)).toEqual([9, 10]);
  });

  it('a new filter starts over, and an answer to an older filter is dropped', async () => {
    const { api } = registryApi(many);
    const store = createDevicesStore(api);
    const old = store.getState().setFilter({ sort: 'deviceKey', order: 'asc' });
    const fresh = store.getState().setFilter({ sort: 'deviceKey', order: 'asc', query: 'd0001' });
    await Promise.all([old, fresh]);
    expect(store.getState().total).toBe(10);
    expect(store.getState().windows[0]!.map((row) => row.deviceKey)).toEqual(Array.from({ length: 10 }, (_, i) => `d0001${i}`));
    expect(store.getState().windows[1]).toEqual([]);
  });

  it('keeps a refused count with its code', async () => {
    const { api } = registryApi(many, { 'devices.count': () => err('INVALID_INPUT', 'query too long') });
    const store = createDevicesStore(api);
    await store.getState().reload();
    expect(store.getState()).toMatchObject({ total: 0, error: { code: 'INVALID_INPUT' } });
  });

  it('reveals a secret only on request, forgets it with the selection, and keeps refusals with their code', async () => {
    const { api } = registryApi(many, { 'devices.secret': () => err('VAULT_LOCKED') });
    const store = createDevicesStore(api);
    await store.getState().reload();
    await store.getState().select('P1/d00001');
    expect(store.getState().revealedSecret).toBeNull();
    await store.getState().revealSecret();
    expect(store.getState().error?.code).toBe('VAULT_LOCKED');

    const { api: open } = registryApi(many, { 'devices.secret': () => ok({ productKey: 'P1', deviceKey: 'd00001', deviceSecret: 's3cret' }) });
    const other = createDevicesStore(open);
    await other.getState().select('P1/d00001');
    await other.getState().revealSecret();
    expect(other.getState().revealedSecret).toBe('s3cret');
    await other.getState().select('P1/d00002');
    expect(other.getState().revealedSecret).toBeNull();
  });

  it('updates the state in the detail and in the loaded row; a pushed change marks the list stale', async () => {
    const { api, emitChanged } = registryApi(many);
    const store = createDevicesStore(api);
    await store.getState().reload();
    const stop = store.getState().follow();
    await store.getState().select('P1/d00003');
    await store.getState().setState('disabled');
    expect(store.getState().selected?.state).toBe('disabled');
    expect(deviceAt(store.getState().windows, 3)!.state).toBe('disabled');
    emitChanged();
    expect(store.getState().stale).toBe(true);
    await store.getState().reload();
    expect(store.getState().stale).toBe(false);
    stop();
  });
});
