import type { ComponentType } from 'react';
import { AssetsPage } from '../pages/Assets';
import { CertificatesPage } from '../pages/Certificates';
import { DashboardPage } from '../pages/Dashboard';
import { DevicesPage } from '../pages/Devices';
import { HubPage } from '../pages/Hub';
import { LogsPage } from '../pages/Logs';
import { PortsPage } from '../pages/Ports';
import { ProductsPage } from '../pages/Products';
import { ProvisionPage } from '../pages/Provision';
import { SettingsPage } from '../pages/Settings';
import { StationPage } from '../pages/Station';
import { SyncPage } from '../pages/Sync';
import type { RouteId } from './routes';

/** The built screens by route; a route without one shows the placeholder until its capability lands. */
export const SCREENS: Partial<Record<RouteId, ComponentType>> = {
  dashboard: DashboardPage,
  certificates: CertificatesPage,
  devices: DevicesPage,
  hub: HubPage,
  settings: SettingsPage,
  sync: SyncPage,
  logs: LogsPage,
  ports: PortsPage,
  provision: ProvisionPage,
  station: StationPage,
  products: ProductsPage,
  assets: AssetsPage,
};
