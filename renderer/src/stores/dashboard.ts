import { createStore } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
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
}

/**
 * Live counts from pushed events. Events only bump plain counters; the chart state changes once
 * per tick, so a fast event stream costs one render per second, not one per event.
 */
export function createDashboardStore(api: Api) {
  const pending = LOG_SERIES.map(() => 0);
  return createStore<DashboardState>((set, get) => ({
    logRates: emptyRates(LOG_SERIES.length),
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
