import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { ok } from '../../../shared/result';
import { dataPaths } from '../../core/data-dir';
import { initDataFolder } from '../../core/init';
import { logUncaught } from '../../core/logger';
import { startOwnerHost } from '../../core/owner-host';
import { passphraseUnlock } from '../../core/unlock';
import type { ServicesConfig } from '../../services';
import { globalOptions, servicesConfig, type GlobalOptions } from '../context';
import { printProgress, printResult, UsageError } from '../output';
import { addHubListenerOptions, hubConfigFrom, type HubListenerOptions } from './hub-options';

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

export function registerStationCommands(program: Command): void {
  addHubListenerOptions(
    addOwnerOptions(
      program.command('station').description('run the headless station: all services, the hub, and the UI over HTTP with a per-run token'),
      DEFAULT_STATION_PORT,
    ),
  )
    .option('--serve-registry', 'also serve the sync API for other stations on its own port, guarded by its own token (run.json: registry, registryToken)')
    .addOption(new Option('--registry-port <n>', 'port of the sync API with --serve-registry (0 = any free port)').argParser(parsePort).default(DEFAULT_REGISTRY_PORT))
    .action(async (options: OwnerCommandOptions & HubListenerOptions & { serveRegistry?: boolean; registryPort: number }, command: Command) => {
      const serveRegistry = options.serveRegistry ? { host: options.host, port: options.registryPort } : undefined;
      await runOwner(globalOptions(command), 'station', options, rendererDir(), { serveRegistry, hub: hubConfigFrom(options, true) });
    });
}
