import { describe, expect, it } from 'vitest';
import { createApi } from '../../shared/contract/client';
import { createReconnectingTransport, defaultBackoffMs, type ConnectionState } from '../../shared/contract/reconnecting-transport';
import { CLOSE_UNAUTHORIZED } from '../../shared/contract/wire';
import type { SocketLike } from '../../shared/contract/ws-transport';

/** An in-memory socket: the test plays the station's side of the bridge protocol. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  private listeners = new Map<string, ((event: never) => void)[]>();
  addEventListener(type: string, listener: (event: never) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  private fire(type: string, event: unknown) {
    for (const listener of this.listeners.get(type) ?? []) listener(event as never);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000) {
    this.drop(code);
  }
  open() {
    this.readyState = 1;
    this.fire('open', {});
  }
  push(frame: unknown) {
    this.fire('message', { data: JSON.stringify(frame) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.fire('close', { code });
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: { run: () => void; ms: number }[] = [];
  const states: ConnectionState[] = [];
  const transport = createReconnectingTransport({
    connect: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    schedule: (run, ms) => {
      const timer = { run, ms };
      timers.push(timer);
      return () => timers.splice(timers.indexOf(timer), 1);
    },
  });
  transport.onState((state) => states.push(state));
  const fireTimer = () => timers.shift()!.run();
  return { transport, sockets, timers, states, fireTimer, api: createApi(transport) };
}

describe('reconnecting transport', () => {
  it('reconnects with growing delays after a drop and subscribes the new socket again', async () => {
    const { sockets, timers, states, fireTimer, api, transport } = harness();
    const received: unknown[] = [];
    api.on('logs.line', (line) => received.push(line));
    sockets[0]!.open();
    expect(transport.state()).toBe('open');
    expect(sockets[0]!.sent).toEqual([{ type: 'subscribe', channel: 'logs.line' }]);

    sockets[0]!.drop();
    expect(transport.state()).toBe('reconnecting');
    expect(timers.map((timer) => timer.ms)).toEqual([defaultBackoffMs(1)]);
    fireTimer();
    sockets[1]!.drop(); // station still down
    expect(timers.map((timer) => timer.ms)).toEqual([defaultBackoffMs(2)]);
    expect(defaultBackoffMs(2)).toBeGreaterThan(defaultBackoffMs(1));
    fireTimer();
    sockets[2]!.open();
    expect(states).toEqual(['open', 'reconnecting', 'open']);
    expect(sockets[2]!.sent).toEqual([{ type: 'subscribe', channel: 'logs.line' }]);

    sockets[2]!.push({ type: 'event', channel: 'logs.line', payload: { seq: 9 } });
    expect(received).toEqual([{ seq: 9 }]);
    // After recovery the backoff starts small again.
    sockets[2]!.drop();
    expect(timers.map((timer) => timer.ms)).toEqual([defaultBackoffMs(1)]);
  });

  it('answers DISCONNECTED at once while no socket is up, and calls work again after reconnecting', async () => {
    const { sockets, fireTimer, api } = harness();
    sockets[0]!.open();
    const pending = api.call('app.info', {});
    sockets[0]!.drop();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
    expect(await api.call('app.info', {})).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });

    fireTimer();
    sockets[1]!.open();
    const call = api.call('app.info', {});
    await Promise.resolve();
    const frame = sockets[1]!.sent.at(-1) as { id: number; channel: string };
    expect(frame).toMatchObject({ type: 'call', channel: 'app.info' });
    sockets[1]!.push({ type: 'result', id: frame.id, result: { ok: true, value: { host: 'station' } } });
    expect(await call).toEqual({ ok: true, value: { host: 'station' } });
  });

  it('stops at UNAUTHORIZED (a restarted station has a new token) and does not retry', async () => {
    const { sockets, timers, fireTimer, api, transport } = harness();
    sockets[0]!.open();
    sockets[0]!.drop();
    fireTimer();
    sockets[1]!.push({ type: 'result', id: null, result: { ok: false, error: { code: 'UNAUTHORIZED', message: 'no' } } });
    sockets[1]!.drop(CLOSE_UNAUTHORIZED);
    expect(transport.state()).toBe('unauthorized');
    expect(timers).toEqual([]);
    expect(await api.call('app.info', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('stops reconnecting when closed', () => {
    const { sockets, timers, transport } = harness();
    sockets[0]!.open();
    transport.close();
    expect(timers).toEqual([]);
    expect(sockets).toHaveLength(1);
  });

  it('caps the backoff', () => {
    expect(defaultBackoffMs(1)).toBe(250);
    expect(defaultBackoffMs(50)).toBe(5000);
  });
});

describe('api subscriptions', () => {
  const channel = 'provisioning.finished';
  const framesOf = (socket: FakeSocket) => socket.sent.filter((frame) => (frame as { channel?: string }).channel === channel);
  const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

  it('a channel followed again in the same turn (an effect run again) keeps its subscription: no pushed event is lost', async () => {
    const { sockets, api } = harness();
    sockets[0]!.open();
    const received: unknown[] = [];
    const stop = api.on(channel, (payload) => received.push(payload));
    stop();
    const stopAgain = api.on(channel, (payload) => received.push(payload));
    await nextTurn();
    expect(framesOf(sockets[0]!)).toEqual([{ type: 'subscribe', channel }]);
    sockets[0]!.push({ type: 'event', channel, payload: { runId: 6 } });
    expect(received).toEqual([{ runId: 6 }]);

    // Left alone, the channel is unsubscribed a turn later; a second call of an old stop changes nothing.
    stopAgain();
    stop();
    expect(framesOf(sockets[0]!)).toHaveLength(1);
    await nextTurn();
    expect(framesOf(sockets[0]!)).toEqual([
      { type: 'subscribe', channel },
      { type: 'unsubscribe', channel },
    ]);
    api.on(channel, () => undefined);
    expect(framesOf(sockets[0]!)).toHaveLength(3);
  });
});
