import type { EventChannel, EventPayload, RequestChannel, RequestInput, RequestOutput } from './contract';
import type { Result } from './result';

/**
 * The one object the renderer (and the CLI, when it talks to a live owner) uses to reach the
 * services. Electron IPC and the WebSocket bridge both implement it; callers cannot tell which.
 */
export interface Api {
  call<C extends RequestChannel>(channel: C, input: RequestInput<C>): Promise<Result<RequestOutput<C>>>;
  /** Subscribes to a pushed event; returns the unsubscribe function. */
  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void;
}
