import { describe, expect, it } from 'vitest';
import type { Api } from '../../shared/api';
import type { HubMessage, HubSession, HubStats, SyncStatus } from '../../shared/contract';
import { appendMessages, filterMessages, messageDelta, sessionsByListener, sortedCounts } from '../../renderer/src/hub/hub-data';
import { createHubStore } from '../../renderer/src/stores/hub';
import { mergeStatus } from '../../renderer/src/stores/sync';

const message = (deviceKey: string, n: number): HubMessage => ({ receivedAt: n, productKey: 'P1', deviceKey, kind: 'measurepoints', time: n, values: { temp: n } });
const counters = (messagesIn: number, messagesOut: number) => ({ messagesIn, messagesOut, bytesIn: 0, bytesOut: 0, connects: 0, errors: {}, refusals: {} });
const stats = (time: number, messagesIn: number, messagesOut: number): HubStats => ({ time, online: 1, totals: counters(messagesIn, messagesOut), products: {}, devices: [], guardBlocked: [] });
const session = (clientId: string, listener: HubSession['listener']): HubSession => ({
  productKey: 'P1', deviceKey: clientId, clientId, listener, address: null, secureMode: 2, tls: null, connectedAt: 0, lastSeen: 0, via: null, subDevices: [],
});

function eventApi() {
  const listeners = new Map<string, (payload: unknown) => void>();
  const api = { call: async () => ({ ok: true, value: null }), on: (channel: string, listener: (payload: unknown) => void) => (listeners.set(channel, listener), () => listeners.delete(channel)) } as unknown as Api;
  return { api, push: (channel: string, payload: unknown) => listeners.get(channel)!(payload) };
}

describe('hub view data', () => {
  it('keeps a bounded window of messages and filters by device, kind or name', () => {
    const buffer = appendMessages([message('a', 1), message('b', 2)], [message('c', 3), message('a', 4)], 3);
    expect(buffer.map((item) => item.receivedAt)).toEqual([2, 3, 4]);
    expect(filterMessages(buffer, ' P1/A ').map((item) => item.receivedAt)).toEqual([4]);
    expect(filterMessages(buffer, 'measure')).toHaveLength(3);
    expect(filterMessages(buffer, '')).toBe(buffer);
  });

  it('turns cumulative counters into per-interval counts, never negative after a hub restart', () => {
    expect(messageDelta(null, stats(1000, 50, 5))).toEqual([0, 0]);
    expect(messageDelta(stats(1000, 50, 5), stats(2000, 80, 6))).toEqual([30, 1]);
    expect(messageDelta(stats(2000, 80, 6), stats(3000, 3, 0))).toEqual([0, 0]);
  });

  it('counts sessions per listener and sorts counts largest first', () => {
    expect(sessionsByListener([session('a', 'mqtt'), session('b', 'mqtts'), session('c', 'mqtt')])).toEqual({ mqtt: 2, mqtts: 1 });
    expect(sortedCounts({ 'bad-sign': 2, 'unknown-device': 5, disabled: 2 })).toEqual([['unknown-device', 5], ['bad-sign', 2], ['disabled', 2]]);
  });
});

describe('hub store', () => {
  it('follows sessions, statistics and message batches; pausing counts instead of showing', () => {
    const { api, push } = eventApi();
    const store = createHubStore(api);
    const stop = store.getState().follow();
    push('hub.session', { online: true, session: session('a', 'mqtt') });
    push('hub.session', { online: true, session: session('b', 'wss') });
    push('hub.session', { online: false, session: session('a', 'mqtt'), reason: 'disconnected' });
    expect(store.getState().online.map((item) => item.clientId)).toEqual(['b']);

    push('hub.stats', stats(10_000, 100, 10));
    push('hub.stats', stats(11_000, 160, 12));
    expect(store.getState().rates.values).toEqual([[0, 60], [0, 2]]);

    push('hub.messages', { messages: [message('a', 1)], dropped: 4 });
    store.getState().setPaused(true);
    push('hub.messages', { messages: [message('a', 2), message('a', 3)], dropped: 1 });
    expect(store.getState().messages).toHaveLength(1);
    expect(store.getState().dropped).toBe(4 + 3);
    store.getState().setPaused(false);
    push('hub.messages', { messages: [message('a', 4)], dropped: 0 });
    expect(store.getState().messages.map((item) => item.receivedAt)).toEqual([1, 4]);
    stop();
  });
});

describe('sync status', () => {
  const status = (target: string, pending: number): SyncStatus => ({ target, kind: 'hub', pending, sent: 0, skipped: 0, failed: 0, conflicts: 0, cursor: 0, etaSeconds: 0, pausedUntil: null, lastError: null });
  it('a pushed status replaces its target and keeps the others', () => {
    expect(mergeStatus([status('a', 5), status('b', 1)], status('a', 2))).toEqual([status('a', 2), status('b', 1)]);
    expect(mergeStatus([status('a', 5)], status('c', 9))).toEqual([status('a', 5), status('c', 9)]);
  });
});
