import { createStore } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
import type { Device, DeviceListQuery } from '../../../shared/contract';
import type { AppError } from '../../../shared/result';

/** The list query without paging: what the filter form sets. */
export type DeviceFilter = Omit<DeviceListQuery, 'limit' | 'after'>;

const PAGE = 1000;
export const DEFAULT_FILTER: DeviceFilter = { sort: 'deviceKey', order: 'asc' };

export interface DevicesState {
  filter: DeviceFilter;
  rows: Device[];
  /** The keyset cursor of the next page; null when every matching device is loaded. */
  next: string | null;
  loading: boolean;
  /** Devices changed on the station since the rows were loaded (another client, an import). */
  stale: boolean;
  error: AppError | null;
  selected: Device | null;
  /** A secret shown after the explicit reveal action; dropped when the selection changes. */
  revealedSecret: string | null;
  setFilter(filter: DeviceFilter): Promise<void>;
  /** Loads the first page again with the current filter. */
  reload(): Promise<void>;
  /** Fetches the next page; the table calls it as the user scrolls near the end. */
  loadMore(): Promise<void>;
  select(ref: string | null): Promise<void>;
  revealSecret(): Promise<void>;
  setState(state: Device['state']): Promise<void>;
  follow(): () => void;
}

export const deviceRef = (device: Pick<Device, 'productKey' | 'deviceKey'>) => `${device.productKey}/${device.deviceKey}`;

/** Devices, loaded page by page (keyset cursor) into one growing list for the virtualized table. */
export function createDevicesStore(api: Api) {
  let generation = 0;
  return createStore<DevicesState>((set, get) => ({
    filter: DEFAULT_FILTER,
    rows: [],
    next: null,
    loading: false,
    stale: false,
    error: null,
    selected: null,
    revealedSecret: null,
    async setFilter(filter) {
      const mine = ++generation;
      set({ filter, rows: [], next: null, loading: true, stale: false, error: null });
      const result = await api.call('devices.list', { ...filter, limit: PAGE });
      if (mine !== generation) return;
      if (result.ok) set({ rows: result.value.items, next: result.value.next, loading: false });
      else set({ error: result.error, loading: false });
    },
    reload() {
      return get().setFilter(get().filter);
    },
    async loadMore() {
      const { next, loading, filter, rows } = get();
      if (!next || loading) return;
      const mine = generation;
      set({ loading: true });
      const result = await api.call('devices.list', { ...filter, limit: PAGE, after: next });
      if (mine !== generation) return;
      if (result.ok) set({ rows: rows.concat(result.value.items), next: result.value.next, loading: false });
      else set({ error: result.error, loading: false });
    },
    async select(ref) {
      set({ revealedSecret: null });
      if (!ref) return set({ selected: null });
      const result = await api.call('devices.get', { ref });
      set(result.ok ? { selected: result.value, error: null } : { error: result.error });
    },
    async revealSecret() {
      const selected = get().selected;
      if (!selected) return;
      const result = await api.call('devices.secret', { ref: deviceRef(selected) });
      set(result.ok ? { revealedSecret: result.value.deviceSecret } : { error: result.error });
    },
    async setState(state) {
      const selected = get().selected;
      if (!selected) return;
      const result = await api.call('devices.update', { ref: deviceRef(selected), state });
      if (!result.ok) return set({ error: result.error });
      const updated = result.value;
      set({ selected: updated, rows: get().rows.map((row) => (deviceRef(row) === deviceRef(updated) ? updated : row)) });
    },
    follow() {
      return api.on('devices.changed', () => set({ stale: true }));
    },
  }));
}
