import { describe, expect, it } from 'vitest';
import type { Api } from '../../shared/api';
import type { Device } from '../../shared/contract';
import { err, ok, type Result } from '../../shared/result';
import { createDevicesStore } from '../../renderer/src/stores/devices';

const device = (deviceKey: string, state: Device['state'] = 'planned'): Device => ({
  productKey: 'P1', deviceKey, name: deviceKey, serial: null, mac: null, firmware: null, destination: 'local', credentialSource: 'none', state,
  certFingerprint: null, attributes: {}, tags: {}, desiredConfig: {}, timezone: '+00:00', revision: 1, createdAt: 0, updatedAt: 0,
});

/** An api answering `devices.*` from a sorted in-memory list, in pages, like the registry's keyset cursor. */
function registryApi(all: Device[], overrides: Record<string, (input: never) => Result<unknown>> = {}) {
  const calls: [string, Record<string, unknown>][] = [];
  let changed: (() => void) | undefined;
  const handlers: Record<string, (input: never) => Result<unknown>> = {
    'devices.list': (input: { limit: number; after?: string; query?: string }) => {
      const matching = all.filter((item) => !input.query || item.deviceKey.includes(input.query));
      const start = input.after ? matching.findIndex((item) => item.deviceKey === input.after) + 1 : 0;
      const items = matching.slice(start, start + input.limit);
      return ok({ items, next: start + input.limit < matching.length ? items.at(-1)!.deviceKey : null });
    },
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
  it('loads page by page until the cursor runs out, and not twice at once', async () => {
    const { api, calls } = registryApi(many);
    const store = createDevicesStore(api);
    await store.getState().reload();
    expect(store.getState().rows).toHaveLength(1000);
    const [first, second] = [store.getState().loadMore(), store.getState().loadMore()];
    await Promise.all([first, second]);
    expect(store.getState().rows).toHaveLength(2000);
    await store.getState().loadMore();
    await store.getState().loadMore();
    expect(store.getState()).toMatchObject({ next: null, loading: false });
    expect(store.getState().rows.at(-1)!.deviceKey).toBe('d02499');
    expect(calls.filter(([channel]) => channel === 'devices.list')).toHaveLength(3);
  });

  it('a new filter starts over, and an answer to an older filter is dropped', async () => {
    const { api } = registryApi(many);
    const store = createDevicesStore(api);
    const old = store.getState().setFilter({ sort: 'deviceKey', order: 'asc' });
    const fresh = store.getState().setFilter({ sort: 'deviceKey', order: 'asc', query: 'd0001' });
    await Promise.all([old, fresh]);
    expect(store.getState().rows.map((row) => row.deviceKey)).toEqual(Array.from({ length: 10 }, (_, i) => `d0001${i}`));
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
    expect(store.getState().rows[3]!.state).toBe('disabled');
    emitChanged();
    expect(store.getState().stale).toBe(true);
    await store.getState().reload();
    expect(store.getState().stale).toBe(false);
    stop();
  });
});
