import { createStore } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
import type { DeviceStats } from '../../../shared/contract/devices';
import type { ProvisioningToday } from '../../../shared/contract/provisioning';
import { localMidnight } from '../../../shared/model/local-day';
import type { AppError } from '../../../shared/result';
import { addSecond, emptyRates, type Rates } from '../charts/rates';

/** The live series the dashboard draws, in this order. */
export const LOG_SERIES = ['all', 'warnings'] as const;
const WINDOW_SECONDS = 120;
const WARNING_LEVELS = new Set(['warn', 'error', 'fatal']);

export interface DashboardState {
  logRates: Rates;
  /** Folds the events counted since the last tick into the second that ends at `nowMs`. */
  tick(nowMs: number): void;
  /** Subscribes to the pushed events the dashboard counts; returns the unsubscribe function. */
  follow(): () => void;
  devices: DeviceStats | null;
  provisioning: ProvisioningToday | null;
  countsError: AppError | null;
  /** Device counts and today's provisioning runs, today being the viewer's local day at `nowMs`. */
  loadCounts(nowMs?: number): Promise<void>;
  /** Reloads the counts when devices change or a run finishes; returns the unsubscribe function. */
  followCounts(): () => void;
}

/**
 * Live counts from pushed events. Events only bump plain counters; the chart state changes once
 * per tick, so a fast event stream costs one render per second, not one per event.
 */
export function createDashboardStore(api: Api) {
  const pending = LOG_SERIES.map(() => 0);
  // A burst of changes (a batch, an import per product) costs one reload in flight plus one after it.
  let loading: Promise<void> | null = null;
  let again = false;
  return createStore<DashboardState>((set, get) => ({
    logRates: emptyRates(LOG_SERIES.length),
    devices: null,
    provisioning: null,
    countsError: null,
    async loadCounts(nowMs = Date.now()) {
      if (loading) return void (again = true);
      loading = (async () => {
        const [devices, provisioning] = await Promise.all([api.call('devices.stats', {}), api.call('provisioning.today', { since: localMidnight(nowMs) })]);
        if (!devices.ok) return set({ countsError: devices.error });
        if (!provisioning.ok) return set({ countsError: provisioning.error });
        set({ devices: devices.value, provisioning: provisioning.value, countsError: null });
      })();
      try {
        await loading;
      } finally {
        loading = null;
      }
      if (again) {
        again = false;
        await get().loadCounts();
      }
    },
    followCounts() {
      const reload = () => void get().loadCounts();
      const stops = [api.on('devices.changed', reload), api.on('provisioning.finished', reload)];
      return () => stops.forEach((stop) => stop());
    },
    tick(nowMs) {
      const counts = pending.splice(0, pending.length, ...LOG_SERIES.map(() => 0));
      set({ logRates: addSecond(get().logRates, Math.floor(nowMs / 1000), counts, WINDOW_SECONDS) });
    },
    follow() {
      return api.on('logs.line', (line) => {
        pending[0]! += 1;
        if (WARNING_LEVELS.has(line.level)) pending[1]! += 1;
      });
    },
  }));
}
