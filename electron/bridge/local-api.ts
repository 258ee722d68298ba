import type { Api } from '../../shared/api';
import { createApi } from '../../shared/contract/client';
import type { EventBus } from '../core/event-bus';
import type { Dispatcher } from './dispatcher';

/** The contract in-process: the CLI uses it when no owner runs, tests use it to call handlers. */
export function createLocalApi(dispatcher: Dispatcher, events: EventBus): Api {
  const wanted = new Set<string>();
  return createApi({
    request: (channel, input) => dispatcher.dispatch(channel, input, { transport: 'in-process' }),
    subscribe: (channel) => wanted.add(channel),
    unsubscribe: (channel) => wanted.delete(channel),
    onEvent: (listener) => {
      events.subscribe((channel, payload) => {
        if (wanted.has(channel)) listener(channel, payload);
      });
    },
  });
}
