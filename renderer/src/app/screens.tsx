import type { ComponentType } from 'react';
import { DashboardPage } from '../pages/Dashboard';
import { DevicesPage } from '../pages/Devices';
import { LogsPage } from '../pages/Logs';
import { ProductsPage } from '../pages/Products';
import { SettingsPage } from '../pages/Settings';
import type { RouteId } from './routes';

/** The built screens by route; a route without one shows the placeholder until its capability lands. */
export const SCREENS: Partial<Record<RouteId, ComponentType>> = {
  dashboard: DashboardPage,
  devices: DevicesPage,
  settings: SettingsPage,
  logs: LogsPage,
  products: ProductsPage,
};
