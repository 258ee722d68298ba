import { parseSignMethod, verifySignature, type SignMethod } from '../../protocol';

/**
 * The body of `POST /auth/{pk}/{dk}` (protocol reference §8): `{signMethod, lifetime, sign,
 * clientInfo?, acceptCommandTypes?}`, sent as JSON or, by older clients, as octet-stream (§13 #14).
 */

export interface HttpAuthRequest {
  /** Milliseconds; silent that long after the last request, the session ends (§8, §9). */
  readonly lifetimeMs: number;
  readonly signMethod: SignMethod;
  /** The fields the device signed, its sign method among them only when it sent one. */
  readonly signed: Readonly<Record<string, string>>;
  readonly sign: string;
  /** Null: every command type (the field is optional). */
  readonly acceptCommandTypes: readonly string[] | null;
}

/** §8: lifetime default 300000 ms; we accept up to a day. */
export const DEFAULT_LIFETIME_MS = 300_000;
const MAX_LIFETIME_MS = 86_400_000;
const HEX = /^[0-9A-Fa-f]+$/;
/** §13 #14: without a signMethod the digest length tells the algorithm (40 hex = sha1). */
const BY_LENGTH: Readonly<Record<number, string>> = { 64: 'sha256', 40: 'sha1', 32: 'md5' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Null when the body is not a well-formed auth request. */
export function parseHttpAuth(body: Buffer, productKey: string, deviceKey: string): HttpAuthRequest | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (!isRecord(parsed) || typeof parsed.sign !== 'string' || !HEX.test(parsed.sign)) return null;
  const lifetimeText = parsed.lifetime === undefined ? String(DEFAULT_LIFETIME_MS) : typeof parsed.lifetime === 'number' || typeof parsed.lifetime === 'string' ? String(parsed.lifetime) : '';
  const lifetimeMs = Number(lifetimeText);
  if (!/^\d+$/.test(lifetimeText) || lifetimeMs < 1 || lifetimeMs > MAX_LIFETIME_MS) return null;
  const sent = typeof parsed.signMethod === 'string' ? parsed.signMethod : null;
  const signMethod = parseSignMethod(sent ?? BY_LENGTH[parsed.sign.length]);
  if (!signMethod) return null;
  const types = parsed.acceptCommandTypes;
  if (types !== undefined && !(Array.isArray(types) && types.every((type) => typeof type === 'string'))) return null;
  return {
    lifetimeMs,
    signMethod,
    signed: { deviceKey, lifetime: lifetimeText, productKey, ...(sent !== null ? { signMethod: sent } : {}) },
    sign: parsed.sign,
    acceptCommandTypes: types ?? null,
  };
}

export function verifyHttpAuth(request: HttpAuthRequest, deviceSecret: string): boolean {
  return verifySignature(request.signed, deviceSecret, request.signMethod, request.sign);
}

/** §8 `acceptCommandTypes`: OTA upgrades are CMD_OTA_UPGRADE, every other command CMD_PENDING_INVOKE. */
export function commandType(topic: string): string {
  return topic.endsWith('/ota/device/upgrade') ? 'CMD_OTA_UPGRADE' : 'CMD_PENDING_INVOKE';
}
