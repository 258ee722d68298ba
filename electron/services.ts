import type { AppInfo, LogLevel, LogLine } from '../shared/contract';
import { err, ok, type Result } from '../shared/result';
import { HubPortsSchema } from '../shared/contract/hub';
import { createAppModule } from './app/module';
import { createDispatcher, type Dispatcher, type Handlers } from './bridge/dispatcher';
import { dataPaths, ensureWritableDataDir } from './core/data-dir';
import { EventBus } from './core/event-bus';
import { readStationId } from './core/init';
import { Lifecycle, type Component } from './core/lifecycle';
import { createLogger, type LogRoot } from './core/logger';
import type { ServiceContext } from './core/module';
import type { RunInfo } from './core/owner';
import { createPkiModule } from './pki/module';
import { Vault, type Unlock } from './pki/vault';
import { VaultSlot } from './pki/vault-slot';
import { openDatabase, type Db } from './registry/database';
import { createHubModule, type HubConfig } from './hub/module';
import { createRegistryModule } from './registry/module';
import { createSerialModule, type SerialConfig } from './serial/module';
import { syncDestinations } from './provisioning/destination';
import { createProvisioningModule, type ProvisioningConfig } from './provisioning/module';
import { createSyncModule, type ServeRegistryConfig } from './sync/module';

export interface ServicesConfig {
  dataDir: string;
  host: AppInfo['host'];
  logLevel: LogLevel;
  /** How to unlock the vault now; when it fails the services run with a locked vault. */
  unlock?: () => Promise<Result<Unlock>>;
  /** Extra log sink (the CLI prints to stderr). */
  logSink?: (line: LogLine) => void;
  clock?: () => number;
  /** Filled in by the Electron shell. */
  versions?: { electron: string | null; chrome: string | null };
  /** `station --serve-registry`: serve the sync API for other stations on its own port (issue 10). */
  serveRegistry?: ServeRegistryConfig;
  /** Serial ports: watched pseudo-terminal paths/globs and link timeouts (issue 8). */
  serial?: SerialConfig;
  /** The embedded MQTT hub's listeners and monitors (issue 5); absent: no listeners (CLI in-process). */
  hub?: HubConfig;
  /** The provisioning station's label printer and safe verification services (issue 9). */
  provisioning?: ProvisioningConfig;
}

/** What every host (Electron main, station, hub, CLI) gets: the same services, the same handlers. */
export interface Services {
  readonly context: ServiceContext;
  readonly logger: LogRoot;
  readonly db: Db;
  readonly events: EventBus;
  readonly dispatcher: Dispatcher;
  readonly stationId: string;
  start(): Promise<void>;
  /** The ports (and registry token) of every started listener, for `run.json`. */
  runInfo(): Partial<RunInfo>;
  /** Drains calls in flight, then stops components in reverse order and closes the database. */
  stop(): Promise<void>;
}

async function unlockVault(db: Db, config: ServicesConfig, clock: () => number): Promise<Result<Vault>> {
  if (!config.unlock) return err('VAULT_LOCKED');
  const unlocked = await config.unlock();
  return unlocked.ok ? Vault.unlock(db, unlocked.value, clock) : unlocked;
}

/** What the started listeners bound, merged by `run.json` key. */
function boundPorts(components: readonly Component[]): Partial<RunInfo> {
  return Object.assign({}, ...components.map((component) => component.runInfo?.() ?? {}));
}

/**
 * The composition root: config → logger, database, vault, then each domain module in dependency
 * order. A module gets the context and the modules it needs; its handlers join the one table the
 * compiler checks against the contract, its components the ordered start/stop list.
 */
export async function openServices(config: ServicesConfig): Promise<Result<Services>> {
  const writable = ensureWritableDataDir(config.dataDir);
  if (!writable.ok) return writable;
  const paths = dataPaths(config.dataDir);
  const clock = config.clock ?? Date.now;
  const opened = openDatabase(paths.database, { create: false });
  if (!opened.ok) return opened;
  const db = opened.value;
  const stationId = readStationId(db);
  if (!stationId) {
    db.close();
    return err('NOT_INITIALIZED');
  }
  const logger = createLogger({
    level: config.logLevel,
    ringSize: 2000,
    file: { path: paths.logFile, maxBytes: 10 * 1024 * 1024, maxFiles: 5 },
    sink: config.logSink,
    clock,
  });
  const vault = await unlockVault(db, config, clock);
  if (!vault.ok && vault.error.code !== 'VAULT_LOCKED') {
    db.close();
    logger.close();
    return vault;
  }
  if (!vault.ok) logger.warn('vault locked: operations on secrets will be refused', { reason: vault.error.code });

  const events = new EventBus();
  logger.onLine((line) => events.emit('logs.line', line));
  const vaultSlot = new VaultSlot(db, vault, clock);
  const context: ServiceContext = { config, logger, db, events, clock, stationId, vault: () => vaultSlot.get() };

  const app = createAppModule(context);
  const registry = createRegistryModule(context);
  const pki = createPkiModule(context, { registry: registry.registry, vaultSlot });
  const sync = createSyncModule(context, { registry: registry.registry, assets: registry.assets });
  const hub = createHubModule(context, { registry: registry.registry, trust: pki.trust });
  const serial = createSerialModule(context);
  const provisioning = createProvisioningModule(context, {
    registry: registry.registry,
    assets: registry.assets,
    issuer: pki.issuer,
    stationKey: pki.stationKey,
    hub: hub.hub,
    hubPorts: () => HubPortsSchema.parse(boundPorts(hub.components ?? [])),
    serial,
    destinations: syncDestinations(sync.service),
    trustDestinationChain: (pem) => pki.trust.addDestinationChain(pem),
  });
  const handlers: Handlers = { ...app.handlers, ...registry.handlers, ...sync.handlers, ...pki.handlers, ...serial.handlers, ...hub.handlers, ...provisioning.handlers };
  const components: Component[] = [...(app.components ?? []), ...(registry.components ?? []), ...(sync.components ?? []), ...(pki.components ?? []), ...(serial.components ?? []), ...(hub.components ?? []), ...(provisioning.components ?? [])];

  const dispatcher = createDispatcher(handlers, logger.child('contract'));
  const lifecycle = new Lifecycle(logger.child('lifecycle'));
  return ok({
    context,
    logger,
    db,
    events,
    dispatcher,
    stationId,
    start: () => lifecycle.start(components),
    runInfo: () => boundPorts(components),
    async stop() {
      await dispatcher.drain();
      await lifecycle.stop();
      db.close();
      logger.close();
    },
  });
}
