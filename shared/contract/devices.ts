import { z } from 'zod';
import { IMPORTED_SECRET_PATTERN } from '../model/identifiers';
import { event, request } from './define';

/** Domain `devices` (issue 4): devices, their secrets, attributes, tags and CSV import. */

/** Architecture §5: planned → provisioned → active, and disabled, decommissioned. */
export const DeviceStateSchema = z.enum(['planned', 'provisioned', 'active', 'disabled', 'decommissioned']);
export type DeviceState = z.infer<typeof DeviceStateSchema>;

/** Where the device's credentials came from. */
export const CredentialSourceSchema = z.enum(['none', 'generated', 'imported', 'activation', 'enos']);
export type CredentialSource = z.infer<typeof CredentialSourceSchema>;

export const DeviceSchema = z.object({
  productKey: z.string(),
  deviceKey: z.string(),
  name: z.string(),
  serial: z.string().nullable(),
  mac: z.string().nullable(),
  firmware: z.string().nullable(),
  destination: z.string(),
  credentialSource: CredentialSourceSchema,
  state: DeviceStateSchema,
  certFingerprint: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  tags: z.record(z.string(), z.string()),
  desiredConfig: z.record(z.string(), z.unknown()),
  timezone: z.string(),
  revision: z.number().int(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Device = z.infer<typeof DeviceSchema>;

/** `PK/DK`, or a bare deviceKey when it is unique in the registry. */
const ref = z.string().min(1).max(100);
const optionalText = (max: number) => z.string().trim().max(max).optional();
/** §11.3: `+08:00` or an IANA name. */
export const TimezoneSchema = z.string().regex(/^([+-]\d{2}:\d{2}|[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*)$/, 'a UTC offset such as +08:00 or an IANA name');

export const DeviceSortSchema = z.enum(['deviceKey', 'name', 'createdAt']);
export type DeviceSort = z.infer<typeof DeviceSortSchema>;

/** Which devices a list or count takes. */
const deviceFilter = {
  productKey: z.string().max(20).optional(),
  state: DeviceStateSchema.optional(),
  /** Substring of deviceKey, name, serial or MAC. */
  query: z.string().max(200).optional(),
};

export const DeviceListSchema = z
  .object({
    ...deviceFilter,
    sort: DeviceSortSchema.default('deviceKey'),
    order: z.enum(['asc', 'desc']).default('asc'),
    limit: z.number().int().min(1).max(1000).default(100),
    /** The `next` cursor of the previous page (keyset pagination). */
    after: z.string().max(400).optional(),
    /** The window from this position in the sorted list (a virtualized table jumping to a scroll position, issue 11); not with `after`. */
    offset: z.number().int().min(0).max(100_000_000).optional(),
  })
  .strict()
  .refine((query) => query.after === undefined || query.offset === undefined, { message: 'give either a cursor (after) or an offset, not both', path: ['offset'] });
export type DeviceListQuery = z.output<typeof DeviceListSchema>;

export const DeviceFilterSchema = z.object(deviceFilter).strict();
export type DeviceFilterQuery = z.output<typeof DeviceFilterSchema>;

export const DevicePageSchema = z.object({ items: z.array(DeviceSchema), next: z.string().nullable() });
export type DevicePage = z.infer<typeof DevicePageSchema>;

export const DeviceCreateSchema = z
  .object({
    productKey: z.string().min(1).max(20),
    deviceKey: z.string().min(1).max(64).optional(),
    name: optionalText(200),
    serial: optionalText(100),
    mac: optionalText(40),
    firmware: optionalText(100),
    timezone: TimezoneSchema.optional(),
    /** A secret the device already holds (moved from another system); generated otherwise. */
    deviceSecret: z.string().regex(IMPORTED_SECRET_PATTERN, 'deviceSecret must be 1–64 printable ASCII characters without spaces').optional(),
  })
  .strict();
export type DeviceCreate = z.output<typeof DeviceCreateSchema>;

export const DeviceUpdateSchema = z
  .object({
    ref,
    name: optionalText(200),
    serial: optionalText(100).nullable(),
    mac: optionalText(40).nullable(),
    firmware: optionalText(100).nullable(),
    timezone: TimezoneSchema.optional(),
    state: DeviceStateSchema.optional(),
    /** Merged into the stored attributes; checked against the thing model. */
    attributes: z.record(z.string(), z.unknown()).optional(),
    tags: z.record(z.string(), z.string()).optional(),
    desiredConfig: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type DeviceUpdate = z.output<typeof DeviceUpdateSchema>;

export const CsvIssueSchema = z.object({ line: z.number().int(), column: z.string().optional(), message: z.string() });
export type CsvIssue = z.infer<typeof CsvIssueSchema>;

export const DeviceImportResultSchema = z.object({ dryRun: z.boolean(), rows: z.number().int(), imported: z.number().int(), issues: z.array(CsvIssueSchema) });
export type DeviceImportResult = z.infer<typeof DeviceImportResultSchema>;

/** The dashboard's device counts (issue 11): every state is present, zero when no device is in it. */
export const DeviceStatsSchema = z.object({
  total: z.number().int(),
  byState: z.record(DeviceStateSchema, z.number().int()),
  /** productKey → devices of that product; products without devices are left out. */
  byProduct: z.record(z.string(), z.number().int()),
});
export type DeviceStats = z.infer<typeof DeviceStatsSchema>;

export const devicesRequests = {
  list: request('devices.list', DeviceListSchema, DevicePageSchema),
  get: request('devices.get', z.object({ ref }).strict(), DeviceSchema),
  create: request('devices.create', DeviceCreateSchema, z.object({ device: DeviceSchema, deviceSecret: z.string().nullable() })),
  update: request('devices.update', DeviceUpdateSchema, DeviceSchema),
  delete: request('devices.delete', z.object({ ref }).strict(), z.object({ productKey: z.string(), deviceKey: z.string() })),
  secret: request('devices.secret', z.object({ ref }).strict(), z.object({ productKey: z.string(), deviceKey: z.string(), deviceSecret: z.string() })),
  /** CSV text (header line 1); with dryRun nothing is written; without it, nothing is unless every row is valid. */
  import: request(
    'devices.import',
    z.object({ csv: z.string().max(64 * 1024 * 1024), productKey: z.string().max(20).optional(), dryRun: z.boolean().default(false) }).strict(),
    DeviceImportResultSchema,
  ),
  /** The import's CSV columns, without secrets. */
  export: request('devices.export', z.object({ productKey: z.string().max(20).optional() }).strict(), z.object({ csv: z.string(), rows: z.number().int() })),
  stats: request('devices.stats', z.object({}).strict(), DeviceStatsSchema),
  /** How many devices a filter matches (the virtualized table's height). */
  count: request('devices.count', DeviceFilterSchema, z.object({ total: z.number().int() })),
};

export const DeviceChangeSchema = z.object({
  operation: z.enum(['create', 'update', 'delete', 'import']),
  productKey: z.string(),
  deviceKey: z.string().optional(),
  count: z.number().int().optional(),
});

export const devicesEvents = {
  changed: event('devices.changed', DeviceChangeSchema),
};
