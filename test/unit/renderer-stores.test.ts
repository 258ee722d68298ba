import { describe, expect, it, vi } from 'vitest';
import type { Api } from '../../shared/api';
import type { LogLine } from '../../shared/contract';
import type { ConnectionState } from '../../shared/contract/reconnecting-transport';
import { err, ok } from '../../shared/result';
import { addSecond, emptyRates, toAligned } from '../../renderer/src/charts/rates';
import { navTarget, routeFromHash } from '../../renderer/src/app/routes';
import { createConnectionStore } from '../../renderer/src/stores/connection';
import { createDashboardStore } from '../../renderer/src/stores/dashboard';
import { appendLine, createLogsStore } from '../../renderer/src/stores/logs';
import { createPreferencesStore, LOCALE_KEY, THEME_KEY } from '../../renderer/src/stores/preferences';
import { resolveTheme, toggledTheme } from '../../renderer/src/theme/theme';

/** An api whose events the test pushes and whose calls answer from a table. */
function fakeApi(answers: Record<string, unknown> = {}) {
  const listeners = new Map<string, (payload: unknown) => void>();
  const calls: [string, unknown][] = [];
  const api = {
    async call(channel: string, input: unknown) {
      calls.push([channel, input]);
      return ok(answers[channel]);
    },
    on(channel: string, listener: (payload: unknown) => void) {
      listeners.set(channel, listener);
      return () => listeners.delete(channel);
    },
  } as unknown as Api;
  return { api, calls, push: (channel: string, payload: unknown) => listeners.get(channel)?.(payload), listeners };
}

const line = (seq: number, level: LogLine['level'] = 'info'): LogLine => ({ seq, time: seq, level, subsystem: 't', msg: `m${seq}` });

describe('preferences store', () => {
  it('starts from storage, falls back for unknown values, and persists changes', () => {
    const storage = new Map<string, string>([[LOCALE_KEY, 'klingon']]);
    const kv = { getItem: (key: string) => storage.get(key) ?? null, setItem: (key: string, value: string) => void storage.set(key, value) };
    const store = createPreferencesStore(kv, { locale: 'zh-CN' });
    expect(store.getState()).toMatchObject({ locale: 'zh-CN', theme: 'system' });
    store.getState().setLocale('en');
    store.getState().setTheme('dark');
    expect([storage.get(LOCALE_KEY), storage.get(THEME_KEY)]).toEqual(['en', 'dark']);
    expect(createPreferencesStore(kv, { locale: 'zh-CN' }).getState()).toMatchObject({ locale: 'en', theme: 'dark' });
  });
});

describe('theme', () => {
  it('follows the system until chosen; the toggle flips what is shown', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(toggledTheme('system', true)).toBe('light');
    expect(toggledTheme('light', true)).toBe('dark');
  });
});

describe('connection store', () => {
  it('mirrors the transport and counts recoveries', () => {
    let emit!: (state: ConnectionState) => void;
    const store = createConnectionStore({ state: () => 'connecting', onState: (listener) => ((emit = listener), () => undefined) });
    expect(store.getState()).toEqual({ state: 'connecting', reconnects: 0 });
    emit('open');
    expect(store.getState()).toEqual({ state: 'open', reconnects: 0 });
    emit('reconnecting');
    emit('open');
    expect(store.getState()).toEqual({ state: 'open', reconnects: 1 });
    emit('unauthorized');
    expect(store.getState().state).toBe('unauthorized');
  });
});

describe('logs store', () => {
  it('loads with the query, follows pushed lines, skips a line already shown', async () => {
    const { api, calls, push } = fakeApi({ 'logs.recent': [line(1)] });
    const store = createLogsStore(api);
    await store.getState().load({ limit: 3, minLevel: 'warn' });
    expect(calls).toEqual([['logs.recent', { limit: 3, minLevel: 'warn' }]]);
    const stop = store.getState().follow();
    push('logs.line', line(1));
    push('logs.line', line(2));
    expect(store.getState().lines.map((item) => item.seq)).toEqual([1, 2]);
    stop();
    push('logs.line', line(3));
    expect(store.getState().lines).toHaveLength(2);
  });

  it('keeps the newest 2000 lines', () => {
    let lines = [line(0)];
    for (let seq = 1; seq < 2100; seq += 1) lines = appendLine(lines, line(seq))!;
    expect(lines).toHaveLength(2000);
    expect(lines[0]!.seq).toBe(100);
    expect(appendLine(lines, line(2099))).toBeNull();
  });
});

describe('live rates', () => {
  it('slides a window of per-second counts, filling quiet seconds with zeros', () => {
    let rates = emptyRates(2);
    rates = addSecond(rates, 100, [3, 1], 4);
    rates = addSecond(rates, 100, [1, 0], 4);
    rates = addSecond(rates, 102, [5, 0], 4);
    expect(toAligned(rates)).toEqual([
      [100, 101, 102],
      [4, 0, 5],
      [1, 0, 0],
    ]);
    rates = addSecond(rates, 110, [2, 2], 4);
    expect(toAligned(rates)).toEqual([
      [107, 108, 109, 110],
      [0, 0, 0, 2],
      [0, 0, 0, 2],
    ]);
    expect(addSecond(rates, 50, [9, 9], 4)).toBe(rates);
  });

  it('the dashboard counts pushed log lines and draws them once per tick', () => {
    const { api, push } = fakeApi();
    const store = createDashboardStore(api);
    store.getState().follow();
    push('logs.line', line(1));
    push('logs.line', line(2, 'error'));
    push('logs.line', line(3, 'warn'));
    expect(store.getState().logRates.seconds).toEqual([]);
    store.getState().tick(5_500);
    expect(toAligned(store.getState().logRates)).toEqual([[5], [3], [2]]);
    store.getState().tick(6_100);
    expect(toAligned(store.getState().logRates)).toEqual([[5, 6], [3, 0], [2, 0]]);
  });
});

describe('dashboard counts', () => {
  const STATS = { total: 3, byState: { planned: 2, provisioned: 0, active: 1, disabled: 0, decommissioned: 0 }, byProduct: { pk1: 3 } };
  const TODAY = { since: 0, started: 4, provisioned: 3, failed: 1, skipped: 0, held: 0, running: 0, successRate: 0.75 };

  it('asks for the runs since the viewer\'s local midnight and keeps both answers', async () => {
    const { api, calls } = fakeApi({ 'devices.stats': STATS, 'provisioning.today': TODAY });
    const store = createDashboardStore(api);
    const afternoon = new Date(2026, 10, 25, 15, 30).getTime();
    await store.getState().loadCounts(afternoon);
    expect(calls).toEqual([
      ['devices.stats', {}],
      ['provisioning.today', { since: new Date(2026, 10, 25).getTime() }],
    ]);
    expect(store.getState()).toMatchObject({ devices: STATS, provisioning: TODAY, countsError: null });
  });

  it('reloads on devices.changed and provisioning.finished, coalescing a burst, and stops when unsubscribed', async () => {
    const { api, calls, push, listeners } = fakeApi({ 'devices.stats': STATS, 'provisioning.today': TODAY });
    const store = createDashboardStore(api);
    const stop = store.getState().followCounts();
    push('devices.changed', { operation: 'import', productKey: 'pk1', count: 3 });
    push('devices.changed', { operation: 'create', productKey: 'pk1', deviceKey: 'd' });
    push('provisioning.finished', {});
    await vi.waitFor(() => expect(store.getState().devices).toEqual(STATS));
    await new Promise((resolve) => setTimeout(resolve, 0));
    // One load for the first event, one more for the two that arrived while it ran.
    expect(calls.filter(([channel]) => channel === 'devices.stats')).toHaveLength(2);
    stop();
    expect(listeners.has('devices.changed')).toBe(false);
    expect(listeners.has('provisioning.finished')).toBe(false);
  });

  it('shows the error of a failed call', async () => {
    const failing = { call: async (channel: string) => (channel === 'provisioning.today' ? err('INVALID_INPUT', 'bad since') : ok(STATS)), on: () => () => undefined } as unknown as Api;
    const store = createDashboardStore(failing);
    await store.getState().loadCounts();
    expect(store.getState().countsError).toMatchObject({ code: 'INVALID_INPUT' });
    expect(store.getState().provisioning).toBeNull();
  });
});

describe('routes', () => {
  it('maps hashes to screens and walks the navigation with arrow keys', () => {
    expect(routeFromHash('#/devices')).toBe('devices');
    expect(routeFromHash('#/nowhere')).toBe('dashboard');
    expect(navTarget(0, 'ArrowUp', 12)).toBe(11);
    expect(navTarget(11, 'ArrowDown', 12)).toBe(0);
    expect(navTarget(-1, 'ArrowDown', 12)).toBe(0);
    expect(navTarget(5, 'End', 12)).toBe(11);
    expect(navTarget(5, 'Tab', 12)).toBeNull();
  });
});
