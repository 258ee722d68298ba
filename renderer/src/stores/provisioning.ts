import { createStore } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
import type { ProvisionResult, RequestInput, RequestOutput } from '../../../shared/contract';
import type { AppError, Result } from '../../../shared/result';
import { applyFinished, applyProgress, countOutcome, type Counters, type Slot } from '../provisioning/slots';

type ProvisionInput = RequestInput<'provisioning.provision'>;
type BatchInput = RequestInput<'provisioning.batch'>;

export interface ProvisioningState {
  slots: Record<string, Slot>;
  counters: Counters;
  /** When this window started a batch (devices per hour count from here). */
  startedAt: number | null;
  running: boolean;
  error: AppError | null;
  provision(input: ProvisionInput): Promise<Result<ProvisionResult>>;
  batch(input: BatchInput): Promise<Result<RequestOutput<'provisioning.batch'>>>;
  /** Runs one port again with the options of its last run in this window. */
  retry(port: string): Promise<void>;
  follow(): () => void;
}

const ZERO: Counters = { provisioned: 0, failed: 0, skipped: 0, held: 0 };

/** Pipeline runs: slots follow the pushed progress of every run on the station, whoever started it. */
export function createProvisioningStore(api: Api, now: () => number = Date.now) {
  const lastInput = new Map<string, ProvisionInput>();
  return createStore<ProvisioningState>((set, get) => ({
    slots: {},
    counters: ZERO,
    startedAt: null,
    running: false,
    error: null,
    async provision(input) {
      lastInput.set(input.port, input);
      const result = await api.call('provisioning.provision', input);
      set({ error: result.ok ? null : result.error });
      return result;
    },
    async batch(input) {
      set({ running: true, startedAt: now(), counters: ZERO, error: null });
      const { ports: _ports, all: _all, planCsv: _plan, ...options } = input;
      for (const port of input.ports ?? []) lastInput.set(port, { ...options, port });
      const result = await api.call('provisioning.batch', input);
      set({ running: false, error: result.ok ? null : result.error });
      if (result.ok) for (const run of result.value.results) lastInput.set(run.port, { ...options, port: run.port });
      return result;
    },
    async retry(port) {
      const input = lastInput.get(port);
      if (input) await get().provision({ ...input, ifProvisioned: 'reprovision' });
    },
    follow() {
      const stops = [
        api.on('provisioning.progress', (event) => set({ slots: applyProgress(get().slots, event) })),
        api.on('provisioning.finished', (result) => set({ slots: applyFinished(get().slots, result), counters: countOutcome(get().counters, result.outcome) })),
      ];
      return () => stops.forEach((stop) => stop());
    },
  }));
}
