import { describe, expect, it } from 'vitest';
import type { Api } from '../../shared/api';
import type { ProvisionResult } from '../../shared/contract';
import { ok } from '../../shared/result';
import { applyFinished, applyProgress, currentStep, devicesPerHour, emptySlot, slotProgress } from '../../renderer/src/provisioning/slots';
import { createProvisioningStore } from '../../renderer/src/stores/provisioning';

const result = (port: string, runId: number, outcome: ProvisionResult['outcome']): ProvisionResult => ({
  runId, port, productKey: 'P1', deviceKey: `dk${runId}`, serial: null, outcome, resumed: false,
  steps: [{ step: 'identify', status: 'done', ms: 12, detail: 'SIM-1' }, { step: 'plan', status: 'reused', ms: 1, detail: '' }],
  checks: [], error: null, ledgerSeq: outcome === 'provisioned' ? 1 : null,
});

describe('pipeline slots', () => {
  it('follows progress of a run and starts over for a new run on the same port', () => {
    let slots = applyProgress({}, { runId: 1, port: '/p1', step: 'identify', status: 'started', deviceKey: null, detail: '' });
    expect(currentStep(slots['/p1']!)).toBe('identify');
    slots = applyProgress(slots, { runId: 1, port: '/p1', step: 'identify', status: 'done', deviceKey: 'dk1', detail: 'SIM-1' });
    slots = applyProgress(slots, { runId: 1, port: '/p1', step: 'plan', status: 'started', deviceKey: 'dk1', detail: '' });
    expect(slots['/p1']).toMatchObject({ runId: 1, deviceKey: 'dk1' });
    expect(currentStep(slots['/p1']!)).toBe('plan');
    expect(slotProgress(slots['/p1']!)).toBeCloseTo(1 / 6);
    slots = applyProgress(slots, { runId: 2, port: '/p1', step: 'identify', status: 'started', deviceKey: null, detail: '' });
    expect(slots['/p1']!.steps.plan.status).toBe('pending');
  });

  it('a finished run fills in step timings and its outcome', () => {
    const slots = applyFinished({ '/p1': emptySlot('/p1') }, result('/p1', 3, 'failed'));
    expect(slots['/p1']!.steps.identify).toEqual({ status: 'done', detail: 'SIM-1', ms: 12 });
    expect(slots['/p1']!.result?.outcome).toBe('failed');
    expect(slotProgress(slots['/p1']!)).toBe(1);
  });

  it('counts devices per hour', () => {
    expect(devicesPerHour(30, 15 * 60_000)).toBe(120);
    expect(devicesPerHour(5, 0)).toBe(0);
  });
});

describe('provisioning store', () => {
  it('counts finished runs and retries a failed port with its last options, reprovisioning', async () => {
    const listeners = new Map<string, (payload: unknown) => void>();
    const calls: [string, Record<string, unknown>][] = [];
    const api = {
      async call(channel: string, input: Record<string, unknown>) {
        calls.push([channel, input]);
        return channel === 'provisioning.batch' ? ok({ results: [result('/p2', 1, 'failed')], summary: { provisioned: 0, failed: 1, skipped: 0, held: 0 } }) : ok(result(String(input.port), 2, 'provisioned'));
      },
      on: (channel: string, listener: (payload: unknown) => void) => (listeners.set(channel, listener), () => listeners.delete(channel)),
    } as unknown as Api;
    const store = createProvisioningStore(api, () => 1000);
    store.getState().follow();
    await store.getState().batch({ productKey: 'P1', all: true, planCsv: 'deviceKey\na' });
    listeners.get('provisioning.finished')!(result('/p2', 1, 'failed'));
    listeners.get('provisioning.finished')!(result('/p3', 1, 'provisioned'));
    expect(store.getState().counters).toEqual({ provisioned: 1, failed: 1, skipped: 0, held: 0 });
    expect(store.getState().startedAt).toBe(1000);

    await store.getState().retry('/p2');
    expect(calls.at(-1)).toEqual(['provisioning.provision', { productKey: 'P1', port: '/p2', ifProvisioned: 'reprovision' }]);
    await store.getState().retry('/unknown');
    expect(calls).toHaveLength(2);
  });
});
