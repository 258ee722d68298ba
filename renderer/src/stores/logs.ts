import { createStore } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
import type { AppError } from '../../../shared/result';
import type { LogLine, RequestInput } from '../../../shared/contract';

export type LogsQuery = RequestInput<'logs.recent'>;

export interface LogsState {
  lines: LogLine[];
  error: AppError | null;
  load(query?: LogsQuery): Promise<void>;
  /** Subscribes to pushed lines; returns the unsubscribe function. */
  follow(): () => void;
}

const MAX_LINES = 2000;

/** Appends a pushed line, skipping one already shown and keeping the newest MAX_LINES. */
export function appendLine(lines: readonly LogLine[], line: LogLine): LogLine[] | null {
  if (lines.some((existing) => existing.seq === line.seq)) return null;
  return [...lines.slice(-(MAX_LINES - 1)), line];
}

/** One store per domain, made by a factory so each test and each app instance gets its own. */
export function createLogsStore(api: Api) {
  return createStore<LogsState>((set, get) => ({
    lines: [],
    error: null,
    async load(query = { limit: 500 }) {
      const result = await api.call('logs.recent', query);
      if (result.ok) set({ lines: result.value, error: null });
      else set({ error: result.error });
    },
    follow() {
      return api.on('logs.line', (line) => {
        const lines = appendLine(get().lines, line);
        if (lines) set({ lines });
      });
    },
  }));
}
