import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../electron/bridge/dispatcher';
import { EventBus } from '../../electron/core/event-bus';
import { createLogger } from '../../electron/core/logger';
import { registerIpc, type IpcEventLike } from '../../electron/main/ipc';
import { IPC } from '../../shared/contract/ipc';
import { ok } from '../../shared/result';

const UI = 'file:///app/out/renderer/index.html';

function fakeIpcMain() {
  const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>();
  const listeners = new Map<string, (event: IpcEventLike, ...args: unknown[]) => void>();
  return {
    handlers,
    listeners,
    handle: (channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown) => void handlers.set(channel, listener),
    on: (channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void) => void listeners.set(channel, listener),
  };
}

function setup() {
  const ipcMain = fakeIpcMain();
  const events = new EventBus();
  const sent: unknown[] = [];
  const dispatcher = createDispatcher({ 'logs.recent': () => ok([]) }, createLogger({ level: 'fatal', ringSize: 1 }));
  registerIpc({
    ipcMain,
    dispatcher,
    events,
    isTrustedFrame: (url) => url === UI,
    target: () => ({ id: 1, isDestroyed: () => false, send: (_channel: string, payload: unknown) => sent.push(payload) }),
  });
  const from = (url: string | null): IpcEventLike => ({ senderFrame: url === null ? null : { url }, sender: { id: 1 } });
  return { ipcMain, events, sent, from, call: (event: IpcEventLike, frame: unknown) => ipcMain.handlers.get(IPC.call)!(event, frame) };
}

describe('IPC registrar', () => {
  it('dispatches calls from the UI frame', async () => {
    const { call, from } = setup();
    expect(await call(from(UI), { channel: 'logs.recent', input: {} })).toEqual({ ok: true, value: [] });
  });

  it('refuses foreign frames, unknown channels and malformed calls', async () => {
    const { call, from } = setup();
    expect(await call(from('https://evil.example/'), { channel: 'logs.recent', input: {} })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(await call(from(null), { channel: 'logs.recent', input: {} })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(await call(from(UI), { channel: 'shell.exec', input: {} })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(await call(from(UI), 'logs.recent')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await call(from(UI), { channel: 'logs.recent', input: { limit: 'x' } })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('pushes only subscribed events, and only after a trusted subscribe', () => {
    const { ipcMain, events, sent, from } = setup();
    const line = { seq: 1, time: 1, level: 'info' as const, subsystem: 's', msg: 'm' };
    events.emit('logs.line', line);
    ipcMain.listeners.get(IPC.subscribe)!(from('https://evil.example/'), 'logs.line');
    events.emit('logs.line', line);
    expect(sent).toEqual([]);
    ipcMain.listeners.get(IPC.subscribe)!(from(UI), 'logs.line');
    events.emit('logs.line', line);
    expect(sent).toEqual([{ channel: 'logs.line', payload: line }]);
    ipcMain.listeners.get(IPC.unsubscribe)!(from(UI), 'logs.line');
    events.emit('logs.line', line);
    expect(sent).toHaveLength(1);
  });
});
