import type { MessageKey } from '../i18n/en';

/** The app's screens, in navigation order; each label comes from the message catalog. */
export const ROUTES = [
  { id: 'dashboard', label: 'nav.dashboard' },
  { id: 'ports', label: 'nav.ports' },
  { id: 'provision', label: 'nav.provision' },
  { id: 'station', label: 'nav.station' },
  { id: 'devices', label: 'nav.devices' },
  { id: 'products', label: 'nav.products' },
  { id: 'assets', label: 'nav.assets' },
  { id: 'hub', label: 'nav.hub' },
  { id: 'certificates', label: 'nav.certificates' },
  { id: 'sync', label: 'nav.sync' },
  { id: 'settings', label: 'nav.settings' },
  { id: 'logs', label: 'nav.logs' },
] as const satisfies readonly { id: string; label: MessageKey }[];

export type RouteId = (typeof ROUTES)[number]['id'];

export function routeFromHash(hash: string): RouteId {
  const id = hash.replace(/^#\/?/, '');
  return ROUTES.find((route) => route.id === id)?.id ?? 'dashboard';
}

/** Arrow keys walk the navigation list, wrapping at either end; Home and End jump. */
export function navTarget(current: number, key: string, count: number): number | null {
  switch (key) {
    case 'ArrowDown':
      return (current + 1) % count;
    case 'ArrowUp':
      return (current - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
