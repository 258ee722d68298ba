import { err, type Result } from '../result';
import type { Transport } from './client';
import { ServerFrameSchema, type ClientFrame } from './wire';

/** The part of a WebSocket that both the browser's and the `ws` package's sockets offer. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: (event: unknown) => void): void;
}

const OPEN = 1;

export interface WebSocketTransport extends Transport {
  /** Resolves when the socket opens; rejects if it closes first. */
  ready: Promise<void>;
  close(): void;
}

/** The bridge protocol (wire.ts) over one socket: numbered calls, one result each, pushed events. */
export function createWebSocketTransport(socket: SocketLike, options: { timeoutMs?: number } = {}): WebSocketTransport {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const pending = new Map<number, { resolve: (result: Result<unknown>) => void; timer: ReturnType<typeof setTimeout> }>();
  const eventListeners: ((channel: string, payload: unknown) => void)[] = [];
  const subscriptions = new Set<string>();
  let nextId = 1;
  let closedWith: Result<unknown> | undefined;

  const send = (frame: ClientFrame) => {
    if (socket.readyState === OPEN) socket.send(JSON.stringify(frame));
  };
  const settleAll = (result: Result<unknown>) => {
    closedWith = result;
    for (const [id, entry] of pending) {
      clearTimeout(entry.timer);
      entry.resolve(result);
      pending.delete(id);
    }
  };

  const ready = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => {
      for (const channel of subscriptions) send({ type: 'subscribe', channel });
      resolve();
    });
    socket.addEventListener('close', () => reject(new Error('closed before open')));
  });
  ready.catch(() => undefined);

  socket.addEventListener('message', (event) => {
    let frame;
    try {
      frame = ServerFrameSchema.parse(JSON.parse(String(event.data)));
    } catch {
      return;
    }
    if (frame.type === 'event') {
      for (const listener of eventListeners) listener(frame.channel, frame.payload);
    } else if (frame.id === null) {
      if (!frame.result.ok) settleAll(frame.result);
    } else {
      const entry = pending.get(frame.id);
      if (!entry) return;
      pending.delete(frame.id);
      clearTimeout(entry.timer);
      entry.resolve(frame.result);
    }
  });
  socket.addEventListener('close', () => {
    if (!closedWith || closedWith.ok) settleAll(err('DISCONNECTED'));
    else settleAll(closedWith);
  });

  return {
    ready,
    request(channel, input) {
      if (closedWith) return Promise.resolve(closedWith);
      return new Promise((resolve) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve(err('TIMEOUT', `No answer to ${channel} within ${Math.round(timeoutMs / 1000)} s.`));
        }, timeoutMs);
        pending.set(id, { resolve, timer });
        void ready.then(() => send({ type: 'call', id, channel, input }), () => undefined);
      });
    },
    subscribe(channel) {
      subscriptions.add(channel);
      send({ type: 'subscribe', channel });
    },
    unsubscribe(channel) {
      subscriptions.delete(channel);
      send({ type: 'unsubscribe', channel });
    },
    onEvent(listener) {
      eventListeners.push(listener);
    },
    close() {
      socket.close();
    },
  };
}
