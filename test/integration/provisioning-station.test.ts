import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ProvisionResult } from '../../shared/contract/provisioning';
import { exportThingModel } from '../../shared/model/thing-model-json';
import type { Services } from '../../electron/services';
import { BUILT_IN_MODEL } from '../../electron/sim/telemetry';
import { tempDir } from '../helpers/cli';
import { openStationServices, stopSim } from '../helpers/provisioning';
import { startSimDevice, type SimDevice } from '../helpers/sim';

const BAUD = 1_000_000;

describe('factory station: slots bound to port identity run the pipeline on plug', () => {
  const dir = tempDir('commissioner-station-');
  const data = join(dir, 'data');
  const slots = [join(dir, 'slotA'), join(dir, 'slotB')];
  const sims: SimDevice[] = [];
  const finished: ProvisionResult[] = [];
  let services: Services;

  const sim = async (name: string, serial: string, args: string[] = []) => {
    const device = await startSimDevice(dir, name, ['--baud', String(BAUD), '--serial', serial, ...args]);
    sims.push(device);
    return device;
  };

  beforeAll(async () => {
    ({ services } = await openStationServices(data, { slots, prefix: 'ST-', baud: BAUD, operator: 'station-test' }));
    services.events.subscribe((channel, payload) => channel === 'provisioning.finished' && finished.push(payload as ProvisionResult));
    await services.start();
  }, 60_000);

  afterAll(async () => {
    for (const device of sims) await stopSim(device);
    await services?.stop();
  }, 60_000);

  it('provisions what is plugged into each slot without a call; a failing slot does not stop the other; a new device in a slot runs again', async () => {
    const wrongModel = join(dir, 'wrong.json');
    writeFileSync(wrongModel, JSON.stringify(exportThingModel({ ...BUILT_IN_MODEL, measurepoints: { humidity: { identifier: 'humidity', dataType: 'BOOL', dataDefinition: {} } } })));
    const first = await sim('slotA', 'SN-A1');
    await sim('slotB', 'SN-B1', ['--thing-model', wrongModel]);
    await vi.waitFor(() => expect(finished).toHaveLength(2), { timeout: 30_000, interval: 100 });
    const byPort = new Map(finished.map((result) => [result.port, result]));
    expect(byPort.get(slots[0]!)).toMatchObject({ outcome: 'provisioned', deviceKey: 'ST-SN-A1' });
    expect(byPort.get(slots[1]!)).toMatchObject({ outcome: 'failed', error: { code: 'PROVISION_VERIFY_FAILED' } });

    // Unplug the first device; the next one plugged into the same slot is provisioned in turn.
    await stopSim(first);
    await sim('slotA', 'SN-A2');
    await vi.waitFor(() => expect(finished.map((result) => result.deviceKey)).toContain('ST-SN-A2'), { timeout: 30_000, interval: 100 });
    expect(finished.find((result) => result.deviceKey === 'ST-SN-A2')?.outcome).toBe('provisioned');
  }, 120_000);
});
