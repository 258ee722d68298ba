import { describe, expect, it } from 'vitest';
import { createDispatcher, type Handlers } from '../../electron/bridge/dispatcher';
import { createLogger } from '../../electron/core/logger';
import { ok } from '../../shared/result';

const logger = createLogger({ level: 'fatal', ringSize: 10 });
const info = { appVersion: '1', versions: { node: '20', electron: null, chrome: null, sqlite: '3' }, host: 'cli' as const, dataDir: '/d', stationId: 's', startedAt: 1 };

function dispatcherWith(handlers: Partial<Handlers>) {
  return createDispatcher(handlers, logger);
}

describe('dispatcher', () => {
  it('runs a handler with validated, defaulted input', async () => {
    let seen: unknown;
    const dispatcher = dispatcherWith({ 'logs.recent': (input) => ((seen = input), ok([])) });
    expect(await dispatcher.dispatch('logs.recent', {}, { transport: 'in-process' })).toEqual({ ok: true, value: [] });
    expect(seen).toEqual({ limit: 500 });
  });

  it('refuses an unknown channel', async () => {
    const result = await dispatcherWith({}).dispatch('device.selfDestruct', {}, { transport: 'websocket' });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
  });

  it('refuses malformed input and names the field', async () => {
    const dispatcher = dispatcherWith({ 'logs.recent': () => ok([]) });
    const result = await dispatcher.dispatch('logs.recent', { limit: 'all' }, { transport: 'ipc' });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(!result.ok && result.error.message).toContain('limit');
    const extra = await dispatcher.dispatch('logs.recent', { limit: 5, sql: 'drop table' }, { transport: 'ipc' });
    expect(extra).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('turns a throwing handler into INTERNAL and an off-contract answer into INVALID_OUTPUT', async () => {
    const dispatcher = dispatcherWith({
      'app.info': () => {
        throw new Error('boom');
      },
      'logs.recent': () => ok([{ nonsense: true }] as never),
    });
    expect(await dispatcher.dispatch('app.info', {}, { transport: 'ipc' })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(await dispatcher.dispatch('logs.recent', {}, { transport: 'ipc' })).toMatchObject({ ok: false, error: { code: 'INVALID_OUTPUT' } });
  });

  it('drains calls in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const dispatcher = dispatcherWith({ 'app.info': async () => (await gate, ok(info)) });
    const call = dispatcher.dispatch('app.info', {}, { transport: 'in-process' });
    let drained = false;
    const drain = dispatcher.drain().then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    release();
    await drain;
    expect((await call).ok).toBe(true);
  });
});
