import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { ok } from '../../../shared/result';
import { dataPaths } from '../../core/data-dir';
import { initDataFolder } from '../../core/init';
import { logUncaught } from '../../core/logger';
import { startOwnerHost } from '../../core/owner-host';
import { passphraseUnlock } from '../../core/unlock';
import { provisioningRequests } from '../../../shared/contract/provisioning';
import type { ProvisioningConfig } from '../../provisioning/module';
import type { ServicesConfig } from '../../services';
import { globalOptions, servicesConfig, type GlobalOptions } from '../context';
import { printProgress, printResult, UsageError } from '../output';
import { addHubListenerOptions, hubConfigFrom, type HubListenerOptions } from './hub-options';
import { addRunOptions, runInput, type RunFlags } from './provisioning';

/** The built renderer, beside the built CLI (`out/main/cli.js` → `out/renderer`). */
export function rendererDir(): string {
  return fileURLToPath(new URL('../renderer', import.meta.url));
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`"${value}" is not a port number (0–65535; 0 = any free port)`);
  return port;
}

export interface OwnerCommandOptions {
  host: string;
  port: number;
  portsFile?: string;
}

/** Options every data-folder owner takes (station, hub). */
export function addOwnerOptions(command: Command, defaultPort: number): Command {
  return command
    .option('--host <host>', 'address to bind (loopback by default; 0.0.0.0 to serve the LAN)', '127.0.0.1')
    .addOption(new Option('--port <n>', 'bridge/UI port (0 = any free port)').argParser(parsePort).default(defaultPort))
    .option('--ports-file <file>', 'also write the bound ports (the run.json keys) to this file');
}

/**
 * Runs an owner until SIGTERM or SIGINT, then drains and exits 0. A new data folder is
 * initialized first, asking for a vault passphrase on a terminal.
 */
export async function runOwner(global: GlobalOptions, hostKind: 'station' | 'hub', owner: OwnerCommandOptions, staticDir?: string, extra: Partial<ServicesConfig> = {}): Promise<void> {
  // Listen for the stop signal before anything starts, so a signal that arrives while the
  // listeners are still binding still ends in a clean drain and exit 0.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  if (!existsSync(dataPaths(global.dataDir).database)) {
    const init = await initDataFolder(global.dataDir, () => passphraseUnlock({ confirm: true }));
    if (!init.ok) return printResult(init, global.json, () => '');
  }
  const started = await startOwnerHost({
    services: { ...servicesConfig(global, hostKind), logLevel: global.logLevel === 'warn' ? 'info' : global.logLevel, ...extra },
    host: owner.host,
    port: owner.port,
    portsFile: owner.portsFile,
    staticDir,
  });
  if (!started.ok) return printResult(started, global.json, () => '');
  const host = started.value;
  logUncaught(host.services.logger.child(hostKind));
  const { token: _token, registryToken: _registryToken, ...ports } = host.runInfo;
  const url = `${host.bridge.url}?token=${host.token}`;
  printProgress(global.json, { type: 'listening', url, ...ports }, staticDir ? `Commissioner station: open ${url}` : `Commissioner ${hostKind} listening: ${JSON.stringify(ports)}`);
  if (staticDir && !existsSync(staticDir)) process.stderr.write('The UI is not built: run `npm run build`.\n');
  await stopRequested;
  await host.stop();
  printResult(ok({ stopped: true }), global.json, () => 'stopped');
}

/** The station's documented default port for real use; tests pass `--port 0`. */
export const DEFAULT_STATION_PORT = 47830;
/** The sync API's default port with `--serve-registry` (issue 10). */
export const DEFAULT_REGISTRY_PORT = 47831;

const collect = (value: string, previous: string[]) => [...previous, value];

interface StationProvisioningFlags extends Omit<RunFlags, 'product'> {
  product?: string;
  slot: string[];
  lp?: string | true;
  zplPrinter?: string;
  safeService: string[];
}

/** `HOST[:PORT]` of a raw ZPL printer (port 9100 when left out). */
function zplPrinter(value: string): ProvisioningConfig['printer'] {
  const match = /^([^:\s]+)(?::(\d+))?$/.exec(value);
  if (!match) throw new UsageError(`--zpl-printer takes HOST or HOST:PORT, not "${value}"`);
  return { kind: 'zpl-tcp', host: match[1]!, ...(match[2] ? { port: parsePort(match[2]) } : {}) };
}

/** `PK=SERVICE` pairs: the service of each product that is safe for verification (issue 9). */
function safeServices(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const [productKey, service, ...rest] = pair.split('=');
      if (!productKey || !service || rest.length > 0) throw new UsageError(`--safe-service takes PK=SERVICE, not "${pair}"`);
      return [productKey, service];
    }),
  );
}

/** What runs in a slot: the run flags with the contract's defaults, as `provision` would send them. */
function slotRun(flags: RunFlags) {
  const parsed = provisioningRequests.provision.input.omit({ port: true }).safeParse(runInput(flags));
  if (!parsed.success) throw new UsageError(`the slot run options are not valid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return parsed.data;
}

/** The station's provisioning options (`ServicesConfig.provisioning`) from its flags; none given: none set. */
function provisioningFrom(flags: StationProvisioningFlags): ProvisioningConfig | undefined {
  if (flags.lp !== undefined && flags.zplPrinter !== undefined) throw new UsageError('give either --lp or --zpl-printer, not both');
  if (flags.slot.length > 0 && !flags.product) throw new UsageError('--slot needs --product: the product the devices in the slots are commissioned as');
  const printer: ProvisioningConfig['printer'] = flags.zplPrinter !== undefined ? zplPrinter(flags.zplPrinter) : flags.lp !== undefined ? { kind: 'lp', ...(flags.lp === true ? {} : { queue: flags.lp }) } : undefined;
  const station = flags.product && flags.slot.length > 0 ? { slots: flags.slot, ...slotRun({ ...flags, product: flags.product }) } : undefined;
  const config: ProvisioningConfig = { ...(printer ? { printer } : {}), ...(flags.safeService.length > 0 ? { safeServices: safeServices(flags.safeService) } : {}), ...(station ? { station } : {}) };
  return Object.keys(config).length > 0 ? config : undefined;
}

export function registerStationCommands(program: Command): void {
  addRunOptions(
    addHubListenerOptions(
      addOwnerOptions(
        program.command('station').description('run the headless station: all services, the hub, and the UI over HTTP with a per-run token'),
        DEFAULT_STATION_PORT,
      ),
    ),
    false,
  )
    .option('--serve-registry', 'also serve the sync API for other stations on its own port, guarded by its own token (run.json: registry, registryToken)')
    .addOption(new Option('--registry-port <n>', 'port of the sync API with --serve-registry (0 = any free port)').argParser(parsePort).default(DEFAULT_REGISTRY_PORT))
    .option('--slot <PATH|ID>', 'a factory slot: a port path or stable identity (usb:…, usb-location:…, path:…); a device plugged there is provisioned as --product without a click (repeatable)', collect, [])
    .option('--lp [QUEUE]', 'print every provisioned device\'s label on the OS print queue (lp; the default queue without QUEUE)')
    .option('--zpl-printer <HOST[:PORT]>', 'send every provisioned device\'s label as raw ZPL to this printer (port 9100 by default)')
    .option('--safe-service <PK=SERVICE>', 'a service of product PK that is safe for verification, called instead of measurepoint get (repeatable)', collect, [])
    .action(async (options: OwnerCommandOptions & HubListenerOptions & StationProvisioningFlags & { serveRegistry?: boolean; registryPort: number }, command: Command) => {
      const serveRegistry = options.serveRegistry ? { host: options.host, port: options.registryPort } : undefined;
      const provisioning = provisioningFrom(options);
      await runOwner(globalOptions(command), 'station', options, rendererDir(), { serveRegistry, hub: hubConfigFrom(options, true), ...(provisioning ? { provisioning } : {}) });
    });
}
