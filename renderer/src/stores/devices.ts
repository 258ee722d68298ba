import { createStore } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
import type { Device, DeviceListQuery } from '../../../shared/contract';
import type { AppError } from '../../../shared/result';

/** The list query without paging: what the filter form sets. */
export type DeviceFilter = Omit<DeviceListQuery, 'limit' | 'after' | 'offset'>;

/** Rows per window: the table loads and forgets rows a window at a time. */
export const WINDOW_ROWS = 100;
/** Rows fetched beyond each end of what is in view, so a steady scroll finds its rows loaded. */
const AHEAD_ROWS = 200;
/** Windows kept in memory (the rest are fetched again when scrolled back to). */
const KEEP_WINDOWS = 100;
/** The contract's page limit: one request covers at most this many rows. */
const MAX_REQUEST_ROWS = 1000;
export const DEFAULT_FILTER: DeviceFilter = { sort: 'deviceKey', order: 'asc' };

export interface DevicesState {
  filter: DeviceFilter;
  /** How many devices match the filter (the table's height); null while counting. */
  total: number | null;
  /** Loaded windows by index (window i holds rows i·WINDOW_ROWS …). */
  windows: Readonly<Record<number, readonly Device[]>>;
  loading: boolean;
  /** Devices changed on the station since the rows were loaded (another client, an import). */
  stale: boolean;
  error: AppError | null;
  selected: Device | null;
  /** A secret shown after the explicit reveal action; dropped when the selection changes. */
  revealedSecret: string | null;
  setFilter(filter: DeviceFilter): Promise<void>;
  /** Counts again and forgets the loaded rows, with the current filter. */
  reload(): Promise<void>;
  /** Loads what rows `first`…`last` (and a margin around them) need; the table calls it as the view moves. */
  ensure(first: number, last: number): Promise<void>;
  select(ref: string | null): Promise<void>;
  revealSecret(): Promise<void>;
  setState(state: Device['state']): Promise<void>;
  follow(): () => void;
}

export const deviceRef = (device: Pick<Device, 'productKey' | 'deviceKey'>) => `${device.productKey}/${device.deviceKey}`;

/** The device at a row of the table, if its window is loaded. */
export function deviceAt(windows: DevicesState['windows'], index: number): Device | undefined {
  return windows[Math.floor(index / WINDOW_ROWS)]?.[index % WINDOW_ROWS];
}

/** Runs of consecutive window indices, each at most `maxLength` long: one request per run. */
export function windowRuns(indices: readonly number[], maxLength: number): { start: number; length: number }[] {
  const runs: { start: number; length: number }[] = [];
  for (const index of [...indices].sort((a, b) => a - b)) {
    const last = runs.at(-1);
    if (last && last.start + last.length === index && last.length < maxLength) last.length += 1;
    else runs.push({ start: index, length: 1 });
  }
  return runs;
}

/** The windows to keep: at most `keep`, the nearest to `center`. */
export function keptWindows<T>(windows: Readonly<Record<number, T>>, center: number, keep: number): Record<number, T> {
  const indices = Object.keys(windows).map(Number);
  if (indices.length <= keep) return windows;
  const nearest = indices.sort((a, b) => Math.abs(a - center) - Math.abs(b - center)).slice(0, keep);
  return Object.fromEntries(nearest.map((index) => [index, windows[index]!]));
}

/**
 * Devices for the virtualized table as windows at offsets: only the rows near the view are
 * fetched (a jump to row 90,000 fetches that window, not the 90,000 before it) and kept, and a
 * loaded window is never rebuilt because another arrived.
 */
export function createDevicesStore(api: Api) {
  let generation = 0;
  const inFlight = new Set<number>();
  return createStore<DevicesState>((set, get) => {
    const fetchRun = async (run: { start: number; length: number }, mine: number) => {
      for (let index = run.start; index < run.start + run.length; index += 1) inFlight.add(index);
      set({ loading: true });
      const result = await api.call('devices.list', { ...get().filter, offset: run.start * WINDOW_ROWS, limit: run.length * WINDOW_ROWS });
      if (mine !== generation) return;
      for (let index = run.start; index < run.start + run.length; index += 1) inFlight.delete(index);
      if (!result.ok) return set({ error: result.error, loading: inFlight.size > 0 });
      const windows: Record<number, readonly Device[]> = { ...get().windows };
      for (let index = 0; index < run.length; index += 1) windows[run.start + index] = result.value.items.slice(index * WINDOW_ROWS, (index + 1) * WINDOW_ROWS);
      set({ windows: keptWindows(windows, run.start + run.length / 2, KEEP_WINDOWS), loading: inFlight.size > 0 });
    };
    return {
      filter: DEFAULT_FILTER,
      total: null,
      windows: {},
      loading: false,
      stale: false,
      error: null,
      selected: null,
      revealedSecret: null,
      async setFilter(filter) {
        const mine = ++generation;
        inFlight.clear();
        set({ filter, total: null, windows: {}, loading: true, stale: false, error: null });
        const { sort: _sort, order: _order, ...matching } = filter;
        const [count] = await Promise.all([api.call('devices.count', matching), fetchRun({ start: 0, length: Math.ceil(AHEAD_ROWS / WINDOW_ROWS) }, mine)]);
        if (mine !== generation) return;
        set(count.ok ? { total: count.value.total } : { error: count.error, total: 0 });
      },
      reload() {
        return get().setFilter(get().filter);
      },
      async ensure(first, last) {
        const { total, windows } = get();
        if (total === null) return;
        const from = Math.max(0, Math.floor((first - AHEAD_ROWS) / WINDOW_ROWS));
        const to = Math.min(Math.ceil(total / WINDOW_ROWS) - 1, Math.floor((last + AHEAD_ROWS) / WINDOW_ROWS));
        const missing: number[] = [];
        for (let index = from; index <= to; index += 1) if (!windows[index] && !inFlight.has(index)) missing.push(index);
        const mine = generation;
        await Promise.all(windowRuns(missing, MAX_REQUEST_ROWS / WINDOW_ROWS).map((run) => fetchRun(run, mine)));
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
        const ref = deviceRef(updated);
        // Only the window holding the device is replaced; the others keep their identity.
        const windows = Object.fromEntries(
          Object.entries(get().windows).map(([index, rows]) => [index, rows.some((row) => deviceRef(row) === ref) ? rows.map((row) => (deviceRef(row) === ref ? updated : row)) : rows]),
        );
        set({ selected: updated, windows });
      },
      follow() {
        return api.on('devices.changed', () => set({ stale: true }));
      },
    };
  });
}
