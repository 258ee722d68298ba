import { createContext, useContext, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
import type { ConnectionSource } from '../../../shared/contract/reconnecting-transport';
import { createAppStore, type AppState } from './app';
import { createAssetsStore, type AssetsState } from './assets';
import { createConnectionStore, type ConnectionStoreState } from './connection';
import { createDashboardStore, type DashboardState } from './dashboard';
import { createDevicesStore, type DevicesState } from './devices';
import { createDeviceActivityStore, type DeviceActivityState } from './device-activity';
import { createProductsStore, type ProductsState } from './products';
import { createHubStore, type HubState } from './hub';
import { createSyncStore, type SyncState } from './sync';
import { createCertificatesStore, type CertificatesState } from './certificates';
import { createPortsStore, type PortsState } from './ports';
import { createProvisioningStore, type ProvisioningState } from './provisioning';
import { createLogsStore, type LogsState } from './logs';
import { createPreferencesStore, type KeyValueStorage, type PreferencesState } from './preferences';
import type { Locale } from '../i18n/translate';

export interface Stores {
  app: StoreApi<AppState>;
  logs: StoreApi<LogsState>;
  preferences: StoreApi<PreferencesState>;
  connection: StoreApi<ConnectionStoreState>;
  dashboard: StoreApi<DashboardState>;
  devices: StoreApi<DevicesState>;
  deviceActivity: StoreApi<DeviceActivityState>;
  products: StoreApi<ProductsState>;
  assets: StoreApi<AssetsState>;
  hub: StoreApi<HubState>;
  sync: StoreApi<SyncState>;
  certificates: StoreApi<CertificatesState>;
  ports: StoreApi<PortsState>;
  provisioning: StoreApi<ProvisioningState>;
}

export interface StoreDeps {
  api: Api;
  connection: ConnectionSource;
  storage: KeyValueStorage;
  defaultLocale: Locale;
}

export function createStores(deps: StoreDeps): Stores {
  return {
    app: createAppStore(deps.api),
    logs: createLogsStore(deps.api),
    preferences: createPreferencesStore(deps.storage, { locale: deps.defaultLocale }),
    connection: createConnectionStore(deps.connection),
    dashboard: createDashboardStore(deps.api),
    devices: createDevicesStore(deps.api),
    deviceActivity: createDeviceActivityStore(deps.api),
    products: createProductsStore(deps.api),
    assets: createAssetsStore(deps.api),
    hub: createHubStore(deps.api),
    sync: createSyncStore(deps.api),
    certificates: createCertificatesStore(deps.api),
    ports: createPortsStore(deps.api),
    provisioning: createProvisioningStore(deps.api),
  };
}

const StoresContext = createContext<Stores | null>(null);

export function StoresProvider({ deps, children }: { deps: StoreDeps; children: ReactNode }) {
  const [stores] = useState(() => createStores(deps));
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

export function usePreferences<T>(selector: (state: PreferencesState) => T): T {
  return useStore(useStores().preferences, selector);
}

export function useConnection<T>(selector: (state: ConnectionStoreState) => T): T {
  return useStore(useStores().connection, selector);
}

export function useDashboardStore<T>(selector: (state: DashboardState) => T): T {
  return useStore(useStores().dashboard, selector);
}

export function useDevicesStore<T>(selector: (state: DevicesState) => T): T {
  return useStore(useStores().devices, selector);
}

export function useDeviceActivityStore<T>(selector: (state: DeviceActivityState) => T): T {
  return useStore(useStores().deviceActivity, selector);
}

export function useProductsStore<T>(selector: (state: ProductsState) => T): T {
  return useStore(useStores().products, selector);
}

export function useAssetsStore<T>(selector: (state: AssetsState) => T): T {
  return useStore(useStores().assets, selector);
}

export function useHubStore<T>(selector: (state: HubState) => T): T {
  return useStore(useStores().hub, selector);
}

export function useSyncStore<T>(selector: (state: SyncState) => T): T {
  return useStore(useStores().sync, selector);
}

export function useCertificatesStore<T>(selector: (state: CertificatesState) => T): T {
  return useStore(useStores().certificates, selector);
}

export function usePortsStore<T>(selector: (state: PortsState) => T): T {
  return useStore(useStores().ports, selector);
}

export function useProvisioningStore<T>(selector: (state: ProvisioningState) => T): T {
  return useStore(useStores().provisioning, selector);
}
