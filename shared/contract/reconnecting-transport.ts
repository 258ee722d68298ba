import { err, type Result } from '../result';
import type { Transport } from './client';
import { CLOSE_UNAUTHORIZED } from './wire';
import { createWebSocketTransport, type SocketLike, type WebSocketTransport } from './ws-transport';

/**
 * Where the link to the owner stands. `unauthorized` is final: the owner refused the token, which
 * after a restart means it issued a new one, so only opening its new URL helps.
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized';

export interface ConnectionSource {
  state(): ConnectionState;
  /** Calls `listener` on every change; returns the unsubscribe function. */
  onState(listener: (state: ConnectionState) => void): () => void;
}

export interface ReconnectingTransport extends Transport, ConnectionSource {
  close(): void;
}

export interface ReconnectOptions {
  /** Opens a new socket to the same address with the same token. */
  connect: () => SocketLike;
  /** Delay before reconnect attempt `attempt` (1, 2, …); exponential with a cap by default. */
  backoffMs?: (attempt: number) => number;
  timeoutMs?: number;
  schedule?: (run: () => void, ms: number) => () => void;
}

/** 250 ms doubling to at most 5 s: quick after a blip, gentle while the owner is down. */
export function defaultBackoffMs(attempt: number): number {
  return Math.min(5000, 250 * 2 ** Math.max(0, attempt - 1));
}

const defaultSchedule = (run: () => void, ms: number) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};

function closeCode(event: unknown): number | undefined {
  return typeof event === 'object' && event !== null && 'code' in event ? Number((event as { code: unknown }).code) : undefined;
}

/**
 * The bridge protocol over a socket that is replaced when it drops: reconnects with backoff and
 * subscribes the new socket to every channel the client still wants, so pushed events resume
 * without a page reload. Calls made while no socket is up answer DISCONNECTED at once.
 */
export function createReconnectingTransport(options: ReconnectOptions): ReconnectingTransport {
  const backoffMs = options.backoffMs ?? defaultBackoffMs;
  const schedule = options.schedule ?? defaultSchedule;
  const subscriptions = new Set<string>();
  const eventListeners: ((channel: string, payload: unknown) => void)[] = [];
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let current: WebSocketTransport | null = null;
  let attempt = 0;
  let cancelRetry: (() => void) | null = null;
  let closed = false;

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const listener of stateListeners) listener(state);
  };

  function open() {
    const socket = options.connect();
    const transport = createWebSocketTransport(socket, { timeoutMs: options.timeoutMs });
    current = transport;
    transport.onEvent((channel, payload) => {
      for (const listener of eventListeners) listener(channel, payload);
    });
    for (const channel of subscriptions) transport.subscribe(channel);
    socket.addEventListener('open', () => {
      attempt = 0;
      setState('open');
    });
    socket.addEventListener('close', (event) => {
      if (current !== transport) return;
      current = null;
      if (closed) return;
      if (closeCode(event) === CLOSE_UNAUTHORIZED) return setState('unauthorized');
      setState('reconnecting');
      attempt += 1;
      cancelRetry = schedule(() => {
        cancelRetry = null;
        if (!closed) open();
      }, backoffMs(attempt));
    });
  }
  open();

  return {
    request(channel, input): Promise<Result<unknown>> {
      if (state === 'unauthorized') return Promise.resolve(err('UNAUTHORIZED'));
      if (!current) return Promise.resolve(err('DISCONNECTED'));
      return current.request(channel, input);
    },
    subscribe(channel) {
      subscriptions.add(channel);
      current?.subscribe(channel);
    },
    unsubscribe(channel) {
      subscriptions.delete(channel);
      current?.unsubscribe(channel);
    },
    onEvent(listener) {
      eventListeners.push(listener);
    },
    state: () => state,
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close() {
      closed = true;
      cancelRetry?.();
      current?.close();
    },
  };
}
