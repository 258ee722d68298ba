import { createStore } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
import type { RequestOutput, SyncStatus, SyncTargetInfo } from '../../../shared/contract';
import type { AppError, Result } from '../../../shared/result';

export type SyncConflict = RequestOutput<'sync.conflicts'>[number];

export interface SyncState {
  targets: SyncTargetInfo[];
  status: SyncStatus[];
  conflicts: SyncConflict[];
  running: boolean;
  error: AppError | null;
  load(): Promise<void>;
  /** Sends what is pending now (all targets). */
  run(): Promise<void>;
  resolve(id: number, keep: 'local' | 'cloud'): Promise<Result<unknown>>;
  follow(): () => void;
}

/** Replaces one target's status with a pushed one, keeping the others. */
export function mergeStatus(list: readonly SyncStatus[], next: SyncStatus): SyncStatus[] {
  return list.some((item) => item.target === next.target) ? list.map((item) => (item.target === next.target ? next : item)) : [...list, next];
}

export function createSyncStore(api: Api) {
  return createStore<SyncState>((set, get) => ({
    targets: [],
    status: [],
    conflicts: [],
    running: false,
    error: null,
    async load() {
      const [targets, status, conflicts] = await Promise.all([api.call('sync.target.list', {}), api.call('sync.status', {}), api.call('sync.conflicts', {})]);
      for (const result of [targets, status, conflicts]) if (!result.ok) return set({ error: result.error });
      if (targets.ok && status.ok && conflicts.ok) set({ targets: targets.value, status: status.value, conflicts: conflicts.value, error: null });
    },
    async run() {
      set({ running: true });
      const result = await api.call('sync.run', {});
      set({ running: false, error: result.ok ? null : result.error });
      await get().load();
    },
    async resolve(id, keep) {
      const result = await api.call('sync.resolve', { id, keep });
      if (result.ok) set({ conflicts: get().conflicts.filter((conflict) => conflict.id !== id) });
      else set({ error: result.error });
      return result;
    },
    follow() {
      const stops = [
        api.on('sync.progress', (status) => set({ status: mergeStatus(get().status, status) })),
        api.on('sync.conflict', (conflict) => set({ conflicts: [...get().conflicts.filter((item) => item.id !== conflict.id), conflict] })),
      ];
      return () => stops.forEach((stop) => stop());
    },
  }));
}
