import { z } from 'zod';
import { AppErrorSchema } from '../result';
import { event, request } from './define';
import { DriverKindSchema } from './ports';
import { DeviceProtocolSchema } from './products';

/** Domain `provisioning` (issue 9): the one-device pipeline, the factory station, the ledger and birth records. */

export const PIPELINE_STEPS = ['identify', 'plan', 'credential', 'verify', 'commit', 'record'] as const;
export const PipelineStepSchema = z.enum(PIPELINE_STEPS);
export type PipelineStep = z.infer<typeof PipelineStepSchema>;

export const CheckKindSchema = z.enum(['login', 'activation', 'telemetry', 'downstream', 'mtls']);
export type CheckKind = z.infer<typeof CheckKindSchema>;

/** One verification check (architecture §6 step 4): a result, a latency and what a technician can do about it. */
export const CheckSchema = z.object({
  protocol: DeviceProtocolSchema,
  check: CheckKindSchema,
  result: z.enum(['passed', 'failed', 'not-applicable', 'unavailable']),
  latencyMs: z.number().nullable(),
  explanation: z.string(),
});
export type Check = z.infer<typeof CheckSchema>;

export const StepResultSchema = z.object({
  step: PipelineStepSchema,
  status: z.enum(['done', 'reused', 'failed']),
  ms: z.number(),
  detail: z.string(),
});
export type StepResult = z.infer<typeof StepResultSchema>;

export const OutcomeSchema = z.enum(['provisioned', 'failed', 'skipped', 'held']);
export type Outcome = z.infer<typeof OutcomeSchema>;

export const ProvisionResultSchema = z.object({
  runId: z.number().int(),
  port: z.string(),
  productKey: z.string(),
  deviceKey: z.string().nullable(),
  serial: z.string().nullable(),
  outcome: OutcomeSchema,
  /** This run continued an earlier unfinished run of the same device. */
  resumed: z.boolean(),
  steps: z.array(StepResultSchema),
  checks: z.array(CheckSchema),
  error: AppErrorSchema.nullable(),
  /** The ledger entry written for this run. */
  ledgerSeq: z.number().int().nullable(),
});
export type ProvisionResult = z.infer<typeof ProvisionResultSchema>;

/** What to do with a device that was provisioned before (documented default: skip). */
export const IfProvisionedSchema = z.enum(['skip', 'reverify', 'reprovision']);
export type IfProvisioned = z.infer<typeof IfProvisionedSchema>;
/** A device no plan row matches: derive its deviceKey from the naming rule, or hold it for an operator. */
export const UnmatchedSchema = z.enum(['naming-rule', 'hold']);

const PortPath = z.string().min(1).max(4096);
const runOptions = {
  productKey: z.string().min(1).max(20),
  protocols: z.array(DeviceProtocolSchema).min(1).max(3).optional(),
  /** Asset node the device is placed under on success. */
  node: z.string().min(1).max(100).optional(),
  driver: DriverKindSchema.default('framed'),
  profile: z.string().max(64).optional(),
  baud: z.number().int().min(50).max(12_000_000).default(115200),
  ifProvisioned: IfProvisionedSchema.default('skip'),
  unmatched: UnmatchedSchema.default('naming-rule'),
  /** Verification budget per protocol (the device's connectivity test). */
  verifyTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  samples: z.number().int().min(1).max(20).default(2),
  operator: z.string().max(100).default(''),
};

export const BatchSummarySchema = z.object({ provisioned: z.number().int(), failed: z.number().int(), skipped: z.number().int(), held: z.number().int() });

export const LedgerEntrySchema = z.object({
  seq: z.number().int(),
  at: z.number().int(),
  stationId: z.string(),
  operator: z.string(),
  runId: z.number().int(),
  outcome: OutcomeSchema,
  productKey: z.string(),
  deviceKey: z.string().nullable(),
  serial: z.string().nullable(),
  mac: z.string().nullable(),
  firmware: z.string().nullable(),
  scheme: z.string(),
  /** SHA-256 of the secret or certificate; never the secret itself. */
  credentialFingerprint: z.string().nullable(),
  steps: z.array(StepResultSchema),
  checks: z.array(CheckSchema),
  prevHash: z.string(),
  hash: z.string(),
});
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

/** The signed birth record of one device (JSON; the PDF prints the same content). */
export const BirthRecordSchema = z.object({
  format: z.literal('commissioner-birth-record/1'),
  body: z.object({
    productKey: z.string(),
    deviceKey: z.string(),
    serial: z.string().nullable(),
    mac: z.string().nullable(),
    model: z.string().nullable(),
    firmware: z.string().nullable(),
    scheme: z.string(),
    credentialFingerprint: z.string().nullable(),
    stationId: z.string(),
    operator: z.string(),
    runId: z.number().int(),
    ledgerSeq: z.number().int(),
    ledgerHash: z.string(),
    provisionedAt: z.number().int(),
    checks: z.array(CheckSchema),
    identityUri: z.string(),
  }),
  signature: z.object({ algorithm: z.literal('ECDSA-P256-SHA256'), keyId: z.string(), publicKeyPem: z.string(), value: z.string() }),
});
export type BirthRecord = z.infer<typeof BirthRecordSchema>;

/** Runs started since a moment (the dashboard's "provisioning today", issue 11), by how they ended. */
export const ProvisioningTodaySchema = z.object({
  since: z.number().int(),
  started: z.number().int(),
  provisioned: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
  held: z.number().int(),
  running: z.number().int(),
  /** provisioned / (provisioned + failed); null before any run succeeded or failed. */
  successRate: z.number().min(0).max(1).nullable(),
});
export type ProvisioningToday = z.infer<typeof ProvisioningTodaySchema>;

export const provisioningRequests = {
  provision: request('provisioning.provision', z.object({ port: PortPath, ...runOptions }).strict(), ProvisionResultSchema),
  batch: request(
    'provisioning.batch',
    z
      .object({
        ...runOptions,
        ports: z.array(PortPath).max(64).optional(),
        /** Every port the station knows (configured and watched). */
        all: z.boolean().default(false),
        /** The MES export, CSV as `devices import` reads it; rows become planned devices first. */
        planCsv: z.string().max(16 * 1024 * 1024).optional(),
      })
      .strict(),
    z.object({ results: z.array(ProvisionResultSchema), summary: BatchSummarySchema }),
  ),
  /** `since` (ms): the caller's local midnight; default the station's. */
  today: request('provisioning.today', z.object({ since: z.number().int().min(0).optional() }).strict(), ProvisioningTodaySchema),
  ledgerVerify: request('provisioning.ledger.verify', z.object({}).strict(), z.object({ entries: z.number().int(), head: z.string() })),
  /** One device's ledger entries, newest first (the device detail view, issue 11). */
  ledgerDevice: request(
    'provisioning.ledger.device',
    z.object({ device: z.string().min(1).max(100), limit: z.number().int().min(1).max(1000).default(100) }).strict(),
    z.array(LedgerEntrySchema),
  ),
  ledgerExport: request('provisioning.ledger.export', z.object({ format: z.enum(['csv', 'json']) }).strict(), z.object({ text: z.string(), entries: z.number().int() })),
  report: request('provisioning.report', z.object({ device: z.string().min(1).max(100) }).strict(), BirthRecordSchema),
  reportVerify: request('provisioning.report.verify', z.object({ record: z.unknown() }).strict(), z.object({ valid: z.literal(true), keyId: z.string(), deviceKey: z.string() })),
  label: request(
    'provisioning.label',
    z.object({ device: z.string().min(1).max(100), format: z.enum(['pdf', 'zpl']) }).strict(),
    z.object({ identityUri: z.string(), productKey: z.string(), deviceKey: z.string(), serial: z.string().nullable(), mac: z.string().nullable(), format: z.enum(['pdf', 'zpl']), base64: z.string() }),
  ),
};

export const provisioningEvents = {
  /** One step of one slot's run started, finished or failed (the station's progress view). */
  progress: event(
    'provisioning.progress',
    z.object({ runId: z.number().int(), port: z.string(), step: PipelineStepSchema, status: z.enum(['started', 'done', 'reused', 'failed']), deviceKey: z.string().nullable(), detail: z.string() }),
  ),
  finished: event('provisioning.finished', ProvisionResultSchema),
};
