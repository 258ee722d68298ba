/**
 * The body codec (commissioning protocol §4): a sequence of fields, each
 * `tag u8 | length u16 little-endian | value`. One tag table serves every command; a group's
 * value is itself a field sequence. Receivers skip tags they do not know (forward compatibility),
 * and a repeatable tag may occur several times (a list).
 */
export type FieldType = 'u8' | 'u16' | 'u32' | 'str' | 'bytes' | 'group';

export interface FieldDef {
  tag: number;
  type: FieldType;
  repeat?: boolean;
}

export const FIELDS = {
  version: { tag: 0x01, type: 'u8', repeat: true },
  maxFrame: { tag: 0x02, type: 'u16' },
  capabilities: { tag: 0x03, type: 'u32' },
  model: { tag: 0x04, type: 'str' },
  serial: { tag: 0x05, type: 'str' },
  mac: { tag: 0x06, type: 'bytes' },
  firmware: { tag: 0x07, type: 'str' },
  protocols: { tag: 0x08, type: 'u8' },
  storage: { tag: 0x09, type: 'u32' },
  state: { tag: 0x0a, type: 'u8' },
  productKey: { tag: 0x10, type: 'str' },
  deviceKey: { tag: 0x11, type: 'str' },
  endpoint: { tag: 0x12, type: 'group', repeat: true },
  protocol: { tag: 0x13, type: 'u8' },
  host: { tag: 0x14, type: 'str' },
  port: { tag: 0x15, type: 'u16' },
  tls: { tag: 0x16, type: 'u8' },
  secretKind: { tag: 0x20, type: 'u8' },
  secret: { tag: 0x21, type: 'bytes' },
  subject: { tag: 0x22, type: 'group' },
  country: { tag: 0x23, type: 'str' },
  stateOrProvince: { tag: 0x24, type: 'str' },
  locality: { tag: 0x25, type: 'str' },
  organization: { tag: 0x26, type: 'str' },
  organizationalUnit: { tag: 0x27, type: 'str' },
  csr: { tag: 0x28, type: 'bytes' },
  target: { tag: 0x30, type: 'u8' },
  totalSize: { tag: 0x31, type: 'u32' },
  sha256: { tag: 0x32, type: 'bytes' },
  offset: { tag: 0x33, type: 'u32' },
  data: { tag: 0x34, type: 'bytes' },
  nextOffset: { tag: 0x35, type: 'u32' },
  hash: { tag: 0x36, type: 'group', repeat: true },
  item: { tag: 0x37, type: 'u8' },
  samples: { tag: 0x40, type: 'u8' },
  timeoutMs: { tag: 0x41, type: 'u32' },
  report: { tag: 0x42, type: 'group', repeat: true },
  loggedIn: { tag: 0x43, type: 'u8' },
  samplesPosted: { tag: 0x44, type: 'u8' },
  downstreamAnswered: { tag: 0x45, type: 'u8' },
  latencyMs: { tag: 0x46, type: 'u32' },
  logLevel: { tag: 0x50, type: 'u8' },
  uptimeMs: { tag: 0x51, type: 'u32' },
  text: { tag: 0x52, type: 'str' },
  detail: { tag: 0x70, type: 'str' },
} as const satisfies Record<string, FieldDef>;

export type FieldName = keyof typeof FIELDS;
export type FieldValue = number | string | Buffer | Body;
/** A decoded body: field name → value, or → list of values for repeatable tags. */
export interface Body {
  [name: string]: FieldValue | FieldValue[];
}

const BY_TAG = new Map<number, [FieldName, FieldDef]>(Object.entries(FIELDS).map(([name, def]) => [def.tag, [name as FieldName, def]]));
const MAX_FIELD = 0xffff;

function encodeValue(def: FieldDef, value: FieldValue, name: string): Buffer {
  switch (def.type) {
    case 'u8':
    case 'u16':
    case 'u32': {
      const size = { u8: 1, u16: 2, u32: 4 }[def.type];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= 2 ** (8 * size)) throw new Error(`field ${name}: ${String(value)} is not a ${def.type}`);
      const out = Buffer.alloc(size);
      out.writeUIntLE(value, 0, size);
      return out;
    }
    case 'str':
      if (typeof value !== 'string') throw new Error(`field ${name} must be a string`);
      return Buffer.from(value, 'utf8');
    case 'bytes':
      if (!Buffer.isBuffer(value)) throw new Error(`field ${name} must be bytes`);
      return value;
    case 'group':
      if (typeof value !== 'object' || Buffer.isBuffer(value)) throw new Error(`field ${name} must be a group`);
      return encodeBody(value as Body);
  }
}

/** Encodes fields in the caller's key order (the spec's fixtures list them in table order). */
export function encodeBody(body: Body): Buffer {
  const parts: Buffer[] = [];
  for (const [name, raw] of Object.entries(body)) {
    const def = (FIELDS as Record<string, FieldDef>)[name];
    if (!def) throw new Error(`unknown field ${name}`);
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length > 1 && !def.repeat) throw new Error(`field ${name} is not repeatable`);
    for (const value of values) {
      const encoded = encodeValue(def, value, name);
      if (encoded.length > MAX_FIELD) throw new Error(`field ${name} is longer than ${MAX_FIELD} bytes`);
      const head = Buffer.alloc(3);
      head[0] = def.tag;
      head.writeUInt16LE(encoded.length, 1);
      parts.push(head, encoded);
    }
  }
  return Buffer.concat(parts);
}

export class BodyError extends Error {}

function decodeValue(def: FieldDef, value: Buffer, name: string): FieldValue {
  switch (def.type) {
    case 'u8':
    case 'u16':
    case 'u32': {
      const size = { u8: 1, u16: 2, u32: 4 }[def.type];
      if (value.length !== size) throw new BodyError(`field ${name} has ${value.length} bytes, expected ${size}`);
      return value.readUIntLE(0, size);
    }
    case 'str':
      return value.toString('utf8');
    case 'bytes':
      return Buffer.from(value);
    case 'group':
      return decodeBody(value);
  }
}

/** Decodes a body; throws BodyError for a truncated field or a wrong integer width. */
export function decodeBody(bytes: Buffer): Body {
  const body: Body = {};
  let at = 0;
  while (at < bytes.length) {
    if (at + 3 > bytes.length) throw new BodyError(`truncated field header at byte ${at}`);
    const tag = bytes[at]!;
    const length = bytes.readUInt16LE(at + 1);
    const end = at + 3 + length;
    if (end > bytes.length) throw new BodyError(`field 0x${tag.toString(16)} runs past the body`);
    const known = BY_TAG.get(tag);
    if (known) {
      const [name, def] = known;
      const value = decodeValue(def, bytes.subarray(at + 3, end), name);
      if (def.repeat) ((body[name] ??= []) as FieldValue[]).push(value);
      else body[name] = value;
    }
    at = end;
  }
  return body;
}

/** A body → plain JSON, bytes as lower-case hex (the spec's fixtures, `--json` output). */
export function bodyToJson(body: Body): Record<string, unknown> {
  const convert = (value: FieldValue): unknown => (Buffer.isBuffer(value) ? value.toString('hex') : typeof value === 'object' ? bodyToJson(value) : value);
  return Object.fromEntries(Object.entries(body).map(([name, value]) => [name, Array.isArray(value) ? value.map(convert) : convert(value)]));
}

/** The inverse of bodyToJson: hex strings of `bytes` fields become bytes again. */
export function bodyFromJson(json: Record<string, unknown>): Body {
  const convert = (def: FieldDef, value: unknown): FieldValue =>
    def.type === 'bytes' ? Buffer.from(String(value), 'hex') : def.type === 'group' ? bodyFromJson(value as Record<string, unknown>) : (value as number | string);
  return Object.fromEntries(
    Object.entries(json).map(([name, value]) => {
      const def = (FIELDS as Record<string, FieldDef>)[name];
      if (!def) throw new Error(`unknown field ${name}`);
      return [name, Array.isArray(value) ? value.map((item) => convert(def, item)) : convert(def, value)];
    }),
  );
}
