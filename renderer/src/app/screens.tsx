import type { ComponentType } from 'react';
import { DashboardPage } from '../pages/Dashboard';
import { LogsPage } from '../pages/Logs';
import { SettingsPage } from '../pages/Settings';
import type { RouteId } from './routes';

/** The built screens by route; a route without one shows the placeholder until its capability lands. */
export const SCREENS: Partial<Record<RouteId, ComponentType>> = {
  dashboard: DashboardPage,
  settings: SettingsPage,
  logs: LogsPage,
};
