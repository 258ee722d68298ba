import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { rateRatio, report, timeRatio } from './report';

/**
 * The hub against the reference harness (`../shared/bench`, "EnOS mode"), in one run with the same
 * EnOS logins and payloads: Mosquitto with password auth, `aedes-enos` (bare aedes doing only the
 * signature check and topic ownership) and our hub (EnOS login, ACL, thing-model validation of every
 * message, statistics). Every suite scenario is reported as a ratio to `aedes-enos` and to Mosquitto,
 * then the memory per idle device (RSS delta from 0 to 10,000 idle connections ÷ 10,000; median of three runs per broker).
 * The harness runs from a copy under .tmp/ (its C generator is compiled there), never in shared/.
 *
 * BENCH_HUB_QUICK=1: the harness's --quick sizes and one repetition (a smoke run).
 * BENCH_HUB_PROFILE=DIR: every hub run of the suite writes a CPU profile (`node --cpu-prof`) into DIR when it stops.
 */
const ROOT = resolve(__dirname, '..');
const HARNESS_SOURCE = resolve(ROOT, '../shared/bench');
const WORK = resolve(ROOT, '.tmp/hub-bench');
const HARNESS = join(WORK, 'harness');
const HUB_PORT = 18851;
const IDLE_DEVICES = 10_000;
const QUICK = process.env.BENCH_HUB_QUICK === '1';
const PROFILE = process.env.BENCH_HUB_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_HUB_PROFILE)}`] : [];
/** The CLI of the build under test: a private build when COMMISSIONER_BUILD_OUT is set, else bin/. */
const CLI = process.env.COMMISSIONER_BUILD_OUT ? ['test/helpers/cli-loader.mjs'] : ['bin/commissioner.js'];
const HUB_ENV = { COMMISSIONER_PASSPHRASE: 'bench-only', COMMISSIONER_SCRYPT_LOG2N: '14', ...(process.env.COMMISSIONER_BUILD_OUT ? { COMMISSIONER_BUILD_OUT: resolve(process.env.COMMISSIONER_BUILD_OUT) } : {}) };

/** Scenario → the figure compared, and whether higher is better. */
const FIGURES: Record<string, { unit: string; pick: (result: Record<string, unknown>) => number | undefined; rate: boolean; target?: string }> = {
  connstorm: { unit: 'connects/s', pick: (r) => r.connects_per_s as number, rate: true, target: '≥ 0.9× aedes-enos' },
  'fanin-qos0-nosub': { unit: 'msgs/s', pick: (r) => r.msgs_per_s as number, rate: true, target: '≥ 0.7× aedes-enos' },
  'fanin-qos0-sub': { unit: 'msgs/s', pick: (r) => r.msgs_per_s as number, rate: true, target: '≥ 0.7× aedes-enos' },
  'fanin-qos1-nosub': { unit: 'msgs/s', pick: (r) => r.msgs_per_s as number, rate: true, target: '≥ 0.9× aedes-enos' },
  'fanin-qos1-sub': { unit: 'msgs/s', pick: (r) => r.msgs_per_s as number, rate: true, target: '≥ 0.9× aedes-enos' },
  'fanin-qos1-many': { unit: 'msgs/s', pick: (r) => r.msgs_per_s as number, rate: true, target: '≥ 0.9× aedes-enos' },
  'e2e-qos0': { unit: 'ms p50', pick: (r) => (r.e2e_ms as { p50?: number } | undefined)?.p50, rate: false },
  'e2e-qos1': { unit: 'ms p50', pick: (r) => (r.e2e_ms as { p50?: number } | undefined)?.p50, rate: false },
};
const P99: Record<string, true> = { 'e2e-qos0': true, 'e2e-qos1': true };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function copyHarness(): void {
  rmSync(HARNESS, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  cpSync(HARNESS_SOURCE, HARNESS, { recursive: true, filter: (path) => !path.includes('/results/') && !path.endsWith('/node_modules') });
  // The harness pins aedes 1.2.0 and mqtt-packet 9.0.2, the versions our own node_modules holds.
  symlinkSync(join(ROOT, 'node_modules'), join(HARNESS, 'node_modules'), 'dir');
  const build = spawnSync('cc', ['-O2', '-o', join(HARNESS, 'mqttbench'), join(HARNESS, 'mqttbench.c'), '-lm'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`cannot build the generator: ${build.stderr}`);
}

/** The hub as a harness target: a fresh data folder per suite, the bench product with its model, the seed imported. */
function hubTarget(): string {
  const target = [
    {
      name: 'hub',
      port: HUB_PORT,
      creds: 'enos',
      cwd: ROOT,
      env: { COMMISSIONER_DATA: '{work}/hub-data', ...HUB_ENV },
      setup: [
        ['node', ...CLI, 'init'],
        { cmd: ['node', ...CLI, '--json', 'product', 'create', '--name', 'bench', '--auth', 'device-secret', '--model', 'bench/bench-model.json'], productKeyFrom: 'value.product.productKey' },
        ['node', ...CLI, 'device', 'import', '{seed}', '--product', '{productKey}'],
      ],
      cmd: ['node', ...PROFILE, ...CLI, 'hub', '--host', '127.0.0.1', '--mqtt-port', String(HUB_PORT), '--mqtts-port', 'off', '--wss-port', 'off', '--monitor', '{productKey}/bench-monitor', '--ports-file', '{work}/hub-ports.json'],
      readyFile: '{work}/hub-ports.json',
      readyTimeoutS: 60,
    },
  ];
  const path = join(WORK, 'targets.json');
  writeFileSync(path, JSON.stringify(target, null, 2));
  return path;
}

interface SuiteLine {
  bench?: string;
  scenario?: string;
  target?: string;
  result?: Record<string, unknown>;
  cpu?: { broker_cpu_pct?: number };
  suite?: { warmup?: boolean; scenario_key?: string; noisy_kept?: string; discarded?: string };
  broker_rss_mb?: number | null;
}

function runSuite(targets: string): SuiteLine[] {
  const out = join(WORK, 'suite.jsonl');
  rmSync(out, { force: true });
  const args = [join(HARNESS, 'run-suite.mjs'), '--targets', targets, '--only', 'mosquitto-auth,aedes-enos,hub', '--creds-format', 'enos', '--out', out, ...(QUICK ? ['--quick', '--reps', '1'] : ['--reps', '3'])];
  const run = spawnSync(process.execPath, args, { cwd: HARNESS, stdio: ['ignore', 'inherit', 'inherit'], timeout: 60 * 60_000 });
  if (run.status !== 0) throw new Error(`run-suite exited ${run.status}`);
  return readFileSync(out, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SuiteLine);
}

/** The hub's broker CPU per operation beside the anchor's, and their ratio (anchor ÷ hub: above 1 means the hub costs less). */
function cpuFigures(hub: number | undefined, aedes: number | undefined): Record<string, number> {
  if (hub === undefined || aedes === undefined) return {};
  return { cpuUsPerOp: Number(hub.toFixed(2)), anchorCpuUsPerOp: Number(aedes.toFixed(2)), cpuRatio: timeRatio(hub, aedes) };
}

function reportSuite(lines: SuiteLine[]): number {
  // A sample the harness discarded (other processes were busy) was taken again: only the retake counts.
  const measured = lines.filter((line) => line.result && line.target && !line.suite?.warmup && !line.suite?.discarded);
  let reported = 0;
  for (const [scenario, figure] of Object.entries(FIGURES)) {
    const samplesOf = (target: string) => measured.filter((line) => (line.suite?.scenario_key ?? line.scenario) === scenario && line.target === target);
    const valueOf = (target: string, pick = figure.pick) => {
      const values = samplesOf(target).map((line) => pick(line.result!)).filter((value): value is number => typeof value === 'number');
      return values.length ? median(values) : undefined;
    };
    /** Broker CPU µs per connect or message: what a shared, loaded machine distorts least (a starved broker is slow, not costly). */
    const cpuPerOp = (target: string) => {
      const values = samplesOf(target)
        .map((line) => ((line.cpu?.broker_cpu_pct ?? NaN) * 1e4) / (figure.pick(line.result!) ?? NaN))
        .filter((value) => Number.isFinite(value) && value > 0);
      return values.length ? median(values) : undefined;
    };
    const emit = (label: string, unit: string, rate: boolean, pick: typeof figure.pick, target?: string) => {
      const hub = valueOf('hub', pick);
      const aedes = valueOf('aedes-enos', pick);
      const mosquitto = valueOf('mosquitto-auth', pick);
      if (hub === undefined || aedes === undefined) return;
      const ratio = rate ? rateRatio(hub, aedes) : timeRatio(hub, aedes);
      report({
        bench: 'hub',
        case: label,
        value: hub,
        unit,
        anchor: { name: 'aedes-enos', value: aedes },
        ratio,
        ...(mosquitto !== undefined ? { mosquitto, ratioToMosquitto: rate ? rateRatio(hub, mosquitto) : timeRatio(hub, mosquitto) } : {}),
        ...(rate ? cpuFigures(cpuPerOp('hub'), cpuPerOp('aedes-enos')) : {}),
        ...(target ? { target } : {}),
        quick: QUICK,
      });
      reported++;
    };
    emit(scenario, figure.unit, figure.rate, figure.pick, figure.target);
    if (P99[scenario]) emit(`${scenario} p99`, 'ms p99', false, (r) => (r.e2e_ms as { p99?: number } | undefined)?.p99);
  }
  return reported;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function waitForPort(port: number, timeoutMs = 60_000): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1', () => (socket.destroy(), done(true)));
      socket.on('error', () => done(false));
    });
    if (open) return;
    await new Promise((wait) => setTimeout(wait, 200));
  }
  throw new Error(`port ${port} never opened`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/** RSS delta of one broker from idle to 10,000 idle EnOS connections, per connection (KiB). */
async function idleMemory(name: string, productKey: string, start: () => ChildProcess, port: number): Promise<number> {
  const gen = join(WORK, `gen-${productKey}.tsv`);
  writeFileSync(gen, spawnSync(process.execPath, [join(HARNESS, 'lib/creds.mjs'), '--count', String(IDLE_DEVICES), '--format', 'enos-gen', '--product-key', productKey], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout);
  const broker = start();
  try {
    await waitForPort(port);
    await new Promise((settle) => setTimeout(settle, 1000));
    const before = rssMb(broker.pid!);
    const run = spawnSync(join(HARNESS, 'mqttbench'), ['connstorm', '--port', String(port), '--clients', String(IDLE_DEVICES), '--concurrency', '100', '--creds', gen, '--creds-format', 'enos', '--broker-pid', String(broker.pid), '--target', name, '--timeout-s', '120'], { encoding: 'utf8', maxBuffer: 16 << 20 });
    const line = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as SuiteLine;
    const connected = (line.result?.connects_ok as number) ?? 0;
    if (connected < IDLE_DEVICES) throw new Error(`${name}: only ${connected} of ${IDLE_DEVICES} connected`);
    return ((line.broker_rss_mb! - before) * 1024) / IDLE_DEVICES;
  } finally {
    await stop(broker);
  }
}

async function seededHub(): Promise<{ productKey: string; dataDir: string }> {
  const dataDir = join(WORK, 'memory-hub');
  rmSync(dataDir, { recursive: true, force: true });
  const env = { ...process.env, ...HUB_ENV, COMMISSIONER_DATA: dataDir };
  const cli = (args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  cli(['init']);
  const created = JSON.parse(cli(['--json', 'product', 'create', '--name', 'bench', '--auth', 'device-secret', '--model', 'bench/bench-model.json']).stdout.trim().split('\n').at(-1)!);
  const productKey = created.value.product.productKey as string;
  const seed = join(WORK, 'seed.csv');
  writeFileSync(seed, spawnSync(process.execPath, [join(HARNESS, 'lib/creds.mjs'), '--count', String(IDLE_DEVICES), '--format', 'enos-seed', '--product-key', productKey], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout);
  const imported = cli(['device', 'import', seed, '--product', productKey]);
  if (imported.status !== 0) throw new Error(`seed import failed: ${imported.stderr}`);
  return { productKey, dataDir };
}

it('hub vs aedes-enos and Mosquitto on the reference harness (EnOS mode)', () => {
  expect(existsSync(join(HARNESS_SOURCE, 'run-suite.mjs'))).toBe(true);
  copyHarness();
  expect(reportSuite(runSuite(hubTarget()))).toBeGreaterThan(0);
});

/** Each broker's figure is the median of three fresh runs: one RSS reading after a login storm moved by a quarter between runs. */
async function medianIdleMemory(...args: Parameters<typeof idleMemory>): Promise<{ median: number; runs: number[] }> {
  const runs = [await idleMemory(...args), await idleMemory(...args), await idleMemory(...args)];
  return { median: median(runs), runs: runs.map((run) => Number(run.toFixed(2))) };
}

it('memory per idle device: hub vs aedes-enos and Mosquitto', async () => {
  copyHarness();
  const anchorKey = 'pKbench1';
  const aedes = await medianIdleMemory('aedes-enos', anchorKey, () => spawn(process.execPath, [join(HARNESS, 'targets/aedes-server.mjs'), '--port', '18843', '--auth', 'enos', '--devices', String(IDLE_DEVICES), '--product-key', anchorKey], { stdio: 'ignore' }), 18843);
  const mosquittoConf = join(WORK, 'mosquitto.conf');
  writeFileSync(mosquittoConf, 'listener 18831 127.0.0.1\nallow_anonymous true\npersistence false\nmax_connections -1\n');
  const mosquitto = await medianIdleMemory('mosquitto-noauth', anchorKey, () => spawn('mosquitto', ['-c', mosquittoConf], { stdio: 'ignore' }), 18831);
  const { productKey, dataDir } = await seededHub();
  const hub = await medianIdleMemory(
    'hub',
    productKey,
    () => spawn(process.execPath, [...CLI, 'hub', '--host', '127.0.0.1', '--mqtt-port', String(HUB_PORT), '--mqtts-port', 'off', '--wss-port', 'off'], { cwd: ROOT, env: { ...process.env, ...HUB_ENV, COMMISSIONER_DATA: dataDir }, stdio: 'ignore' }),
    HUB_PORT,
  );
  report({
    bench: 'hub',
    case: 'memory per idle device (10k, median of 3)',
    value: Number(hub.median.toFixed(2)),
    unit: 'KiB',
    anchor: { name: 'aedes-enos', value: Number(aedes.median.toFixed(2)) },
    ratio: timeRatio(hub.median, aedes.median),
    mosquittoNoAuth: Number(mosquitto.median.toFixed(2)),
    ratioToMosquitto: timeRatio(hub.median, mosquitto.median),
    runsKiB: { hub: hub.runs, aedesEnos: aedes.runs, mosquittoNoAuth: mosquitto.runs },
    target: '≤ 1.25× aedes-enos (ratio ≥ 0.8)',
  });
});
