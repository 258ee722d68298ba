import { loginParams } from './login';
import { parseSignMethod, sign, verifySignature, type DigestAlgorithm, type SignMethod } from './sign';

/**
 * Sub-device login and topo-add signatures (protocol reference §6.4): the §3.1 algorithm over
 * the sub-device's own clientId, deviceKey, productKey and timestamp. The hub accepts every key
 * spelling and value type of §13 #7–8.
 */

export interface SubDeviceCredentials {
  readonly productKey: string;
  readonly deviceKey: string;
  readonly clientId: string;
  /** Signed as its decimal text (§13 #8). */
  readonly timestamp: string;
  readonly signMethod: SignMethod;
  readonly sign: string;
  /** 2 = deviceSecret, 3 = productSecret; default 2 (§13 #8). */
  readonly secureMode: 2 | 3;
  /** Present when sent; it may have been signed too (§13 #7). */
  readonly cleanSession: string | undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * Reads one `combine.login` / `topo.add` entry; `shared` supplies batch-level clientId, timestamp
 * and signMethod (§6.4 `combine.login.batch`). Null when a field is missing or malformed.
 */
export function readSubDeviceCredentials(entry: unknown, shared: Readonly<Record<string, unknown>> = {}): SubDeviceCredentials | null {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return null;
  const fields = entry as Record<string, unknown>;
  const pick = (...names: string[]) => {
    for (const name of names) {
      const value = text(fields[name] ?? shared[name]);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const productKey = pick('productKey');
  const deviceKey = pick('deviceKey');
  const clientId = pick('clientId');
  const timestamp = pick('timestamp');
  const signature = pick('sign');
  const signMethod = parseSignMethod(pick('signMethod', 'signmethod'));
  const mode = pick('secureMode') ?? '2';
  if (!productKey || !deviceKey || clientId === undefined || timestamp === undefined || !signature || !signMethod) return null;
  if (mode !== '2' && mode !== '3') return null;
  return { productKey, deviceKey, clientId, timestamp, signMethod, sign: signature, secureMode: mode === '3' ? 3 : 2, cleanSession: pick('cleanSession') };
}

/** The four fields; if that fails and `cleanSession` was sent, also with it signed, parsed case-insensitively (§13 #7). */
export function verifySubDeviceSign(credentials: SubDeviceCredentials, secret: string): boolean {
  const params = loginParams(credentials.clientId, credentials.deviceKey, credentials.productKey, credentials.timestamp);
  if (verifySignature(params, secret, credentials.signMethod, credentials.sign)) return true;
  if (credentials.cleanSession === undefined) return false;
  const cleanSession = credentials.cleanSession.trim().toLowerCase();
  return verifySignature({ ...params, cleanSession }, secret, credentials.signMethod, credentials.sign);
}

export interface SubDeviceLoginInput {
  productKey: string;
  deviceKey: string;
  secret: string;
  timestamp: string;
  /** Default: Java's `pk.dk.ts` form. */
  clientId?: string;
  secureMode?: 2 | 3;
  signMethod?: DigestAlgorithm;
}

/** Gateway side: `combine.login` params as we send them (§13 #8: `signMethod`, string secureMode and timestamp). */
export function buildSubDeviceLogin(input: SubDeviceLoginInput): Record<string, string> {
  const clientId = input.clientId ?? `${input.productKey}.${input.deviceKey}.${input.timestamp}`;
  const algorithm = input.signMethod ?? 'sha256';
  return {
    productKey: input.productKey,
    deviceKey: input.deviceKey,
    clientId,
    timestamp: input.timestamp,
    signMethod: algorithm,
    sign: sign(loginParams(clientId, input.deviceKey, input.productKey, input.timestamp), input.secret, algorithm),
    secureMode: String(input.secureMode ?? 2),
    cleanSession: 'true',
  };
}
