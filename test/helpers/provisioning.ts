import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { delimiter, join } from 'node:path';
import { exportThingModel } from '../../shared/model/thing-model-json';
import { ok, type Result } from '../../shared/result';
import { createLocalApi } from '../../electron/bridge/local-api';
import { initDataFolder } from '../../electron/core/init';
import { openServices, type Services, type ServicesConfig } from '../../electron/services';
import { BUILT_IN_MODEL } from '../../electron/sim/telemetry';
import { tempDir } from './cli';
import type { SimDevice } from './sim';

/** The MAC a sim reports for a serial (electron/sim/run.ts: 02 + the first five bytes of SHA-256). */
export function simMac(serial: string): string {
  const bytes = Buffer.concat([Buffer.from([0x02]), createHash('sha256').update(serial).digest().subarray(0, 5)]);
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

/** A raw label printer on loopback (TCP 9100 stands in): every connection's bytes, as received. */
export function zplListener(): Promise<{ server: Server; port: number; received: Buffer[]; close(): Promise<void> }> {
  const received: Buffer[] = [];
  const server = createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => received.push(Buffer.concat(chunks)));
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port, received, close: () => new Promise<void>((done) => server.close(() => done())) }),
    ),
  );
}

function opened<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

const stationUnlock = async () => ok({ method: 'passphrase' as const, passphrase: 'station test passphrase' });

/**
 * A factory station's services, in-process, on a new data folder: one device-secret product (MQTT,
 * the sims' built-in thing model, deviceKey `prefix` + serial) that every device plugged into one
 * of `slots` is provisioned as, with short serial and verification timeouts. Not started yet, so
 * that a test follows its events from the first one.
 */
export async function openStationServices(data: string, station: { slots: string[]; prefix: string; baud: number; operator: string }): Promise<{ services: Services; productKey: string }> {
  const config = (extra: Partial<ServicesConfig> = {}): ServicesConfig => ({ dataDir: data, host: 'cli', logLevel: 'warn', unlock: stationUnlock, ...extra });
  opened(await initDataFolder(data, stationUnlock, { scrypt: { N: 2 ** 14, r: 8, p: 1 } }));
  // The station config names the product, so the product is made first, by services without a station.
  const setup = opened(await openServices(config()));
  const created = await createLocalApi(setup.dispatcher, setup.events).call('products.create', { name: 'Station meter', authScheme: 'device-secret', protocols: ['mqtt'], namingRule: { prefix: station.prefix, source: 'serial' }, thingModel: exportThingModel(BUILT_IN_MODEL) });
  await setup.stop();
  const { productKey } = opened(created).product;
  const services = opened(
    await openServices(
      config({
        hub: { host: '127.0.0.1', mqttPort: 0, mqttsPort: null, wssPort: null },
        serial: { pollMs: 50, timeoutMs: 500, attempts: 3 },
        provisioning: { station: { slots: station.slots, productKey, driver: 'framed', baud: station.baud, ifProvisioned: 'skip', unmatched: 'naming-rule', verifyTimeoutMs: 3000, samples: 1, operator: station.operator } },
      }),
    ),
  );
  return { services, productKey };
}

/** Stops a sim with SIGTERM (it closes its PTY and socat), pulling it after a grace period. */
export async function stopSim(device: SimDevice): Promise<void> {
  await device.stop();
}

/** A program of the system peers, also where Debian keeps daemons (/usr/sbin is not on every user's PATH). */
function peerProgram(name: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/sbin'];
  const found = dirs.map((dir) => join(dir, name)).find((path) => existsSync(path));
  if (!found) throw new Error(`${name} is not installed: it comes with the system peers cups-daemon and cups-client (npm test installs them as root; see the README).`);
  return found;
}

const canConnect = (path: string) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * A real OS print queue for `lp` (issue 9 "Labels"): a private cupsd in a temporary folder that
 * listens only on a Unix socket there (`lp` finds it through CUPS_SERVER in `env`), with one queue
 * whose device is the file `output`. CUPS runs no filter for a raw queue, and then writes nothing
 * to a file device: the queue's PPD names one filter that passes the document on unchanged, so
 * `output` holds exactly the bytes `lp` sent, job after job (each job rewrites it).
 */
export async function cupsQueue(queue: string): Promise<{ env: { CUPS_SERVER: string }; output: string; stop(): Promise<void> }> {
  const cupsd = peerProgram('cupsd');
  peerProgram('lp');
  const dir = tempDir('commissioner-cups-');
  // As root, cupsd runs filters as its unprivileged user: the filter must be reachable for it.
  chmodSync(dir, 0o755);
  for (const sub of ['root/ppd', 'spool', 'tmp', 'cache', 'state', 'out']) mkdirSync(join(dir, sub), { recursive: true });
  const socket = join(dir, 'cups.sock');
  const output = join(dir, 'out', queue);
  const filter = join(dir, 'pass-through');
  // Filter arguments (CUPS filter(7)): job user title copies options [file]; no file: stdin.
  writeFileSync(filter, '#!/bin/sh\nexec cat "${6:--}"\n', { mode: 0o755 });
  const folders = { ServerRoot: 'root', RequestRoot: 'spool', TempDir: 'tmp', CacheDir: 'cache', StateDir: 'state', ErrorLog: 'error_log', AccessLog: 'access_log', PageLog: 'page_log' };
  writeFileSync(join(dir, 'cups-files.conf'), [...Object.entries(folders).map(([key, sub]) => `${key} ${join(dir, sub)}`), 'FileDevice Yes', 'Printcap', ''].join('\n'));
  writeFileSync(join(dir, 'cupsd.conf'), [`Listen ${socket}`, 'Browsing No', 'WebInterface No', 'LogLevel warn', '<Policy default>', '  <Limit All>', '    Order deny,allow', '  </Limit>', '</Policy>', ''].join('\n'));
  writeFileSync(join(dir, 'root', 'printers.conf'), [`<Printer ${queue}>`, 'State Idle', 'Accepting Yes', `DeviceURI file://${output}`, '</Printer>', ''].join('\n'));
  writeFileSync(
    join(dir, 'root', 'ppd', `${queue}.ppd`),
    ['*PPD-Adobe: "4.3"', '*FormatVersion: "4.3"', '*FileVersion: "1.0"', '*LanguageVersion: English', '*LanguageEncoding: ISOLatin1', '*PCFileName: "LABEL.PPD"', '*Manufacturer: "Test"', '*Product: "(Label)"', '*ModelName: "Label"', '*ShortNickName: "Label"', '*NickName: "Label"', '*PSVersion: "(3010.000) 0"', `*cupsFilter: "application/pdf 0 ${filter}"`, ''].join('\n'),
  );
  const daemon = spawn(cupsd, ['-f', '-c', join(dir, 'cupsd.conf'), '-s', join(dir, 'cups-files.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  daemon.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
  const log = () => `${stderr}${existsSync(join(dir, 'error_log')) ? readFileSync(join(dir, 'error_log'), 'utf8') : ''}`;
  for (let attempt = 0; !(await canConnect(socket)); attempt++) {
    if (daemon.exitCode !== null || attempt === 300) {
      daemon.kill('SIGKILL');
      throw new Error(`cupsd did not start: ${log()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    env: { CUPS_SERVER: socket },
    output,
    async stop() {
      if (daemon.exitCode === null) daemon.kill('SIGTERM');
      await exited;
    },
  };
}
