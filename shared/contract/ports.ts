import { z } from 'zod';
import { event, request } from './define';

/** Domain `ports`: serial ports the station owns, the devices on them, and the serial console. */
export const PortInfoSchema = z.object({
  path: z.string(),
  /** Stable identity (architecture §6 slots): `usb:VID:PID:SERIAL`, `usb-location:…`, or `path:…` for a pseudo-terminal link. */
  identity: z.string(),
  kind: z.enum(['usb', 'pty', 'native']),
  source: z.enum(['os', 'configured']),
  vendorId: z.string().optional(),
  productId: z.string().optional(),
  serialNumber: z.string().optional(),
  location: z.string().optional(),
  manufacturer: z.string().optional(),
  /** Who holds the port in this app right now. */
  holder: z.enum(['free', 'console', 'pipeline']),
});
export type PortInfo = z.infer<typeof PortInfoSchema>;

export const DriverKindSchema = z.enum(['framed', 'at']);
export type DriverKind = z.infer<typeof DriverKindSchema>;

export const DeviceIdentitySchema = z.object({
  driver: DriverKindSchema,
  protocolVersion: z.number().int().nullable(),
  model: z.string(),
  serial: z.string(),
  mac: z.string(),
  firmware: z.string(),
  capabilities: z.array(z.string()),
  protocols: z.array(z.string()),
  storageBytes: z.number().int().nullable(),
  state: z.enum(['factory', 'staged', 'committed', 'unknown']),
  maxFrame: z.number().int().nullable(),
});
export type DeviceIdentity = z.infer<typeof DeviceIdentitySchema>;

export const DeviceLogLineSchema = z.object({ path: z.string(), level: z.string(), uptimeMs: z.number().int(), text: z.string() });
export type DeviceLogLine = z.infer<typeof DeviceLogLineSchema>;

const PathInput = z.string().min(1).max(4096);
const Baud = z.number().int().min(50).max(12_000_000);

export const portsRequests = {
  list: request('ports.list', z.object({}).strict(), z.array(PortInfoSchema)),
  /** Adds pseudo-terminal paths or globs (`/tmp/sim-*`) to discovery; the OS does not list them. */
  watch: request('ports.watch', z.object({ patterns: z.array(z.string().min(1).max(4096)).min(1).max(64) }).strict(), z.array(PortInfoSchema)),
  identify: request(
    'ports.identify',
    z.object({ path: PathInput, driver: DriverKindSchema.default('framed'), baud: Baud.default(115200), profile: z.string().max(64).optional() }).strict(),
    DeviceIdentitySchema,
  ),
  consoleOpen: request(
    'ports.console.open',
    z.object({ path: PathInput, baud: Baud.default(115200), takeover: z.boolean().default(false) }).strict(),
    z.object({ path: z.string(), baud: z.number().int() }),
  ),
  consoleWrite: request(
    'ports.console.write',
    z.object({ path: PathInput, text: z.string().max(65536).optional(), hex: z.string().regex(/^([0-9a-fA-F]{2})*$/).max(131072).optional() }).strict(),
    z.object({ bytes: z.number().int() }),
  ),
  consoleClose: request('ports.console.close', z.object({ path: PathInput }).strict(), z.object({ closed: z.boolean() })),
};

export const portsEvents = {
  added: event('ports.added', PortInfoSchema),
  removed: event('ports.removed', z.object({ path: z.string(), identity: z.string() })),
  /** Every byte the console received, as hex, as it arrives (the hex view, the log file). */
  consoleData: event('ports.console.data', z.object({ path: z.string(), hex: z.string() })),
  /** What the console shows as text: received bytes that are not protocol frames (those become `ports.device.log`). */
  consoleText: event('ports.console.text', z.object({ path: z.string(), text: z.string() })),
  consoleClosed: event('ports.console.closed', z.object({ path: z.string(), reason: z.string() })),
  deviceLog: event('ports.device.log', DeviceLogLineSchema),
};
