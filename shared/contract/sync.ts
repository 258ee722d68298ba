import { z } from 'zod';
import { event, request } from './define';
import { DeviceSchema } from './devices';

/** Domain `sync` (issue 10): outbox delivery to EnOS and to a central Commissioner hub. */

const TargetName = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'use 1–40 characters of A-Z a-z 0-9 _ -');
const HttpUrl = z.url({ protocol: /^https?$/ });

/** Pacing and retry settings every target takes (defaults: electron/sync/pacing.ts). */
const PacingInput = z.object({
  rate: z.number().positive().max(10_000).optional(),
  burst: z.number().int().min(1).max(10_000).optional(),
  concurrency: z.number().int().min(1).max(32).optional(),
  backoffMs: z.number().int().min(1).max(600_000).optional(),
  timeoutMs: z.number().int().min(100).max(300_000).optional(),
});

export const SyncTargetAddSchema = z.discriminatedUnion('kind', [
  PacingInput.extend({
    kind: z.literal('enos'),
    name: TargetName.default('enos'),
    url: HttpUrl,
    orgId: z.string().min(1).max(64),
    appKey: z.string().min(1).max(128),
    appSecret: z.string().min(1).max(256),
    /** One device-facing endpoint per protocol, e.g. `mqtt://host:11883` (architecture §5). */
    deviceEndpoints: z.array(z.url({ protocol: /^(mqtt|mqtts|coap|coaps|http|https|wss)$/ })).max(8).default([]),
  }).strict(),
  PacingInput.extend({
    kind: z.literal('hub'),
    name: TargetName.default('hub'),
    url: HttpUrl,
    /** The environment variable holding the hub's registry token when sync runs; the token is never stored. */
    tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'),
  }).strict(),
]);

export const SyncTargetSchema = z.object({
  name: z.string(),
  kind: z.enum(['enos', 'hub']),
  url: z.string(),
  orgId: z.string().optional(),
  appKey: z.string().optional(),
  deviceEndpoints: z.array(z.string()).optional(),
  tokenEnv: z.string().optional(),
  rate: z.number(),
  burst: z.number().int(),
  createdAt: z.number().int(),
});
export type SyncTargetInfo = z.infer<typeof SyncTargetSchema>;

const ErrorInfo = z.object({ code: z.string(), message: z.string(), seq: z.number().int().optional(), at: z.number().int() });

export const SyncStatusSchema = z.object({
  target: z.string(),
  kind: z.enum(['enos', 'hub']),
  pending: z.number().int(),
  sent: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  conflicts: z.number().int(),
  cursor: z.number().int(),
  /** Seconds to send what is pending at the current pace (measured, or the configured rate). */
  etaSeconds: z.number(),
  pausedUntil: z.number().int().nullable(),
  lastError: ErrorInfo.nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatusSchema>;

export const SyncConflictSchema = z.object({
  id: z.number().int(),
  target: z.string(),
  seq: z.number().int(),
  kind: z.enum(['other_product', 'changed_remotely', 'deleted_remotely', 'newer_elsewhere']),
  local: z.unknown(),
  cloud: z.unknown(),
  createdAt: z.number().int(),
  resolution: z.enum(['keep_local', 'keep_cloud']).nullable(),
});

/**
 * Where one device's latest change stands with one target (the device detail view, issue 11):
 * `none` when the device has no outbox row, `pending` before the first attempt, `done` when the
 * target's cursor passed it, else the delivery's state.
 */
export const DeviceSyncStateSchema = z.object({
  target: z.string(),
  kind: z.enum(['enos', 'hub']),
  state: z.enum(['none', 'pending', 'inflight', 'retry', 'sent', 'skipped', 'failed', 'conflict', 'done']),
  seq: z.number().int().nullable(),
  revision: z.number().int().nullable(),
  attempts: z.number().int(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** The device's id at the target once delivered (the EnOS assetId). */
  cloudId: z.string().nullable(),
  updatedAt: z.number().int().nullable(),
});
export type DeviceSyncState = z.infer<typeof DeviceSyncStateSchema>;

const RunSummary = z.object({ target: z.string(), delivered: z.number().int(), failed: z.number().int(), conflicts: z.number().int(), retrying: z.number().int() });

const TargetSelector = z.object({ target: TargetName.optional() }).strict();

export const syncRequests = {
  targetAdd: request('sync.target.add', SyncTargetAddSchema, SyncTargetSchema),
  targetList: request('sync.target.list', z.object({}).strict(), z.array(SyncTargetSchema)),
  targetRemove: request('sync.target.remove', z.object({ name: TargetName }).strict(), z.object({ removed: z.string() })),
  /** One drain per target; it sits out a Retry-After or backoff up to `maxWaitMs`, then returns. */
  run: request('sync.run', z.object({ target: TargetName.optional(), maxWaitMs: z.number().int().min(0).max(600_000).default(30_000) }).strict(), z.array(RunSummary)),
  status: request('sync.status', TargetSelector, z.array(SyncStatusSchema)),
  pull: request('sync.pull', TargetSelector, z.object({ target: z.string(), products: z.number().int(), models: z.number().int(), trees: z.number().int() })),
  pool: request(
    'sync.pool',
    z.object({ target: TargetName.optional(), productKey: z.string().min(1).max(64), count: z.number().int().min(1).max(1000) }).strict(),
    z.object({ target: z.string(), created: z.array(z.object({ productKey: z.string(), deviceKey: z.string() })) }),
  ),
  /**
   * Binds an unclaimed device of the EnOS credential pool to a physical device by serial (and MAC):
   * the offline plan step (architecture §5). A pool device is claimed once.
   */
  poolClaim: request(
    'sync.pool.claim',
    z
      .object({ target: TargetName.optional(), productKey: z.string().min(1).max(64), serial: z.string().min(1).max(100), mac: z.string().min(1).max(40).optional(), firmware: z.string().min(1).max(100).optional() })
      .strict(),
    z.object({ target: z.string(), device: DeviceSchema }),
  ),
  conflicts: request('sync.conflicts', z.object({ open: z.boolean().default(true) }).strict(), z.array(SyncConflictSchema)),
  resolve: request('sync.resolve', z.object({ id: z.number().int().positive(), keep: z.enum(['local', 'cloud']) }).strict(), SyncConflictSchema),
  retry: request('sync.retry', TargetSelector, z.object({ requeued: z.number().int() })),
  /** The device's sync state with every target. */
  device: request('sync.device', z.object({ productKey: z.string().min(1).max(64), deviceKey: z.string().min(1).max(64) }).strict(), z.array(DeviceSyncStateSchema)),
};

export const syncEvents = {
  progress: event('sync.progress', SyncStatusSchema),
  conflict: event('sync.conflict', SyncConflictSchema),
};
