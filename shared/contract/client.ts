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
        transport.subscribe(channel);
      }
      set.add(listener as (payload: never) => void);
      return () => {
        set.delete(listener as (payload: never) => void);
        if (set.size === 0) {
          listeners.delete(channel);
          transport.unsubscribe(channel);
        }
      };
    },
  };
}
