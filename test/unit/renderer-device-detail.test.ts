import { describe, expect, it } from 'vitest';
import type { Api } from '../../shared/api';
import type { DeviceLogLine, DeviceSyncState, HubMessage, LedgerEntry } from '../../shared/contract';
import { err, ok } from '../../shared/result';
import type { ThingModel } from '../../shared/model/thing-model';
import { measurepointsToSet, serviceParams } from '../../renderer/src/devices/command-input';
import { fieldErrorsFromViolations, measurepointFields } from '../../renderer/src/devices/param-fields';
import { appendDeviceLog, filterDeviceLog } from '../../renderer/src/ports/device-log';
import { createDeviceActivityStore, messagesOf } from '../../renderer/src/stores/device-activity';
import { createPortsStore } from '../../renderer/src/stores/ports';

const model: ThingModel = {
  modelId: 'm',
  name: { defaultValue: 'm' },
  attributes: {},
  events: {},
  services: { reset: { identifier: 'reset', inputData: [{ identifier: 'hard', dataType: 'BOOL', dataDefinition: null }], outputData: [], callType: 'SYNC' } },
  measurepoints: {
    setpoint: { identifier: 'setpoint', name: { defaultValue: 'Set point' }, dataType: 'DOUBLE', dataDefinition: null, range: { min: 0, max: 50 } },
    relay: { identifier: 'relay', dataType: 'BOOL', dataDefinition: null },
    mode: { identifier: 'mode', dataType: 'ENUM', dataDefinition: { enumType: 'INT', enumDesc: { '0': { defaultValue: 'auto' }, '1': { defaultValue: 'manual' } } } },
    flow: { identifier: 'flow', dataType: 'FLOAT', dataDefinition: null, hasQuality: true },
  },
};

const message = (deviceKey: string, value: number): HubMessage => ({ receivedAt: value, productKey: 'P1', deviceKey, kind: 'measurepoints', time: value, values: { temp: value } });

describe('measurepoint-set form generated from the thing model', () => {
  it('has a field per measurepoint: a BOOL may stay unset, a point with quality takes JSON', () => {
    expect(measurepointFields(model).map((field) => [field.id, field.kind, field.dataType])).toEqual([
      ['setpoint', 'number', 'DOUBLE'],
      ['relay', 'flag', 'BOOL'],
      ['mode', 'enum', 'ENUM'],
      ['flow', 'json', 'FLOAT+quality'],
    ]);
    expect(measurepointFields(model)[0]!.label).toBe('Set point');
  });

  it('sends only the points filled in, typed', () => {
    expect(measurepointsToSet(model, { setpoint: '21.5', relay: '', mode: '1' }, 'none')).toEqual({ ok: true, value: { setpoint: 21.5, mode: 1 } });
    expect(measurepointsToSet(model, { relay: 'false', flow: '{"value":1.5,"quality":0}' }, 'none')).toEqual({ ok: true, value: { relay: false, flow: { value: 1.5, quality: 0 } } });
  });

  it('refuses an empty form, text of the wrong type, and what the shared validator refuses, on the field concerned', () => {
    expect(measurepointsToSet(model, { relay: '' }, 'Fill in one')).toEqual({ ok: false, fieldErrors: { '': 'Fill in one' } });
    expect(measurepointsToSet(model, { setpoint: 'warm' }, 'none')).toEqual({ ok: false, fieldErrors: { setpoint: 'DOUBLE expected' } });
    const outOfRange = measurepointsToSet(model, { setpoint: '80' }, 'none');
    expect(outOfRange.ok).toBe(false);
    if (!outOfRange.ok) expect(Object.keys(outOfRange.fieldErrors)).toEqual(['setpoint']);
    const badQuality = measurepointsToSet(model, { flow: '{"value":1,"quality":12}' }, 'none');
    expect(badQuality.ok).toBe(false);
    if (!badQuality.ok) expect(Object.keys(badQuality.fieldErrors)).toEqual(['flow']);
  });

  it('maps violations under a root to their field and the rest to the form', () => {
    expect(fieldErrorsFromViolations([{ path: '$.measurepoints.setpoint', message: 'too high' }, { path: '$.time', message: 'bad time' }], '$.measurepoints')).toEqual({ setpoint: 'too high', '': 'bad time' });
  });

  it('service params keep their behaviour: an unticked BOOL is false', () => {
    expect(serviceParams(model, 'reset', {})).toEqual({ ok: true, value: { hard: false } });
  });
});

/** An api whose events the test pushes and whose calls answer from handlers. */
function activityApi(handlers: Record<string, (input: Record<string, unknown>) => unknown>) {
  const listeners = new Map<string, (payload: unknown) => void>();
  const calls: [string, Record<string, unknown>][] = [];
  const api = {
    async call(channel: string, input: Record<string, unknown>) {
      calls.push([channel, input]);
      return handlers[channel]!(input);
    },
    on: (channel: string, listener: (payload: unknown) => void) => (listeners.set(channel, listener), () => listeners.delete(channel)),
  } as unknown as Api;
  return { api, calls, listeners, push: (channel: string, payload: unknown) => listeners.get(channel)?.(payload) };
}

const entry = (seq: number, deviceKey: string): LedgerEntry => ({
  seq, at: seq, stationId: 's', operator: 'op', runId: seq, outcome: 'provisioned', productKey: 'P1', deviceKey, serial: null, mac: null, firmware: null,
  scheme: 'device-secret', credentialFingerprint: null, steps: [], checks: [], prevHash: '0', hash: String(seq),
});
const syncState = (state: DeviceSyncState['state']): DeviceSyncState => ({ target: 'enos', kind: 'enos', state, seq: 4, revision: 2, attempts: 0, error: null, cloudId: null, updatedAt: null });

describe('device activity store', () => {
  it('loads the device’s history, ledger entries and sync state, then keeps only its messages from the live stream', async () => {
    let syncAnswer = syncState('pending');
    const { api, calls, push } = activityApi({
      'hub.messages': () => ok([message('d1', 1)]),
      'provisioning.ledger.device': () => ok([entry(3, 'd1')]),
      'sync.device': () => ok([syncAnswer]),
    });
    const store = createDeviceActivityStore(api);
    const stop = store.getState().follow();
    await store.getState().open({ productKey: 'P1', deviceKey: 'd1' });
    expect(calls.map(([channel, input]) => [channel, input])).toEqual([
      ['hub.messages', { device: 'P1/d1', limit: 100 }],
      ['provisioning.ledger.device', { device: 'P1/d1' }],
      ['sync.device', { productKey: 'P1', deviceKey: 'd1' }],
    ]);
    expect(store.getState()).toMatchObject({ ledger: [{ seq: 3 }], sync: [{ state: 'pending' }], error: null });

    push('hub.messages', { messages: [message('d2', 2), message('d1', 3)], dropped: 0 });
    expect(store.getState().messages.map((item) => item.receivedAt)).toEqual([1, 3]);

    syncAnswer = syncState('sent');
    push('sync.progress', {});
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.getState().sync[0]!.state).toBe('sent');

    const before = calls.length;
    push('provisioning.finished', { productKey: 'P1', deviceKey: 'd2' });
    push('provisioning.finished', { productKey: 'P1', deviceKey: 'd1' });
    expect(calls.slice(before).map(([channel]) => channel)).toEqual(['provisioning.ledger.device']);
    stop();
  });

  it('drops answers for a device no longer shown, and a closed detail shows nothing', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { api } = activityApi({
      'hub.messages': async (input) => (input.device === 'P1/slow' ? (await gate, ok([message('slow', 9)])) : ok([])),
      'provisioning.ledger.device': (input) => ok(input.device === 'P1/slow' ? [entry(1, 'slow')] : []),
      'sync.device': () => ok([]),
    });
    const store = createDeviceActivityStore(api);
    const slow = store.getState().open({ productKey: 'P1', deviceKey: 'slow' });
    await store.getState().open({ productKey: 'P1', deviceKey: 'fast' });
    release();
    await slow;
    expect(store.getState()).toMatchObject({ device: { deviceKey: 'fast' }, messages: [], ledger: [] });
    await store.getState().open(null);
    expect(store.getState()).toMatchObject({ device: null, messages: [], ledger: [], sync: [] });
  });

  it('shows a refusal with its code; a station without a hub gives no history but no error', async () => {
    const { api } = activityApi({
      'hub.messages': () => err('NO_OWNER', 'The hub is not running in this process.'),
      'provisioning.ledger.device': () => err('NOT_FOUND', 'No device "P1/x".'),
      'sync.device': () => ok([]),
    });
    const store = createDeviceActivityStore(api);
    await store.getState().open({ productKey: 'P1', deviceKey: 'x' });
    expect(store.getState().error?.code).toBe('NOT_FOUND');
    expect(store.getState().messages).toEqual([]);
  });

  it('picks one device’s messages out of a batch', () => {
    expect(messagesOf([message('d1', 1), message('d10', 2)], { productKey: 'P1', deviceKey: 'd1' }).map((item) => item.deviceKey)).toEqual(['d1']);
  });
});

const logLine = (path: string, level: string, uptimeMs: number): DeviceLogLine => ({ path, level, uptimeMs, text: `${level} at ${uptimeMs}` });

describe('device log diagnosis', () => {
  it('filters by the least severe level shown and by port; an unknown level counts as info', () => {
    const lines = [logLine('/a', 'debug', 1), logLine('/a', 'info', 2), logLine('/b', 'warn', 3), logLine('/a', 'error', 4), logLine('/a', 'verbose', 5)];
    expect(filterDeviceLog(lines, 'warn', '').map((line) => line.uptimeMs)).toEqual([3, 4]);
    expect(filterDeviceLog(lines, 'info', '/a').map((line) => line.uptimeMs)).toEqual([2, 4, 5]);
    expect(filterDeviceLog(lines, 'debug', '/a')).toHaveLength(4);
  });

  it('keeps the newest lines, at most the cap', () => {
    let buffer: DeviceLogLine[] = [];
    for (let index = 0; index < 5; index += 1) buffer = appendDeviceLog(buffer, logLine('/a', 'info', index), 3);
    expect(buffer.map((line) => line.uptimeMs)).toEqual([2, 3, 4]);
  });

  it('the ports store collects pushed log lines from every port', () => {
    const listeners = new Map<string, (payload: unknown) => void>();
    const api = { call: async () => ok(null), on: (channel: string, listener: (payload: unknown) => void) => (listeners.set(channel, listener), () => listeners.delete(channel)) } as unknown as Api;
    const store = createPortsStore(api);
    const stop = store.getState().follow();
    listeners.get('ports.device.log')!(logLine('/a', 'warn', 1));
    listeners.get('ports.device.log')!(logLine('/b', 'info', 2));
    expect(store.getState().deviceLog.map((line) => line.path)).toEqual(['/a', '/b']);
    stop();
    expect(listeners.has('ports.device.log')).toBe(false);
  });
});
