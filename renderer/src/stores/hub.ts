import { createStore } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
import type { HubMessage, HubSession, HubStats, RequestOutput } from '../../../shared/contract';
import type { AppError } from '../../../shared/result';
import { addSecond, emptyRates, type Rates } from '../charts/rates';
import { appendMessages, messageDelta } from '../hub/hub-data';

const MAX_MESSAGES = 500;
const WINDOW_SECONDS = 120;

export interface HubState {
  status: RequestOutput<'hub.status'> | null;
  online: HubSession[];
  stats: HubStats | null;
  /** Messages in and out per second, from the pushed statistics. */
  rates: Rates;
  messages: HubMessage[];
  /** Messages the hub sampled away, plus those that arrived while paused. */
  dropped: number;
  paused: boolean;
  error: AppError | null;
  load(): Promise<void>;
  follow(): () => void;
  setPaused(paused: boolean): void;
}

export function createHubStore(api: Api) {
  return createStore<HubState>((set, get) => ({
    status: null,
    online: [],
    stats: null,
    rates: emptyRates(2),
    messages: [],
    dropped: 0,
    paused: false,
    error: null,
    async load() {
      const [status, sessions, stats] = await Promise.all([api.call('hub.status', {}), api.call('hub.sessions', {}), api.call('hub.stats', {})]);
      const failed = [status, sessions, stats].find((result) => !result.ok);
      if (failed && !failed.ok) return set({ error: failed.error });
      if (status.ok && sessions.ok && stats.ok) set({ status: status.value, online: sessions.value.online, stats: stats.value, error: null });
    },
    follow() {
      const stops = [
        api.on('hub.stats', (stats) => {
          const counts = messageDelta(get().stats, stats);
          set({ stats, rates: addSecond(get().rates, Math.floor(stats.time / 1000), counts, WINDOW_SECONDS) });
        }),
        api.on('hub.session', ({ online, session }) => {
          const others = get().online.filter((item) => item.clientId !== session.clientId);
          set({ online: online ? [...others, session] : others });
        }),
        api.on('hub.messages', (batch) => {
          if (get().paused) return set({ dropped: get().dropped + batch.messages.length + batch.dropped });
          set({ messages: appendMessages(get().messages, batch.messages, MAX_MESSAGES), dropped: get().dropped + batch.dropped });
        }),
      ];
      return () => stops.forEach((stop) => stop());
    },
    setPaused(paused) {
      set({ paused });
    },
  }));
}
