import { parseSignMethod, verifySignature } from '../../protocol';

/**
 * The non-DTLS CoAP login body (protocol reference §7): `{"secureMode":2,"lifetime":<30–86400>,
 * "sign":"<hex>"}`, sign = SHA-256 over `deviceKey lifetime productKey secureMode` + deviceSecret
 * (test vector C1). Mode 2 only: activation exists only over MQTT.
 */

export interface CoapAuthRequest {
  /** Seconds: silent that long, the device is offline (§7, §9). */
  readonly lifetimeS: number;
  readonly lifetimeText: string;
  readonly sign: string;
}

const SHA256 = parseSignMethod('sha256')!;
const HEX64 = /^[0-9A-Fa-f]{64}$/;

/** Null when malformed, a mode other than 2, or a lifetime outside 30–86400 s. */
export function parseCoapAuth(body: Buffer): CoapAuthRequest | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const fields = parsed as Record<string, unknown>;
  if (String(fields.secureMode) !== '2' || typeof fields.sign !== 'string' || !HEX64.test(fields.sign)) return null;
  const lifetimeText = typeof fields.lifetime === 'number' || typeof fields.lifetime === 'string' ? String(fields.lifetime) : '';
  const lifetimeS = Number(lifetimeText);
  if (!/^\d+$/.test(lifetimeText) || lifetimeS < 30 || lifetimeS > 86_400) return null;
  return { lifetimeS, lifetimeText, sign: fields.sign };
}

export function verifyCoapAuth(request: CoapAuthRequest, ref: { productKey: string; deviceKey: string }, deviceSecret: string): boolean {
  const signed = { deviceKey: ref.deviceKey, lifetime: request.lifetimeText, productKey: ref.productKey, secureMode: '2' };
  return verifySignature(signed, deviceSecret, SHA256, request.sign);
}
