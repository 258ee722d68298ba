import type { ProvisionResult } from '../../shared/contract/provisioning';
import { formatCsvIssue, parseDeviceCsv } from '../../shared/model/device-csv';
import { err, ok, type Result } from '../../shared/result';
import type { Registry } from '../registry/registry';
import type { Pipeline, RunRequest } from './pipeline';

export interface PlanImport {
  added: number;
  /** Rows already in the registry (a plan imported again). */
  present: number;
}

/** By the serial index (the plan step's lookup), not a substring scan per plan row. */
function hasSerial(registry: Registry, productKey: string, serial: string): boolean {
  return registry.devicesWithIdentity(serial, '').some((device) => device.productKey === productKey && device.serial === serial);
}

/**
 * Imports the MES plan (issue 9 "Factory station"): every row becomes a planned device unless a
 * device with that key or serial is already there, so importing the same plan twice changes
 * nothing. Rows of other products are kept: a device matching one is refused by the plan step.
 */
export function importPlan(registry: Registry, csv: string, productKey: string): Result<PlanImport> {
  const parsed = parseDeviceCsv(csv, productKey);
  if (parsed.issues.length > 0) return err('CSV_INVALID', `The plan has bad rows: ${parsed.issues.slice(0, 5).map(formatCsvIssue).join('; ')}`);
  let added = 0;
  let present = 0;
  for (const row of parsed.rows) {
    if ((row.deviceKey && registry.getDevice(row.productKey, row.deviceKey)) || (row.serial && hasSerial(registry, row.productKey, row.serial))) {
      present++;
      continue;
    }
    const { line: _line, deviceKey, ...fields } = row;
    const created = registry.createDevice({ ...fields, ...(deviceKey ? { deviceKey } : {}) });
    if (!created.ok) return err(created.error.code, `Plan line ${row.line}: ${created.error.message}`);
    added++;
  }
  return ok({ added, present });
}

/**
 * A station run over several slots at once: each slot's device goes through its own pipeline;
 * the runs are independent, so one failing (or throwing) never stops the others.
 */
export async function runSlots(pipeline: Pipeline, ports: readonly string[], request: Omit<RunRequest, 'port'>): Promise<ProvisionResult[]> {
  const settled = await Promise.allSettled(ports.map((port) => pipeline.run({ ...request, port })));
  return settled.map((outcome, index) => {
    if (outcome.status === 'fulfilled' && outcome.value.ok) return outcome.value.value;
    const error = outcome.status === 'fulfilled' && !outcome.value.ok ? outcome.value.error : { code: 'INTERNAL' as const, message: `The run on ${ports[index]} stopped on an internal error; the details are in the log.` };
    return { runId: 0, port: ports[index]!, productKey: request.productKey, deviceKey: null, serial: null, outcome: 'failed', resumed: false, steps: [], checks: [], error, ledgerSeq: null };
  });
}

/** A factory station's slots (issue 9): what runs when a device appears in one. */
export interface StationConfig extends Omit<RunRequest, 'port'> {
  /** Port paths or stable identities (`usb:…`, `usb-location:…`, `path:…` for a pseudo-terminal link). */
  slots: string[];
}

/**
 * Slots bound to port identity: a device plugged into a slot is taken through the pipeline
 * without a click. Each slot runs one device at a time; slots run in parallel, and a run that
 * fails (or throws) is logged and never stops the others. A slot that is plugged again while its
 * run is going is picked up once that run ends.
 */
export class SlotWatcher {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();

  constructor(
    private readonly pipeline: Pick<Pipeline, 'run'>,
    private readonly config: StationConfig,
    private readonly onError: (port: string, error: unknown) => void,
  ) {}

  isSlot(port: { path: string; identity: string }): boolean {
    return this.config.slots.includes(port.path) || this.config.slots.includes(port.identity);
  }

  /**
   * A port appeared (`replug`: a hot-plug event) or was there at start: run its slot. A hot-plug
   * during a run is remembered and runs next; a port seen at start while it runs is the same device.
   */
  plugged(port: { path: string; identity: string }, replug = true): void {
    if (!this.isSlot(port)) return;
    if (this.running.has(port.path)) {
      if (replug) this.again.add(port.path);
      return;
    }
    const { slots: _slots, ...request } = this.config;
    const run = this.pipeline
      .run({ ...request, port: port.path })
      // A run refused before it began (its journal row could not be written on a full disk, the
      // product was deleted) sends no result event: the station's log says why instead.
      .then(
        (result) => {
          if (!result.ok) this.onError(port.path, result.error);
        },
        (error: unknown) => this.onError(port.path, error),
      )
      .finally(() => {
        this.running.delete(port.path);
        if (this.again.delete(port.path)) this.plugged(port);
      });
    this.running.set(port.path, run);
  }

  /** Waits for the runs in progress (on stop). */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()]);
  }
}
