import { createContext, useContext, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
import { createAppStore, type AppState } from './app';
import { createLogsStore, type LogsState } from './logs';

export interface Stores {
  app: StoreApi<AppState>;
  logs: StoreApi<LogsState>;
}

export function createStores(api: Api): Stores {
  return { app: createAppStore(api), logs: createLogsStore(api) };
}

const StoresContext = createContext<Stores | null>(null);

export function StoresProvider({ api, children }: { api: Api; children: ReactNode }) {
  const [stores] = useState(() => createStores(api));
  return <StoresContext.Provider value={stores}>{children}</StoresContext.Provider>;
}

function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('useStores outside StoresProvider');
  return stores;
}

/** Narrow selectors: a component re-renders only when what it selected changes. */
export function useAppStore<T>(selector: (state: AppState) => T): T {
  return useStore(useStores().app, selector);
}

export function useLogsStore<T>(selector: (state: LogsState) => T): T {
  return useStore(useStores().logs, selector);
}
