import { createStore } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
import type { AppError } from '../../../shared/result';
import type { LogLine } from '../../../shared/contract';

export interface LogsState {
  lines: LogLine[];
  error: AppError | null;
  load(): Promise<void>;
  /** Subscribes to pushed lines; returns the unsubscribe function. */
  follow(): () => void;
}

const MAX_LINES = 2000;

/** One store per domain, made by a factory so each test and each app instance gets its own. */
export function createLogsStore(api: Api) {
  return createStore<LogsState>((set, get) => ({
    lines: [],
    error: null,
    async load() {
      const result = await api.call('logs.recent', { limit: 500 });
      if (result.ok) set({ lines: result.value, error: null });
      else set({ error: result.error });
    },
    follow() {
      return api.on('logs.line', (line) => {
        const lines = get().lines;
        if (lines.at(-1)?.seq === line.seq) return;
        set({ lines: [...lines.slice(-(MAX_LINES - 1)), line] });
      });
    },
  }));
}
