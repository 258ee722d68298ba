import { parseSignMethod, sign, verifySignature, type DigestAlgorithm, type SignMethod } from './sign';

/** MQTT CONNECT fields of an EnOS login (protocol reference §3.1, §3.2). */

export type SecureMode = 2 | 3 | 4;

export interface ClientIdParts {
  /** Everything before the first `|`, verbatim: it is signed byte for byte (§13 #1). */
  readonly cid: string;
  readonly secureMode: SecureMode;
  readonly signMethodName: string;
  readonly signMethod: SignMethod;
  /** Opaque: no freshness check (§3.4). */
  readonly timestamp: string;
}

export interface UsernameParts {
  readonly deviceKey: string;
  readonly productKey: string;
}

/** §13 #6: no limit on the cid, the whole ClientId up to 256 bytes. */
export const MAX_CLIENT_ID_BYTES = 256;

const SECURE_MODES: Readonly<Record<string, SecureMode>> = { '2': 2, '3': 3, '4': 4 };

/**
 * Splits `<cid>|securemode=…,signmethod=…,timestamp=…|`: the `k=v` list runs to the next `|` (a
 * missing trailing one is tolerated) and unknown keys are ignored (§3.1). Null when malformed.
 */
export function parseClientId(clientId: string): ClientIdParts | null {
  if (Buffer.byteLength(clientId, 'utf8') > MAX_CLIENT_ID_BYTES) return null;
  const bar = clientId.indexOf('|');
  if (bar <= 0) return null;
  const end = clientId.indexOf('|', bar + 1);
  const list = clientId.slice(bar + 1, end < 0 ? undefined : end);
  const fields = new Map<string, string>();
  for (const pair of list.split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) fields.set(pair.slice(0, eq).trim().toLowerCase(), pair.slice(eq + 1).trim());
  }
  const secureMode = SECURE_MODES[fields.get('securemode') ?? ''];
  const timestamp = fields.get('timestamp');
  const signMethodName = fields.get('signmethod') ?? '';
  const signMethod = parseSignMethod(signMethodName);
  if (!secureMode || !timestamp || !signMethod) return null;
  return { cid: clientId.slice(0, bar), secureMode, signMethodName, signMethod, timestamp };
}

/** `deviceKey&productKey`, split at the `&` (§3.1). Null when either side is empty. */
export function parseUsername(username: string): UsernameParts | null {
  const amp = username.indexOf('&');
  if (amp <= 0 || amp === username.length - 1) return null;
  return { deviceKey: username.slice(0, amp), productKey: username.slice(amp + 1) };
}

/** The four signed login fields (§3.1 step 1). */
export function loginParams(cid: string, deviceKey: string, productKey: string, timestamp: string): Record<string, string> {
  return { clientId: cid, deviceKey, productKey, timestamp };
}

/** Verifies a parsed login's password against the secret its secure mode selects. */
export function verifyLoginPassword(clientId: ClientIdParts, username: UsernameParts, password: string, secret: string): boolean {
  const params = loginParams(clientId.cid, username.deviceKey, username.productKey, clientId.timestamp);
  return verifySignature(params, secret, clientId.signMethod, password);
}

export interface LoginInput {
  productKey: string;
  deviceKey: string;
  /** deviceSecret for mode 2, productSecret for mode 3. */
  secret: string;
  secureMode: 2 | 3;
  /** The cid before the first `|`; we send the deviceKey (§13 #1). */
  cid?: string;
  /** Current ms as an integer string (§13 #5). */
  timestamp: string;
  signMethod?: DigestAlgorithm;
}

export interface MqttCredentials {
  clientId: string;
  username: string;
  password: string;
}

/** Device side: the CONNECT fields our own clients send (§13 "we send": cid = deviceKey, sha256, UPPER hex). */
export function buildMqttCredentials(input: LoginInput): MqttCredentials {
  const cid = input.cid ?? input.deviceKey;
  const algorithm = input.signMethod ?? 'sha256';
  return {
    clientId: `${cid}|securemode=${input.secureMode},signmethod=${algorithm},timestamp=${input.timestamp}|`,
    username: `${input.deviceKey}&${input.productKey}`,
    password: signLogin(input),
  };
}

/** Device side: the login password alone. */
export function signLogin(input: LoginInput): string {
  const params = loginParams(input.cid ?? input.deviceKey, input.deviceKey, input.productKey, input.timestamp);
  return sign(params, input.secret, input.signMethod ?? 'sha256');
}
