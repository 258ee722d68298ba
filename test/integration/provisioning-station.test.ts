import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ProvisionResult } from '../../shared/contract/provisioning';
import { exportThingModel } from '../../shared/model/thing-model-json';
import { ok, type Result } from '../../shared/result';
import { createLocalApi } from '../../electron/bridge/local-api';
import { initDataFolder } from '../../electron/core/init';
import { openServices, type Services, type ServicesConfig } from '../../electron/services';
import { BUILT_IN_MODEL } from '../../electron/sim/telemetry';
import { tempDir } from '../helpers/cli';
import { stopSim } from '../helpers/provisioning';
import { startSimDevice, type SimDevice } from '../helpers/sim';


const unlock = async () => ok({ method: 'passphrase' as const, passphrase: 'station test passphrase' });
const BAUD = 1_000_000;

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe('factory station: slots bound to port identity run the pipeline on plug', () => {
  const dir = tempDir('commissioner-station-');
  const data = join(dir, 'data');
  const slots = [join(dir, 'slotA'), join(dir, 'slotB')];
  const sims: SimDevice[] = [];
  const finished: ProvisionResult[] = [];
  let services: Services;

  const config = (extra: Partial<ServicesConfig> = {}): ServicesConfig => ({ dataDir: data, host: 'cli', logLevel: 'warn', unlock, ...extra });
  const sim = async (name: string, serial: string, args: string[] = []) => {
    const device = await startSimDevice(dir, name, ['--baud', String(BAUD), '--serial', serial, ...args]);
    sims.push(device);
    return device;
  };

  beforeAll(async () => {
    value(await initDataFolder(data, unlock, { scrypt: { N: 2 ** 14, r: 8, p: 1 } }));
    const setup = value(await openServices(config()));
    const productKey = value(await createLocalApi(setup.dispatcher, setup.events).call('products.create', { name: 'Station meter', authScheme: 'device-secret', protocols: ['mqtt'], namingRule: { prefix: 'ST-', source: 'serial' }, thingModel: exportThingModel(BUILT_IN_MODEL) })).product.productKey;
    await setup.stop();
    services = value(
      await openServices(
        config({
          hub: { host: '127.0.0.1', mqttPort: 0, mqttsPort: null, wssPort: null },
          serial: { pollMs: 50, timeoutMs: 500, attempts: 3 },
          provisioning: { station: { slots, productKey, driver: 'framed', baud: BAUD, ifProvisioned: 'skip', unmatched: 'naming-rule', verifyTimeoutMs: 3000, samples: 1, operator: 'station-test' } },
        }),
      ),
    );
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
