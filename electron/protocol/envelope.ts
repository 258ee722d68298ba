/**
 * The JSON envelopes of EnOS messages (protocol reference §5.1) and the return codes the cloud
 * sends to devices (§5.2).
 */

/** A request id, echoed with its JSON type (§13 #9, #22): a string stays a string. */
export type MessageId = string | number;

export const ReturnCode = {
  SUCCESS: 200,
  PAYLOAD_TOO_LARGE: 1008,
  TOPIC_NOT_WRITABLE: 1009,
  PARSE_ERROR: 1200,
  MODEL_VALIDATION_FAILED: 1204,
  MEASUREPOINT_FORMAT: 1206,
  ATTRIBUTE_UPDATE_FORMAT: 1207,
  ATTRIBUTE_QUERY_FORMAT: 1208,
  ATTRIBUTE_DELETE_FORMAT: 1209,
  SUB_DEVICE_NO_PERMISSION: 1212,
  NOT_JSON: 1220,
  EMPTY_PAYLOAD: 1251,
  TOPO_ADD_FAILED: 1255,
  TOPO_DELETE_FAILED: 1256,
  METHOD_MISMATCH: 1260,
  SUB_DEVICE_NOT_FOUND: 705,
  DEVICE_DISABLED: 723,
  SUB_DEVICE_NOT_UNDER_GATEWAY: 740,
  SIGNATURE_FAILED: 742,
  CERTIFICATE_REQUIRED: 746,
  DYNAMIC_ACTIVATION_DISABLED: 770,
  SUB_DEVICE_DIRECT_LOGIN: 771,
} as const;

/** Largest payload (§2, §9): larger ones are dropped with 1008. */
export const MAX_PAYLOAD_BYTES = 512 * 1024;

export interface RequestEnvelope {
  readonly id: MessageId | undefined;
  readonly version: string;
  readonly method: string;
  readonly params: unknown;
  /** Every top-level field, for the batch flags beside `params` (§5.1). */
  readonly body: Readonly<Record<string, unknown>>;
}

/** A success is the envelope itself (no wrapper object: the hub parses one per message). */
export type ParsedRequest = (RequestEnvelope & { readonly ok: true }) | { ok: false; code: number; id: MessageId | undefined };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageId(value: unknown): MessageId | undefined {
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
}

/** One JSON parse per message: 1251 empty, 1220 not JSON, 1200 not a request object. */
export function parseRequest(payload: Uint8Array | string): ParsedRequest {
  if (payload.length === 0) return { ok: false, code: ReturnCode.EMPTY_PAYLOAD, id: undefined };
  let body: unknown;
  try {
    body = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch {
    return { ok: false, code: ReturnCode.NOT_JSON, id: undefined };
  }
  if (!isRecord(body)) return { ok: false, code: ReturnCode.NOT_JSON, id: undefined };
  const id = messageId(body.id);
  if (typeof body.method !== 'string') return { ok: false, code: ReturnCode.PARSE_ERROR, id };
  const version = typeof body.version === 'string' ? body.version : '1.0';
  return { ok: true, id, version, method: body.method, params: body.params, body };
}

export interface ReplyEnvelope {
  readonly id: MessageId | undefined;
  readonly code: number;
  readonly message?: string;
  readonly data?: unknown;
}

export function buildReply(reply: ReplyEnvelope): string {
  return JSON.stringify({ id: reply.id, code: reply.code, message: reply.message ?? '', data: reply.data ?? {} });
}

/** Our downstream requests (§13 "we send": version "1.0", decimal-string id). */
export function buildRequest(id: string, method: string, params: unknown): string {
  return JSON.stringify({ id, version: '1.0', method, params });
}

/**
 * A device's reply to a command (§5.1): `code` may arrive as a numeric string (§13 #23). Null
 * when the payload is not a reply object with a usable code.
 */
export function parseReply(payload: Uint8Array | string): ReplyEnvelope | null {
  let body: unknown;
  try {
    body = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch {
    return null;
  }
  if (!isRecord(body)) return null;
  const code = typeof body.code === 'number' ? body.code : typeof body.code === 'string' && /^-?\d+$/.test(body.code.trim()) ? Number(body.code) : NaN;
  if (!Number.isInteger(code)) return null;
  return {
    id: messageId(body.id),
    code,
    ...(typeof body.message === 'string' ? { message: body.message } : {}),
    ...('data' in body ? { data: body.data } : {}),
  };
}
