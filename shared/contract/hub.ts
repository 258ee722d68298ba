import { z } from 'zod';
import { event, request } from './define';

/** Domain `hub` (issue 5): the embedded MQTT hub's sessions, statistics, messages and commands. */

const ref = z.string().min(1).max(100);
const counts = z.record(z.string(), z.number().int());

/** The hub's bound listener ports by `run.json` key; only the listeners it serves. */
export const HubPortsSchema = z.object({
  mqtt: z.number().int().optional(),
  mqtts: z.number().int().optional(),
  wss: z.number().int().optional(),
  http: z.number().int().optional(),
  https: z.number().int().optional(),
  coap: z.number().int().optional(),
});

export const HubCountersSchema = z.object({
  messagesIn: z.number().int(),
  messagesOut: z.number().int(),
  bytesIn: z.number().int(),
  bytesOut: z.number().int(),
  connects: z.number().int(),
  /** EnOS return codes other than 200 sent to devices. */
  errors: counts,
  /** Refused logins, subscriptions and publishes by reason. */
  refusals: counts,
});
export type HubCounters = z.infer<typeof HubCountersSchema>;

export const HubStatsSchema = z.object({
  time: z.number().int(),
  online: z.number().int(),
  totals: HubCountersSchema,
  /** The same counters per listener kind (mqtt, mqtts, wss, http, https, coap): each protocol counted separately. */
  protocols: z.record(z.string(), HubCountersSchema).optional(),
  products: z.record(z.string(), HubCountersSchema),
  devices: z.array(HubCountersSchema.extend({ productKey: z.string(), deviceKey: z.string() })),
  /** Devices the connect guard refuses now, with the time of the last refusal. */
  guardBlocked: z.array(z.object({ device: z.string(), at: z.number().int() })),
});
export type HubStats = z.infer<typeof HubStatsSchema>;

export const HubSessionSchema = z.object({
  productKey: z.string(),
  deviceKey: z.string(),
  clientId: z.string(),
  listener: z.enum(['mqtt', 'mqtts', 'wss', 'http', 'https', 'coap']),
  address: z.string().nullable(),
  secureMode: z.union([z.literal(2), z.literal(3)]),
  tls: z
    .object({
      protocol: z.string().nullable(),
      cipher: z.string().nullable(),
      clientCertificate: z.object({ commonName: z.string().nullable(), serial: z.string().nullable() }).nullable(),
    })
    .nullable(),
  connectedAt: z.number().int(),
  lastSeen: z.number().int(),
  /** `PK/DK` of the gateway carrying a sub-device, else null. */
  via: z.string().nullable(),
  subDevices: z.array(z.string()),
  /** CoAP sessions: served without DTLS, so a verification report says "CoAP verified without DTLS". */
  coapWithoutDtls: z.literal(true).optional(),
});
export type HubSession = z.infer<typeof HubSessionSchema>;

export const OfflineReasonSchema = z.enum(['disconnected', 'connection-lost', 'keepalive-timeout', 'taken-over', 'disabled', 'deleted', 'logged-out', 'gateway-offline', 'revoked', 'hub-stopped']);

export const HubSessionRecordSchema = HubSessionSchema.extend({ disconnectedAt: z.number().int(), reason: OfflineReasonSchema });

export const HubMessageSchema = z.object({
  receivedAt: z.number().int(),
  productKey: z.string(),
  deviceKey: z.string(),
  kind: z.enum(['measurepoints', 'event', 'attributes', 'ota', 'raw', 'log']),
  name: z.string().optional(),
  time: z.number().nullable(),
  values: z.unknown(),
});
export type HubMessage = z.infer<typeof HubMessageSchema>;

export const CommandOutcomeSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('replied'), correlationId: z.string(), code: z.number().int(), message: z.string(), data: z.unknown(), latencyMs: z.number() }),
  z.object({ status: z.literal('sent'), correlationId: z.string() }),
  z.object({ status: z.literal('pending'), correlationId: z.string() }),
]);
export type CommandOutcome = z.infer<typeof CommandOutcomeSchema>;

/** §9: command timeout 1–60 s (default 30), pendingTtl 0–172800 s. */
const timeoutS = z.number().min(0.05).max(60).default(30);
const pendingTtlS = z.number().int().min(0).max(172_800).default(0);

export const hubRequests = {
  status: request(
    'hub.status',
    z.object({}).strict(),
    z.object({
      running: z.boolean(),
      ports: HubPortsSchema,
      online: z.number().int(),
      monitors: z.array(z.string()),
    }),
  ),
  sessions: request(
    'hub.sessions',
    z.object({ recent: z.number().int().min(0).max(1000).default(100) }).strict(),
    z.object({ online: z.array(HubSessionSchema), recent: z.array(HubSessionRecordSchema) }),
  ),
  /** Each device's last session as stored (migration 003): survives restarts. */
  lastSeen: request(
    'hub.lastSeen',
    z.object({ device: ref.optional(), limit: z.number().int().min(1).max(1000).default(100) }).strict(),
    z.array(
      z.object({
        productKey: z.string(),
        deviceKey: z.string(),
        connectedAt: z.number().int(),
        disconnectedAt: z.number().int().nullable(),
        reason: OfflineReasonSchema.nullable(),
        listener: z.string(),
        address: z.string().nullable(),
        via: z.string().nullable(),
      }),
    ),
  ),
  stats: request('hub.stats', z.object({ devices: z.number().int().min(0).max(10_000).default(100) }).strict(), HubStatsSchema),
  messages: request('hub.messages', z.object({ device: ref, limit: z.number().int().min(1).max(1000).default(100) }).strict(), z.array(HubMessageSchema)),
  invoke: request(
    'hub.invoke',
    z.object({ device: ref, service: z.string().min(1).max(100), params: z.record(z.string(), z.unknown()).default({}), timeoutS, pendingTtlS }).strict(),
    CommandOutcomeSchema,
  ),
  set: request('hub.set', z.object({ device: ref, measurepoints: z.record(z.string(), z.unknown()), timeoutS, pendingTtlS }).strict(), CommandOutcomeSchema),
  get: request('hub.get', z.object({ device: ref, measurepoints: z.array(z.string().min(1).max(100)).max(200), timeoutS }).strict(), CommandOutcomeSchema),
};

export const hubEvents = {
  session: event('hub.session', z.object({ online: z.boolean(), session: HubSessionSchema, reason: OfflineReasonSchema.optional() })),
  /** Sampled: at most once per second while anything changed. */
  stats: event('hub.stats', HubStatsSchema),
  /** Sampled: the accepted messages since the last batch (at most 200; `dropped` counts the rest). */
  messages: event('hub.messages', z.object({ messages: z.array(HubMessageSchema), dropped: z.number().int() })),
  /** A reply that came after its caller stopped waiting (held or asynchronous commands). */
  command: event('hub.command', z.object({ productKey: z.string(), deviceKey: z.string(), outcome: CommandOutcomeSchema })),
};
