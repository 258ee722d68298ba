import { rmSync } from 'node:fs';
import { startBridgeServer, type BridgeServer } from '../bridge/server';
import { newToken } from '../bridge/token';
import { openServices, type Services, type ServicesConfig } from '../services';
import { err, ok, type Result } from '../../shared/result';
import { dataPaths } from './data-dir';
import { acquireOwnership, writeRunFile, type RunInfo } from './owner';

export interface OwnerHostOptions {
  services: ServicesConfig;
  host: string;
  port: number;
  portsFile?: string;
  /** The built renderer to serve on the bridge port (the station). */
  staticDir?: string;
}

export interface OwnerHost {
  services: Services;
  bridge: BridgeServer;
  token: string;
  runInfo: RunInfo;
  stop(): Promise<void>;
}

/**
 * What makes a process the owner of its data folder (architecture §2): the lock, the services,
 * the token-guarded bridge, and `run.json` (plus `--ports-file`) written once every listener is bound.
 */
export async function startOwnerHost(options: OwnerHostOptions): Promise<Result<OwnerHost>> {
  const { dataDir } = options.services;
  const lock = acquireOwnership(dataDir);
  if (!lock.ok) return lock;
  const opened = await openServices(options.services);
  if (!opened.ok) {
    lock.value.release();
    return opened;
  }
  const services = opened.value;
  const logger = services.logger.child('owner');
  const token = newToken();
  let bridge: BridgeServer;
  try {
    await services.start();
    bridge = await startBridgeServer({
      host: options.host,
      port: options.port,
      token,
      dispatcher: services.dispatcher,
      events: services.events,
      logger: logger.child('bridge'),
      staticDir: options.staticDir,
    });
  } catch (error) {
    logger.error('start failed', { error });
    await services.stop();
    lock.value.release();
    const code = (error as NodeJS.ErrnoException).code;
    return err('INTERNAL', code === 'EADDRINUSE' ? `Port ${options.port} on ${options.host} is already in use.` : 'The services could not start; see the log.');
  }
  const runInfo: RunInfo = { pid: process.pid, host: options.host, bridge: bridge.port, token, ...services.runInfo() };
  writeRunFile(dataPaths(dataDir).runFile, runInfo);
  if (options.portsFile) writeRunFile(options.portsFile, runInfo);
  logger.info('owner started', { bridge: bridge.port, host: options.host });

  let stopping: Promise<void> | undefined;
  return ok({
    services,
    bridge,
    token,
    runInfo,
    stop() {
      stopping ??= (async () => {
        logger.info('draining');
        await bridge.close();
        await services.stop();
        // A clean stop leaves no run.json behind; a crashed owner's is detected as stale.
        rmSync(dataPaths(dataDir).runFile, { force: true });
        lock.value.release();
      })();
      return stopping;
    },
  });
}
