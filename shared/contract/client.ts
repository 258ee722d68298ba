import type { Api } from '../api';
import { err, type Result } from '../result';

/**
 * What a transport must do for the client: send one call and resolve its result, and keep the
 * server told which events this client wants. Electron IPC and the WebSocket bridge implement it.
 */
export interface Transport {
  request(channel: string, input: unknown): Promise<Result<unknown>>;
  subscribe(channel: string): void;
  unsubscribe(channel: string): void;
  onEvent(listener: (channel: string, payload: unknown) => void): void;
}

/** Builds the one `api` object over any transport; listeners share one server subscription per channel. */
export function createApi(transport: Transport): Api {
  const listeners = new Map<string, Set<(payload: never) => void>>();
  /** Channels the server has been told to push (an unsubscribe waits a turn, see `on`). */
  const subscribed = new Set<string>();
  transport.onEvent((channel, payload) => {
    for (const listener of listeners.get(channel) ?? []) listener(payload as never);
  });
  return {
    async call(channel, input) {
      try {
        return (await transport.request(channel, input)) as never;
      } catch (error) {
        return err('DISCONNECTED', error instanceof Error ? error.message : undefined);
      }
    },
    on(channel, listener) {
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        if (!subscribed.has(channel)) {
          subscribed.add(channel);
          transport.subscribe(channel);
        }
      }
      set.add(listener as (payload: never) => void);
      return () => {
        set.delete(listener as (payload: never) => void);
        if (set.size > 0 || listeners.get(channel) !== set) return;
        listeners.delete(channel);
        // Told to the server a turn later: a screen that follows the channel again in the same turn
        // (an effect run again) keeps its subscription, so no event pushed in between is lost.
        void Promise.resolve().then(() => {
          if (listeners.has(channel) || !subscribed.delete(channel)) return;
          transport.unsubscribe(channel);
        });
      };
    },
  };
}
