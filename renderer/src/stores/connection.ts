import { createStore } from 'zustand/vanilla';
import type { ConnectionSource, ConnectionState } from '../../../shared/contract/reconnecting-transport';

export interface ConnectionStoreState {
  state: ConnectionState;
  /** Times the link came back after a drop; screens reload their data when it changes. */
  reconnects: number;
}

/** Mirrors the transport's connection state for the banner and for screens that refetch after a drop. */
export function createConnectionStore(source: ConnectionSource) {
  const store = createStore<ConnectionStoreState>(() => ({ state: source.state(), reconnects: 0 }));
  source.onState((state) => {
    const previous = store.getState();
    const back = state === 'open' && previous.state === 'reconnecting';
    store.setState({ state, reconnects: previous.reconnects + (back ? 1 : 0) });
  });
  return store;
}
