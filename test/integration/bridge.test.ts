import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDispatcher } from '../../electron/bridge/dispatcher';
import { connectBridge } from '../../electron/bridge/remote-api';
import { startBridgeServer, type BridgeServer } from '../../electron/bridge/server';
import { EventBus } from '../../electron/core/event-bus';
import { createLogger } from '../../electron/core/logger';
import { CLOSE_UNAUTHORIZED } from '../../shared/contract/wire';
import { ok } from '../../shared/result';

const logger = createLogger({ level: 'fatal', ringSize: 10 });
const events = new EventBus();
const token = 'test-token-0123456789';
let server: BridgeServer;

beforeAll(async () => {
  const dispatcher = createDispatcher({ 'logs.recent': (input) => ok([{ seq: 1, time: 1, level: 'info', subsystem: 't', msg: `limit ${input.limit}` }]) }, logger);
  server = await startBridgeServer({ host: '127.0.0.1', port: 0, token, dispatcher, events, logger });
  console.log(`bridge bound 127.0.0.1:${server.port}`);
});
afterAll(() => server.close());

function rawSocket(query: string): Promise<{ frames: unknown[]; closeCode: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/bridge${query}`);
    const frames: unknown[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(data.toString())));
    socket.on('close', (code) => resolve({ frames, closeCode: code }));
  });
}

describe('WebSocket bridge', () => {
  it('answers calls and pushes subscribed events', async () => {
    const remote = await connectBridge({ host: '127.0.0.1', bridge: server.port, token });
    expect(remote.ok).toBe(true);
    if (!remote.ok) return;
    const { api } = remote.value;
    expect(await api.call('logs.recent', { limit: 7 })).toMatchObject({ ok: true, value: [{ msg: 'limit 7' }] });
    const received = new Promise((resolve) => api.on('logs.line', resolve));
    await new Promise((r) => setTimeout(r, 50)); // the subscribe frame travels before the event
    events.emit('logs.line', { seq: 2, time: 2, level: 'warn', subsystem: 'x', msg: 'pushed' });
    expect(await received).toMatchObject({ msg: 'pushed' });
    remote.value.close();
  });

  it('refuses an unknown channel and malformed arguments with their codes', async () => {
    const remote = await connectBridge({ host: '127.0.0.1', bridge: server.port, token });
    if (!remote.ok) throw new Error('no bridge');
    const api = remote.value.api as unknown as { call(channel: string, input: unknown): Promise<unknown> };
    expect(await api.call('hub.formatDisk', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(await api.call('logs.recent', { limit: -3 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    remote.value.close();
  });

  it('refuses a wrong or missing token with UNAUTHORIZED and closes', async () => {
    for (const query of ['?token=wrong', '']) {
      const { frames, closeCode } = await rawSocket(query);
      expect(frames).toEqual([{ type: 'result', id: null, result: { ok: false, error: expect.objectContaining({ code: 'UNAUTHORIZED' }) } }]);
      expect(closeCode).toBe(CLOSE_UNAUTHORIZED);
    }
    const viaClient = await connectBridge({ host: '127.0.0.1', bridge: server.port, token: 'nope' });
    if (viaClient.ok) {
      expect(await viaClient.value.api.call('app.info', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
      viaClient.value.close();
    }
  });

  it('answers a foreign frame with INVALID_INPUT and keeps serving', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/bridge?token=${token}`);
    await new Promise((resolve) => socket.once('open', resolve));
    const replies: unknown[] = [];
    socket.on('message', (data) => replies.push(JSON.parse(data.toString())));
    socket.send('not json at all');
    socket.send(JSON.stringify({ type: 'call', id: 'x', channel: 'app.info' }));
    socket.send(JSON.stringify({ type: 'subscribe', channel: 'nope.event' }));
    socket.send(JSON.stringify({ type: 'call', id: 9, channel: 'logs.recent', input: {} }));
    await new Promise((r) => setTimeout(r, 200));
    expect(replies).toEqual([
      expect.objectContaining({ id: null, result: expect.objectContaining({ error: expect.objectContaining({ code: 'INVALID_INPUT' }) }) }),
      expect.objectContaining({ id: null, result: expect.objectContaining({ error: expect.objectContaining({ code: 'INVALID_INPUT' }) }) }),
      expect.objectContaining({ id: null, result: expect.objectContaining({ error: expect.objectContaining({ code: 'UNKNOWN_CHANNEL' }) }) }),
      expect.objectContaining({ id: 9, result: expect.objectContaining({ ok: true }) }),
    ]);
    socket.close();
  });

  it('serves no HTTP without the token and no UI when it has none', async () => {
    expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${server.port}/?token=${token}`)).status).toBe(404);
  });
});
