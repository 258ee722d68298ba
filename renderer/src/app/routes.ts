/** The app's screens, in navigation order. Screens that are not built yet say which issue brings them. */
export const ROUTES = [
  { id: 'dashboard', label: 'Dashboard' },
  { id: 'ports', label: 'Ports' },
  { id: 'provision', label: 'Provision' },
  { id: 'station', label: 'Station' },
  { id: 'devices', label: 'Devices' },
  { id: 'products', label: 'Products' },
  { id: 'assets', label: 'Asset tree' },
  { id: 'hub', label: 'Hub' },
  { id: 'certificates', label: 'Certificates' },
  { id: 'sync', label: 'Sync' },
  { id: 'settings', label: 'Settings' },
  { id: 'logs', label: 'Logs' },
] as const;

export type RouteId = (typeof ROUTES)[number]['id'];

export function routeFromHash(hash: string): RouteId {
  const id = hash.replace(/^#\/?/, '');
  return ROUTES.find((route) => route.id === id)?.id ?? 'dashboard';
}
