import { z } from 'zod';
import { event, request } from './define';

/** Domain `app`: who and where this installation is. */
export const AppInfoSchema = z.object({
  appVersion: z.string(),
  versions: z.object({ node: z.string(), electron: z.string().nullable(), chrome: z.string().nullable(), sqlite: z.string() }),
  host: z.enum(['desktop', 'station', 'hub', 'cli']),
  dataDir: z.string(),
  stationId: z.string(),
  startedAt: z.number().int(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const appRequests = {
  info: request('app.info', z.object({}).strict(), AppInfoSchema),
};

export const LogLevelSchema = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
export type LogLevel = z.infer<typeof LogLevelSchema>;

export const LogLineSchema = z.object({
  seq: z.number().int(),
  time: z.number().int(),
  level: LogLevelSchema,
  subsystem: z.string(),
  msg: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type LogLine = z.infer<typeof LogLineSchema>;

/** Domain `logs`: the logger's ring buffer, and new lines pushed as they are written. */
export const logsRequests = {
  recent: request(
    'logs.recent',
    z.object({ limit: z.number().int().min(1).max(5000).default(500), minLevel: LogLevelSchema.optional() }).strict(),
    z.array(LogLineSchema),
  ),
};

export const logsEvents = {
  line: event('logs.line', LogLineSchema),
};
