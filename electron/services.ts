import type { AppInfo, LogLevel, LogLine } from '../shared/contract';
import { err, ok, type Result } from '../shared/result';
import { createDispatcher, type Dispatcher, type Handlers } from './bridge/dispatcher';
import { dataPaths, ensureWritableDataDir } from './core/data-dir';
import { EventBus } from './core/event-bus';
import { readStationId } from './core/init';
import { Lifecycle, type Component } from './core/lifecycle';
import type { RunInfo } from './core/owner';
import { createLogger, type LogRoot } from './core/logger';
import { Vault, type Unlock } from './pki/vault';
import { openDatabase, type Db } from './registry/database';

declare const __APP_VERSION__: string | undefined;

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
}

/** What every host (Electron main, station, CLI) gets: the same services, the same handlers. */
export interface Services {
  readonly config: ServicesConfig;
  readonly logger: LogRoot;
  readonly db: Db;
  readonly events: EventBus;
  readonly dispatcher: Dispatcher;
  readonly stationId: string;
  /** The unlocked vault, or VAULT_LOCKED. */
  vault(): Result<Vault>;
  start(): Promise<void>;
  /** The ports (and registry token) of every started listener, for `run.json`. */
  runInfo(): Partial<RunInfo>;
  /** Drains calls in flight, then stops components in reverse order and closes the database. */
  stop(): Promise<void>;
}

export function appVersion(): string {
  return typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : (process.env.npm_package_version ?? '0.0.0-dev');
}

/** The composition root: config → logger, database, vault, handlers and components, in order. */
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
  const events = new EventBus();
  logger.onLine((line) => events.emit('logs.line', line));

  let vault: Result<Vault> = err('VAULT_LOCKED');
  if (config.unlock) {
    const unlocked = await config.unlock();
    vault = unlocked.ok ? Vault.unlock(db, unlocked.value, clock) : unlocked;
    if (!vault.ok && vault.error.code === 'VAULT_WRONG_PASSPHRASE') {
      db.close();
      logger.close();
      return vault;
    }
    if (!vault.ok) logger.warn('vault locked', { reason: vault.error.code });
  }

  const startedAt = clock();
  const sqliteVersion = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  const handlers: Handlers = {
    'app.info': () =>
      ok({
        appVersion: appVersion(),
        versions: { node: process.versions.node, electron: config.versions?.electron ?? null, chrome: config.versions?.chrome ?? null, sqlite: sqliteVersion },
        host: config.host,
        dataDir: config.dataDir,
        stationId,
        startedAt,
      }),
    'logs.recent': (input) => ok(logger.recent(input.limit, input.minLevel)),
  };
  const dispatcher = createDispatcher(handlers, logger.child('contract'));
  const lifecycle = new Lifecycle(logger.child('lifecycle'));
  const components: Component[] = [];

  return ok({
    config,
    logger,
    db,
    events,
    dispatcher,
    stationId,
    vault: () => vault,
    start: () => lifecycle.start(components),
    runInfo: () => Object.assign({}, ...components.map((component) => component.runInfo?.() ?? {})),
    async stop() {
      await dispatcher.drain();
      await lifecycle.stop();
      db.close();
      logger.close();
    },
  });
}
