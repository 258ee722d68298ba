import { PIPELINE_STEPS, type EventPayload, type Outcome, type PipelineStep, type ProvisionResult } from '../../../shared/contract';

export type StepStatus = 'pending' | 'started' | 'done' | 'reused' | 'failed';

/** One port's run as the station grid and the wizard draw it. */
export interface Slot {
  port: string;
  runId: number | null;
  deviceKey: string | null;
  steps: Record<PipelineStep, { status: StepStatus; detail: string; ms: number | null }>;
  result: ProvisionResult | null;
}

export type Counters = Record<Outcome, number>;

export function emptySlot(port: string): Slot {
  const steps = Object.fromEntries(PIPELINE_STEPS.map((step) => [step, { status: 'pending', detail: '', ms: null }])) as Slot['steps'];
  return { port, runId: null, deviceKey: null, steps, result: null };
}

/** A progress event: a new run on the port starts its slot afresh. */
export function applyProgress(slots: Readonly<Record<string, Slot>>, event: EventPayload<'provisioning.progress'>): Record<string, Slot> {
  const previous = slots[event.port];
  const slot = previous && previous.runId === event.runId ? previous : { ...emptySlot(event.port), runId: event.runId };
  const step = { ...slot.steps[event.step], status: event.status, detail: event.detail };
  return { ...slots, [event.port]: { ...slot, deviceKey: event.deviceKey ?? slot.deviceKey, steps: { ...slot.steps, [event.step]: step } } };
}

/** A finished run: its steps with their timings and its outcome. */
export function applyFinished(slots: Readonly<Record<string, Slot>>, result: ProvisionResult): Record<string, Slot> {
  const base = slots[result.port]?.runId === result.runId ? slots[result.port]! : { ...emptySlot(result.port), runId: result.runId };
  const steps = { ...base.steps };
  for (const step of result.steps) steps[step.step] = { status: step.status, detail: step.detail, ms: step.ms };
  return { ...slots, [result.port]: { ...base, deviceKey: result.deviceKey, steps, result } };
}

/** Share of the pipeline behind the slot, 0–1, for its progress bar. */
export function slotProgress(slot: Slot): number {
  if (slot.result) return 1;
  const finished = PIPELINE_STEPS.filter((step) => ['done', 'reused', 'failed'].includes(slot.steps[step].status)).length;
  return finished / PIPELINE_STEPS.length;
}

/** The step the slot is at: the first not finished. */
export function currentStep(slot: Slot): PipelineStep | null {
  return PIPELINE_STEPS.find((step) => !['done', 'reused'].includes(slot.steps[step].status)) ?? null;
}

export function countOutcome(counters: Counters, outcome: Outcome): Counters {
  return { ...counters, [outcome]: counters[outcome] + 1 };
}

/** Devices provisioned per hour since the station started its run. */
export function devicesPerHour(provisioned: number, elapsedMs: number): number {
  return elapsedMs <= 0 ? 0 : Math.round((provisioned / elapsedMs) * 3_600_000);
}
