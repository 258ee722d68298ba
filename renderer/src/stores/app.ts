import { createStore } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
import type { AppInfo } from '../../../shared/contract';
import type { AppError } from '../../../shared/result';

export interface AppState {
  info: AppInfo | null;
  error: AppError | null;
  load(): Promise<void>;
}

export function createAppStore(api: Api) {
  return createStore<AppState>((set) => ({
    info: null,
    error: null,
    async load() {
      const result = await api.call('app.info', {});
      if (result.ok) set({ info: result.value, error: null });
      else set({ error: result.error });
    },
  }));
}
