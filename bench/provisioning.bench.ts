import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import type { Api } from '../shared/api';
import type { ProvisionResult } from '../shared/contract/provisioning';
import { exportThingModel } from '../shared/model/thing-model-json';
import { ok, type Result } from '../shared/result';
import { createLocalApi } from '../electron/bridge/local-api';
import { initDataFolder } from '../electron/core/init';
import { openServices, type Services } from '../electron/services';
import { createCsr, generateDeviceKey } from '../electron/sim/csr';
import { BUILT_IN_MODEL } from '../electron/sim/telemetry';
import { tempDir } from '../test/helpers/cli';
import { stopSim } from '../test/helpers/provisioning';
import { startSimDevice, startSimRig, type SimDevice } from '../test/helpers/sim';
import { report, timeRatio, rateRatio } from './report';


/** Issue 9 "Benchmark": per-device time per scheme against its floor, and devices/hour with 1–16 slots, at 115200 baud. */
const BAUD = 115_200;
const RUN = { baud: BAUD, verifyTimeoutMs: 10_000, samples: 1, operator: 'bench' };
const unlock = async () => ok({ method: 'passphrase' as const, passphrase: 'bench passphrase' });
const dir = tempDir('commissioner-bench-prov-');
const products: Record<string, string> = {};
let services: Services;
let api: Api;
let simCount = 0;

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

beforeAll(async () => {
  const data = join(dir, 'data');
  value(await initDataFolder(data, unlock, { scrypt: { N: 2 ** 14, r: 8, p: 1 } }));
  services = value(await openServices({ dataDir: data, host: 'cli', logLevel: 'error', unlock, hub: { host: '127.0.0.1', mqttPort: 0, mqttsPort: 0, wssPort: null }, serial: { timeoutMs: 2000, attempts: 3 } }));
  api = createLocalApi(services.dispatcher, services.events);
  value(await api.call('certificates.caInit', { algorithm: 'P-256', name: 'Bench CA', validYears: 2 }));
  await services.start();
  for (const scheme of ['device-secret', 'product-secret', 'certificate'] as const) {
    products[scheme] = value(await api.call('products.create', { name: `Bench ${scheme}`, authScheme: scheme, protocols: ['mqtt'], namingRule: { prefix: 'B-', source: 'serial' }, thingModel: exportThingModel(BUILT_IN_MODEL) })).product.productKey;
  }
}, 120_000);

afterAll(() => services?.stop());

const freshSim = (args: string[]): Promise<SimDevice> => startSimDevice(dir, `s${++simCount}`, ['--baud', String(BAUD), ...args]);

/**
 * A relay that counts the bytes both ways between the pipeline and a sim (socat -x dumps every
 * transfer with its length); the pipeline opens the relay's own pseudo-terminal.
 */
function countingRelay(simPath: string): Promise<{ path: string; bytes(): number; stop(): void }> {
  const path = `${simPath}-relay`;
  const child = spawn('socat', ['-x', '-d', '-d', `pty,raw,echo=0,link=${path}`, `file:${simPath},raw,echo=0`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let total = 0;
  let ready: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (ready = resolve));
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString('latin1');
    if (text.includes('starting data transfer loop')) ready();
    for (const match of text.matchAll(/length=(\d+)/g)) total += Number(match[1]);
  });
  return started.then(() => ({ path, bytes: () => total, stop: () => child.kill() }));
}

/** The device's own compute for a CSR (key generation and signing), measured without any line or sleep. */
async function deviceCsrMs(): Promise<number> {
  const rounds = 20;
  const started = performance.now();
  for (let index = 0; index < rounds; index++) await createCsr(generateDeviceKey(), { country: 'XX', stateOrProvince: '-', locality: '-', organization: 'B', organizationalUnit: 'B' }, `bench-${index}`);
  return (performance.now() - started) / rounds;
}

type Scheme = 'device-secret' | 'product-secret' | 'certificate';

/** One device through the pipeline: its time and, when run over the counting relay, its bytes overall and per step. */
interface DeviceRun {
  ms: number;
  bytes: number;
  result: ProvisionResult;
  /** Bytes on the wire while each step ran (attributed by the step's progress events). */
  stepBytes: Record<string, number>;
}

/**
 * One device through the pipeline. `counted` puts the counting relay (one more PTY hop, and socat's
 * dump) between the pipeline and the sim: that instrument's latency is not the pipeline's, so timed
 * runs go straight to the sim and a separate counted run of the same scheme gives the bytes.
 */
async function oneDevice(scheme: Scheme, args: string[], counted: boolean): Promise<DeviceRun> {
  const device = await freshSim(args);
  const relay = counted ? await countingRelay(device.path) : null;
  const port = relay?.path ?? device.path;
  const stepBytes: Record<string, number> = {};
  const stepStart: Record<string, number> = {};
  const offProgress = services.events.subscribe((channel, payload) => {
    const progress = payload as { port: string; step: string; status: string };
    if (!relay || channel !== 'provisioning.progress' || progress.port !== port) return;
    if (progress.status === 'started') stepStart[progress.step] = relay.bytes();
    else stepBytes[progress.step] = relay.bytes() - (stepStart[progress.step] ?? 0);
  });
  const started = performance.now();
  const result = value(await api.call('provisioning.provision', { port, productKey: products[scheme]!, ...RUN }));
  const ms = performance.now() - started;
  offProgress();
  relay?.stop();
  await stopSim(device);
  if (result.outcome !== 'provisioned') throw new Error(`${scheme}: ${result.error?.message}`);
  return { ms, bytes: relay?.bytes() ?? 0, result, stepBytes };
}

const lineMsOf = (bytes: number) => (bytes * 1000) / (BAUD / 10);
const tenth = (ms: number) => Math.round(ms * 10) / 10;

/**
 * Where the time goes: per step, its time, the time its bytes take on the line, and the rest
 * (waits, host and device work off the line); for verify, the login and downstream latencies.
 */
function stepBreakdown(run: DeviceRun): Record<string, unknown> {
  const steps = Object.fromEntries(
    run.result.steps.map((step) => {
      const lineMs = lineMsOf(run.stepBytes[step.step] ?? 0);
      return [step.step, { ms: step.ms, lineMs: tenth(lineMs), offLineMs: tenth(step.ms - lineMs) }];
    }),
  );
  const checks = Object.fromEntries(run.result.checks.filter((check) => check.latencyMs !== null).map((check) => [`${check.protocol} ${check.check}`, check.latencyMs]));
  const stepsMs = run.result.steps.reduce((sum, step) => sum + step.ms, 0);
  return { steps, checkLatencyMs: checks, outsideStepsMs: tenth(run.ms - stepsMs) };
}

// Each scheme is measured on five fresh devices and the median reported: one run on a shared machine is
// noise, and with three a single disturbed run of the two slower ones moved the median by 10–20%.
const RUNS_PER_SCHEME = 5;

async function schemeCase(scheme: Scheme, args: string[] = [], label: string = scheme): Promise<void> {
  const counted = await oneDevice(scheme, args, true);
  const runs: DeviceRun[] = [];
  for (let index = 0; index < RUNS_PER_SCHEME; index++) runs.push(await oneDevice(scheme, args, false));
  const median = [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)]!;
  const lineMs = lineMsOf(counted.bytes);
  const computeMs = scheme === 'certificate' && !args.includes('refuse-csr') ? await deviceCsrMs() : 0;
  const floor = lineMs + computeMs;
  report({
    bench: 'provisioning',
    case: `one device, ${label}, ${BAUD} baud (median of ${RUNS_PER_SCHEME})`,
    value: Math.round(median.ms),
    unit: 'ms',
    anchor: { name: 'floor: bytes/(baud/10) + device compute', value: Math.round(floor) },
    ratio: timeRatio(median.ms, floor),
    target: '>= 0.83 (time <= 1.2x floor)',
    runsMs: runs.map((run) => Math.round(run.ms)),
    bytes: counted.bytes,
    lineMs: Math.round(lineMs),
    deviceComputeMs: Math.round(computeMs),
    // Per step from the counted run, whose times include the relay's hop.
    countedRunMs: Math.round(counted.ms),
    ...stepBreakdown(counted),
  });
}

// The station's first device also pays for the hub's and the pipeline's first use; a warm-up device takes that, unmeasured.
it('warm-up device', async () => {
  const run = await oneDevice('device-secret', [], true);
  report({ bench: 'provisioning', case: `first device of the station (warm-up, not a target), device-secret, ${BAUD} baud`, value: Math.round(run.ms), unit: 'ms', bytes: run.bytes, ...stepBreakdown(run) });
}, 120_000);
it('per-device time: device secret', () => schemeCase('device-secret'), 120_000);
it('per-device time: product secret (activation)', () => schemeCase('product-secret'), 120_000);
it('per-device time: certificate from the device CSR', () => schemeCase('certificate'), 120_000);
it('per-device time: certificate with a host-made key', () => schemeCase('certificate', ['--fault', 'refuse-csr'], 'certificate (host key)'), 120_000);

/**
 * One batch over `slots` fresh devices: devices per hour over its wall time, and the station
 * process's own CPU per device (pipeline and hub). The devices are one sim rig (`sim --count`),
 * a test rig's single emulator process on the same cores: one process per device ran every
 * device's firmware and MQTT code cold (about twice the CPU per device), and those processes took
 * the cores from the station they stand in for real boards to.
 */
async function batchRate(slots: number): Promise<{ perHour: number; stationCpuMsPerDevice: number }> {
  const rig = await startSimRig(dir, `rig${++simCount}`, slots, ['--baud', String(BAUD)]);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const batch = value(await api.call('provisioning.batch', { productKey: products['device-secret']!, ports: rig.paths, ...RUN }));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await rig.stop();
  if (batch.summary.provisioned !== slots) throw new Error(`${slots} slots: ${batch.summary.failed} failed: ${batch.results.find((result) => result.error)?.error?.message}`);
  return { perHour: Math.round((slots / seconds) * 3600), stationCpuMsPerDevice: tenth((used.user + used.system) / 1000 / slots) };
}

/**
 * Every slot count, the one-slot anchor included, is the median of three batches: one batch on a
 * shared machine is noise (single batches of the same count were seen 25% apart).
 */
async function medianRate(slots: number): Promise<{ perHour: number; stationCpuMsPerDevice: number; runs: number[] }> {
  const runs = [await batchRate(slots), await batchRate(slots), await batchRate(slots)].sort((a, b) => a.perHour - b.perHour);
  return { ...runs[1]!, runs: runs.map((run) => run.perHour) };
}

let oneSlotPerHour = 0;
it('devices/hour with one slot (anchor: median of 3)', async () => {
  const { perHour, runs, stationCpuMsPerDevice } = await medianRate(1);
  oneSlotPerHour = perHour;
  report({ bench: 'provisioning', case: `devices/hour, 1 slot, device secret, ${BAUD} baud (median of 3)`, value: perHour, unit: 'devices/h', runs, stationCpuMsPerDevice });
}, 600_000);

for (const slots of [2, 4, 8, 16]) {
  it(`devices/hour with ${slots} slots (median of 3)`, async () => {
    const { perHour, runs, stationCpuMsPerDevice } = await medianRate(slots);
    report({
      bench: 'provisioning',
      case: `devices/hour, ${slots} slots, device secret, ${BAUD} baud (median of 3)`,
      value: perHour,
      unit: 'devices/h',
      anchor: { name: `${slots} x one slot`, value: slots * oneSlotPerHour },
      ratio: rateRatio(perHour, slots * oneSlotPerHour),
      target: slots <= 8 ? '>= 0.9' : 'reported (2 cores)',
      runs,
      stationCpuMsPerDevice,
    });
  }, 600_000);
}
