import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Api } from '../../shared/api';
import { LogLevelSchema, type LogLevel, type LogLine } from '../../shared/contract';
import { err, type Result } from '../../shared/result';
import { createLocalApi } from '../bridge/local-api';
import { connectBridge } from '../bridge/remote-api';
import { defaultDataDir } from '../core/data-dir';
import { findLiveOwner } from '../core/owner';
import { passphraseUnlock } from '../core/unlock';
import { openServices, type ServicesConfig } from '../services';
import { UsageError } from './output';

export interface GlobalOptions {
  dataDir: string;
  json: boolean;
  logLevel: LogLevel;
}

export function globalOptions(command: Command): GlobalOptions {
  const options = command.optsWithGlobals<{ data?: string; json?: boolean; logLevel?: string }>();
  const level = LogLevelSchema.safeParse(options.logLevel ?? 'warn');
  if (!level.success) throw new UsageError(`--log-level must be one of ${LogLevelSchema.options.join(', ')}`);
  return { dataDir: resolve(options.data ?? defaultDataDir()), json: Boolean(options.json), logLevel: level.data };
}

const LEVEL_LABEL: Record<LogLevel, string> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };

/** Logs go to stderr so that stdout carries only results (and, with --json, JSON lines). */
export function stderrLogSink(line: LogLine): void {
  const data = line.data ? ` ${JSON.stringify(line.data)}` : '';
  process.stderr.write(`${LEVEL_LABEL[line.level]} ${line.subsystem || 'app'}: ${line.msg}${data}\n`);
}

export function servicesConfig(options: GlobalOptions, host: ServicesConfig['host']): ServicesConfig {
  return { dataDir: options.dataDir, host, logLevel: options.logLevel, logSink: stderrLogSink, unlock: () => passphraseUnlock() };
}

/**
 * Runs `body` with the contract API: through the data folder's live owner when one runs
 * (architecture §2), otherwise with the services started in-process for this command only.
 */
export async function withApi<T>(
  options: GlobalOptions,
  body: (api: Api) => Promise<Result<T>>,
  mode: { requireOwner?: boolean; inProcess?: Pick<ServicesConfig, 'hub'> } = {},
): Promise<Result<T>> {
  const owner = findLiveOwner(options.dataDir);
  if (owner) {
    const remote = await connectBridge(owner);
    if (!remote.ok) return remote;
    try {
      return await body(remote.value.api);
    } finally {
      remote.value.close();
    }
  }
  if (mode.requireOwner) return err('NO_OWNER');
  // `inProcess`: what this command needs started when it runs without an owner (e.g. the hub for provisioning).
  const services = await openServices({ ...servicesConfig(options, 'cli'), ...mode.inProcess });
  if (!services.ok) return services;
  try {
    await services.value.start();
    return await body(createLocalApi(services.value.dispatcher, services.value.events));
  } finally {
    await services.value.stop();
  }
}
