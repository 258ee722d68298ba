import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventPayload } from '../../shared/contract';
import type { ProvisionResult } from '../../shared/contract/provisioning';
import { ERROR_MESSAGES } from '../../shared/errors';
import type { Result } from '../../shared/result';
import type { Api } from '../../shared/api';
import { createLocalApi } from '../../electron/bridge/local-api';
import type { Services } from '../../electron/services';
import { tempDir } from '../helpers/cli';
import { fillDisk } from '../helpers/disk';
import { openStationServices, stopSim } from '../helpers/provisioning';
import { startSimDevice, type SimDevice } from '../helpers/sim';

const BAUD = 1_000_000;

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe('a full disk (issue 9 "Bad input"): a clear reason per device, nothing half-recorded, the station keeps running', () => {
  const dir = tempDir('commissioner-disk-full-');
  const data = join(dir, 'data');
  const slots = { a: join(dir, 'slotA'), b: join(dir, 'slotB') } as const;
  const sims: SimDevice[] = [];
  const finished: ProvisionResult[] = [];
  /** The station's log lines for slot runs that could not begin. */
  const refused: Array<Record<string, unknown>> = [];
  let services: Services;
  let api: Api;
  let productKey = '';
  /**
   * Armed for one slot: the disk fills as its device is plugged (before its run's first write) or
   * as its record step starts, and is freed as soon as the run has failed there (the record step's
   * end, or the log line of a run that could not begin). Filling and freeing happen inside the run,
   * with no turn of the event loop between, so only the pipeline meets the full disk (the hub's
   * timed writes are not what this test is about).
   */
  let fillOn: { port: string; when: 'plugged' | 'record' } | null = null;
  let disk: { free(): void } | null = null;
  const freeDisk = () => {
    disk?.free();
    disk = null;
    fillOn = null;
  };

  const plug = async (slot: 'a' | 'b', serial: string) => {
    const device = await startSimDevice(dir, `slot${slot.toUpperCase()}`, ['--baud', String(BAUD), '--serial', serial, '--state', join(dir, `${serial}.flash.json`)]);
    sims.push(device);
    return device;
  };
  /** The station's `count`-th result for a serial. */
  const resultFor = (serial: string, count = 1) =>
    vi.waitFor(
      () => {
        const results = finished.filter((result) => result.serial === serial);
        expect(results).toHaveLength(count);
        return results.at(-1)!;
      },
      { timeout: 30_000, interval: 100 },
    );
  const ledger = async () => JSON.parse(value(await api.call('provisioning.ledger.export', { format: 'json' })).text) as Array<{ deviceKey: string | null; outcome: string }>;

  beforeAll(async () => {
    ({ services, productKey } = await openStationServices(data, { slots: Object.values(slots), prefix: 'FD-', baud: BAUD, operator: 'disk-full-test' }));
    api = createLocalApi(services.dispatcher, services.events);
    services.events.subscribe((channel, payload) => {
      if (channel === 'provisioning.finished') finished.push(payload as ProvisionResult);
      if (channel === 'ports.added' && fillOn?.when === 'plugged' && (payload as EventPayload<'ports.added'>).path === fillOn.port) disk = fillDisk(services.db, 'provisioning_runs');
      if (channel !== 'provisioning.progress' || fillOn?.when !== 'record') return;
      const progress = payload as EventPayload<'provisioning.progress'>;
      if (progress.port !== fillOn.port || progress.step !== 'record') return;
      if (progress.status === 'started') disk = fillDisk(services.db, 'birth_records');
      else freeDisk();
    });
    services.logger.onLine((line) => {
      if (line.msg === 'station slot run failed' && line.data?.port === fillOn?.port) {
        refused.push(line.data!);
        freeDisk();
      }
    });
    await services.start();
  }, 60_000);

  afterAll(async () => {
    // The devices go first: their sessions at the station's hub end cleanly.
    await Promise.all(sims.map(stopSim));
    await services?.stop();
  }, 60_000);

  it('a disk already full when a device is plugged: the station logs the slot\'s reason; space freed, the device plugged again is provisioned', async () => {
    fillOn = { port: slots.a, when: 'plugged' };
    const refusedDevice = await plug('a', 'SN-EARLY');
    await vi.waitFor(() => expect(refused).toEqual([{ port: slots.a, error: { code: 'PROVISION_STORAGE_FULL', message: ERROR_MESSAGES.PROVISION_STORAGE_FULL } }]), { timeout: 30_000, interval: 100 });
    expect(disk).toBeNull();
    expect(finished).toEqual([]);
    expect(services.db.prepare('SELECT count(*) AS runs FROM provisioning_runs').get()).toEqual({ runs: 0 });

    await stopSim(refusedDevice);
    const replugged = await plug('a', 'SN-EARLY');
    expect(await resultFor('SN-EARLY')).toMatchObject({ outcome: 'provisioned', deviceKey: 'FD-SN-EARLY', resumed: false });
    await stopSim(replugged);
  }, 120_000);

  it('the record step meets a full disk: PROVISION_STORAGE_FULL, no provisioned state, ledger success or birth record; another slot and the re-plugged device then succeed', async () => {
    fillOn = { port: slots.a, when: 'record' };
    const first = await plug('a', 'SN-FULL');
    const failed = await resultFor('SN-FULL');
    expect(failed).toMatchObject({ outcome: 'failed', deviceKey: 'FD-SN-FULL', error: { code: 'PROVISION_STORAGE_FULL', message: ERROR_MESSAGES.PROVISION_STORAGE_FULL } });
    expect(failed.error?.message).toMatch(/disk is full.*nothing was recorded as done/);
    expect(failed.steps.map((step) => `${step.step} ${step.status}`)).toEqual(['identify done', 'plan done', 'credential done', 'verify done', 'commit done', 'record failed']);
    expect(disk).toBeNull();

    // The record step's transaction left nothing: the device is not provisioned (the hub may since
    // have seen it log in at its destination, this hub), the ledger holds the failure only, and
    // there is no birth record.
    const device = `${productKey}/FD-SN-FULL`;
    expect(value(await api.call('devices.get', { ref: device })).state).not.toBe('provisioned');
    expect((await ledger()).filter((entry) => entry.deviceKey === 'FD-SN-FULL').map((entry) => entry.outcome)).toEqual(['failed']);
    expect(await api.call('provisioning.report', { device })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    value(await api.call('provisioning.ledger.verify', {}));
    expect(services.db.prepare('SELECT status, error_code AS code FROM provisioning_runs WHERE id = ?').get(failed.runId)).toEqual({ status: 'failed', code: 'PROVISION_STORAGE_FULL' });

    // Space freed: the station runs on, and a device in the other slot is provisioned.
    await plug('b', 'SN-NEXT');
    expect(await resultFor('SN-NEXT')).toMatchObject({ outcome: 'provisioned', deviceKey: 'FD-SN-NEXT' });

    // The failed device plugged in again resumes its run (same deviceKey and credential) and is recorded once.
    await stopSim(first);
    await plug('a', 'SN-FULL');
    const again = await resultFor('SN-FULL', 2);
    expect(again).toMatchObject({ outcome: 'provisioned', resumed: true, deviceKey: 'FD-SN-FULL', error: null });
    expect(again.steps.find((step) => step.step === 'credential')?.status).toBe('reused');
    expect((await ledger()).filter((entry) => entry.deviceKey === 'FD-SN-FULL').map((entry) => entry.outcome)).toEqual(['failed', 'provisioned']);
    expect(value(await api.call('provisioning.report', { device })).body.runId).toBe(again.runId);
    value(await api.call('provisioning.ledger.verify', {}));
  }, 120_000);
});
