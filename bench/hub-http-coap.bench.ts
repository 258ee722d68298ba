import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { coapAuthSign, httpAuthSign } from '../electron/protocol';
import { coapDatagram } from '../test/helpers/hub-transports';
import { rateRatio, report } from './report';

/**
 * HTTP and CoAP ingest (issue 6): the hub (`commissioner hub --http-port --coap-port`, EnOS login,
 * routing, thing-model validation and statistics per message) against anchors measured in the same
 * run: a bare Node `http` server and a bare `coap` server that look the session up in a Map and
 * answer the same reply envelope. A fixed number of devices post measurepoints concurrently:
 * autocannon for HTTP, a small bounded UDP generator (one socket per device, one request in flight
 * each) for CoAP. Both servers run in child processes; the load runs here.
 *
 * BENCH_HUB_QUICK=1: short runs (a smoke run). BENCH_HUB_PROFILE=DIR: the hub and the anchors write
 * a CPU profile each (`node --cpu-prof`) into DIR when they stop. BENCH_HUB_ONLY=http|coap: that
 * protocol alone (a profile of one protocol's path).
 */
const ROOT = resolve(__dirname, '..');
const WORK = resolve(ROOT, '.tmp/hub-http-coap-bench');
const DEVICES = 32;
const QUICK = process.env.BENCH_HUB_QUICK === '1';
const PROFILE = process.env.BENCH_HUB_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_HUB_PROFILE)}`] : [];
const SECONDS = QUICK ? 2 : 6;
const ROUNDS = QUICK ? 1 : 2;
const CLI = process.env.COMMISSIONER_BUILD_OUT ? ['test/helpers/cli-loader.mjs'] : ['bin/commissioner.js'];
const ENV = { ...process.env, COMMISSIONER_PASSPHRASE: 'bench-only', COMMISSIONER_SCRYPT_LOG2N: '14', ...(process.env.COMMISSIONER_BUILD_OUT ? { COMMISSIONER_BUILD_OUT: resolve(process.env.COMMISSIONER_BUILD_OUT) } : {}) };
const TARGET = '≥ 0.8× anchor';
const ONLY = process.env.BENCH_HUB_ONLY?.toLowerCase();

interface Figures {
  rps: number;
  p99: number;
  errors: number;
  /** The serving process's CPU time per request (µs): on a shared machine, steadier than the rate. */
  cpuUs: number;
}

/** User + system CPU of a process in µs, from /proc (Linux; clock ticks of 10 ms). */
function cpuTimeUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

interface Device {
  deviceKey: string;
  secret: string;
}

const body = (id: number) => JSON.stringify({ id: String(id), version: '1.0', method: 'thing.measurepoint.post', params: { measurepoints: { temp: 21.5, note: 'ok' }, time: 1700000000000 } });

/** The anchors: the same wire answers with nothing behind them but a Map of sessions. */
const ANCHORS = `
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import coap from 'coap';
import { writeFileSync } from 'node:fs';
const reply = (raw) => { let id; try { id = JSON.parse(raw).id; } catch {} return JSON.stringify({ id, code: 200, message: '', data: {} }); };
const httpSessions = new Map();
const http = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url, 'http://a');
    if (url.pathname.startsWith('/auth/')) {
      const id = randomBytes(24).toString('base64url');
      httpSessions.set(id, url.pathname.split('/')[3]);
      return res.end(JSON.stringify({ code: 200, data: { sessionId: id }, message: '' }));
    }
    if (!httpSessions.has(url.searchParams.get('sessionId'))) { res.statusCode = 401; return res.end('{}'); }
    res.setHeader('Content-Type', 'application/json');
    res.end(reply(Buffer.concat(chunks).toString()));
  });
});
const coapSessions = new Map();
const server = coap.createServer((req, res) => {
  const endpoint = req.rsinfo.address + ':' + req.rsinfo.port;
  if (req.url.startsWith('/auth/')) { coapSessions.set(endpoint, req.url.split('/')[3]); res.code = '2.04'; return res.end(); }
  if (!coapSessions.has(endpoint)) { res.code = '4.01'; return res.end(); }
  res.code = '2.04';
  res.end(reply(req.payload.toString()));
});
// An orderly exit on SIGTERM, so a CPU profile (BENCH_HUB_PROFILE) is written.
process.on('SIGTERM', () => process.exit(0));
http.listen(0, '127.0.0.1', () => server.listen(0, '127.0.0.1', () => {
  writeFileSync(process.argv[2], JSON.stringify({ http: http.address().port, coap: server._sock.address().port }));
}));
`;

async function waitForFile(path: string, timeoutMs = 60_000): Promise<Record<string, number>> {
  const start = Date.now();
  for (;;) {
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      if (Date.now() - start > timeoutMs) throw new Error(`${path} never appeared`);
      await new Promise((done) => setTimeout(done, 100));
    }
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** A data folder with the bench product and DEVICES devices, and the hub serving HTTP and CoAP on it. */
async function startHub(): Promise<{ child: ChildProcess; productKey: string; devices: Device[]; ports: Record<string, number> }> {
  const dataDir = join(WORK, 'hub-data');
  rmSync(dataDir, { recursive: true, force: true });
  const env = { ...ENV, COMMISSIONER_DATA: dataDir };
  const cli = (args: string[]) => spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, env, encoding: 'utf8' });
  cli(['init']);
  const created = JSON.parse(cli(['--json', 'product', 'create', '--name', 'bench', '--auth', 'device-secret', '--model', 'bench/bench-model.json']).stdout.trim().split('\n').at(-1)!);
  const productKey = created.value.product.productKey as string;
  const devices = Array.from({ length: DEVICES }, (_, i) => ({ deviceKey: `nb-${String(i).padStart(3, '0')}`, secret: randomBytes(15).toString('base64url').slice(0, 20) }));
  const seed = join(WORK, 'devices.csv');
  writeFileSync(seed, ['deviceKey,deviceSecret,name', ...devices.map((device) => `${device.deviceKey},${device.secret},${device.deviceKey}`)].join('\n') + '\n');
  const imported = cli(['device', 'import', seed, '--product', productKey]);
  if (imported.status !== 0) throw new Error(`device import failed: ${imported.stderr}`);
  const portsFile = join(WORK, 'hub-ports.json');
  rmSync(portsFile, { force: true });
  const child = spawn(process.execPath, [...PROFILE, ...CLI, 'hub', '--host', '127.0.0.1', '--port', '0', '--mqtt-port', 'off', '--mqtts-port', 'off', '--wss-port', 'off', '--http-port', '0', '--coap-port', '0', '--ports-file', portsFile], { cwd: ROOT, env, stdio: 'ignore' });
  return { child, productKey, devices, ports: await waitForFile(portsFile) };
}

async function startAnchors(): Promise<{ child: ChildProcess; ports: Record<string, number> }> {
  const script = join(ROOT, '.tmp/hub-http-coap-anchors.mjs');
  writeFileSync(script, ANCHORS);
  const portsFile = join(WORK, 'anchor-ports.json');
  rmSync(portsFile, { force: true });
  const child = spawn(process.execPath, [...PROFILE, script, portsFile], { cwd: ROOT, stdio: 'ignore' });
  return { child, ports: await waitForFile(portsFile) };
}

async function httpIngest(port: number, pid: number, productKey: string, devices: Device[]): Promise<Figures> {
  const sessions: string[] = [];
  for (const device of devices) {
    const sign = httpAuthSign({ productKey, deviceKey: device.deviceKey, lifetime: 300000, signMethod: 'sha256', deviceSecret: device.secret });
    const response = await fetch(`http://127.0.0.1:${port}/auth/${productKey}/${device.deviceKey}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ signMethod: 'sha256', lifetime: 300000, sign }) });
    sessions.push(((await response.json()) as { data: { sessionId: string } }).data.sessionId);
  }
  let next = 0;
  let id = 0;
  const cpuBefore = cpuTimeUs(pid);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: devices.length,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        // One device per connection, as field devices each hold their own session.
        setupRequest: (request, context: Record<string, number>) => {
          context.device ??= next++ % devices.length;
          const device = devices[context.device]!;
          return { ...request, path: `/topic/sys/${productKey}/${device.deviceKey}/thing/measurepoint/post?sessionId=${sessions[context.device]}`, body: body(++id) };
        },
      },
    ],
  });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx, cpuUs: (cpuTimeUs(pid) - cpuBefore) / Math.max(1, (result.requests as { total?: number }).total ?? 0) };
}

const POST = 2;
const path = (resource: string): Array<[number, Buffer]> => resource.split('/').filter(Boolean).map((segment) => [11, Buffer.from(segment)] as [number, Buffer]);

/** One CON request at a time per device socket; resolves with the reply's code byte, or null after 1 s. */
function exchange(socket: Socket, port: number, datagram: Buffer): Promise<number | null> {
  return new Promise((done) => {
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      done(null);
    }, 1000);
    const onMessage = (message: Buffer) => {
      clearTimeout(timer);
      done(message[1]!);
    };
    socket.once('message', onMessage);
    socket.send(datagram, port, '127.0.0.1');
  });
}

async function coapIngest(port: number, pid: number, productKey: string, devices: Device[]): Promise<Figures> {
  const latencies: number[] = [];
  let errors = 0;
  let cpuUsed: number;
  const sockets = await Promise.all(devices.map(() => new Promise<Socket>((done) => {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => done(socket));
  })));
  try {
    for (const [i, device] of devices.entries()) {
      const sign = coapAuthSign({ productKey, deviceKey: device.deviceKey, lifetime: 3600, secureMode: 2, secret: device.secret });
      const auth = coapDatagram({ code: POST, mid: 1, token: Buffer.from([1]), options: path(`/auth/${productKey}/${device.deviceKey}`), payload: Buffer.from(JSON.stringify({ secureMode: 2, lifetime: 3600, sign })) });
      if ((await exchange(sockets[i]!, port, auth)) !== 0x44) throw new Error(`CoAP login of ${device.deviceKey} failed`);
    }
    const cpuBefore = cpuTimeUs(pid);
    const end = Date.now() + SECONDS * 1000;
    await Promise.all(
      devices.map(async (device, i) => {
        const resource = path(`/topic/sys/${productKey}/${device.deviceKey}/thing/measurepoint/post`);
        for (let mid = 2; Date.now() < end; mid = (mid + 1) & 0xffff) {
          const started = process.hrtime.bigint();
          const code = await exchange(sockets[i]!, port, coapDatagram({ code: POST, mid, token: Buffer.from([mid >> 8, mid & 0xff]), options: resource, payload: Buffer.from(body(mid)) }));
          if (code === 0x44) latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          else errors++;
        }
      }),
    );
    cpuUsed = cpuTimeUs(pid) - cpuBefore;
  } finally {
    for (const socket of sockets) socket.close();
  }
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / SECONDS, p99: latencies[Math.floor(latencies.length * 0.99)] ?? NaN, errors, cpuUs: cpuUsed / Math.max(1, latencies.length + errors) };
}

it('HTTP and CoAP ingest: hub vs bare servers with a Map of sessions', async () => {
  mkdirSync(WORK, { recursive: true });
  const hub = await startHub();
  const anchors = await startAnchors();
  try {
    // Anchor and hub alternate, best round of each, so neither gains from going second on a busy machine.
    const best = async (measure: () => Promise<Figures>, previous: Figures | null) => {
      const figures = await measure();
      return previous && previous.rps > figures.rps ? previous : figures;
    };
    const http: { hub: Figures | null; anchor: Figures | null } = { hub: null, anchor: null };
    const coap: { hub: Figures | null; anchor: Figures | null } = { hub: null, anchor: null };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['anchor', 'hub'] as const) : (['hub', 'anchor'] as const);
      for (const side of order) {
        const { ports, child } = side === 'hub' ? hub : anchors;
        if (ONLY !== 'coap') http[side] = await best(() => httpIngest(ports.http!, child.pid!, hub.productKey, hub.devices), http[side]);
        if (ONLY !== 'http') coap[side] = await best(() => coapIngest(ports.coap!, child.pid!, hub.productKey, hub.devices), coap[side]);
      }
    }
    for (const [protocol, measured] of [['HTTP', http], ['CoAP', coap]] as const) {
      if (!measured.hub) continue;
      const figures = { hub: measured.hub!, anchor: measured.anchor! };
      const name = `bare ${protocol === 'HTTP' ? 'node http' : 'coap'} server + Map`;
      report({ bench: 'hub-http-coap', case: `${protocol} ingest, ${DEVICES} devices`, value: Math.round(figures.hub.rps), unit: 'req/s', anchor: { name, value: Math.round(figures.anchor.rps) }, ratio: rateRatio(figures.hub.rps, figures.anchor.rps), target: TARGET, errors: figures.hub.errors, anchorErrors: figures.anchor.errors, cpuUsPerRequest: { hub: Math.round(figures.hub.cpuUs), anchor: Math.round(figures.anchor.cpuUs) } });
      report({ bench: 'hub-http-coap', case: `${protocol} ingest p99, ${DEVICES} devices`, value: Number(figures.hub.p99.toFixed(2)), unit: 'ms', anchor: { name, value: Number(figures.anchor.p99.toFixed(2)) }, ratio: Number((figures.anchor.p99 / figures.hub.p99).toFixed(3)) });
      expect(figures.hub.rps).toBeGreaterThan(0);
    }
  } finally {
    await stop(anchors.child);
    await stop(hub.child);
  }
});
