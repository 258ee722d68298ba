import { ok } from '../../shared/result';
import type { ServiceContext, ServiceModule } from '../core/module';
import { appVersion } from './version';

/** Domains `app` and `logs`: who and where this installation is, and the log ring buffer. */
export function createAppModule(context: ServiceContext): ServiceModule<'app.info' | 'logs.recent'> {
  const startedAt = context.clock();
  const sqlite = (context.db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  const { config, logger } = context;
  return {
    handlers: {
      'app.info': () =>
        ok({
          appVersion: appVersion(),
          versions: { node: process.versions.node, electron: config.versions?.electron ?? null, chrome: config.versions?.chrome ?? null, sqlite },
          host: config.host,
          dataDir: config.dataDir,
          stationId: context.stationId,
          startedAt,
        }),
      'logs.recent': (input) => ok(logger.recent(input.limit, input.minLevel)),
    },
  };
}
