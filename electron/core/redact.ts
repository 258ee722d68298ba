/**
 * Central redaction: every log line passes through here before it reaches a file, the ring
 * buffer or a terminal. Identifiers such as productKey and deviceKey are not secrets and stay.
 */
export const REDACTED = '[redacted]';

const SECRET_KEY = /(secret|passw(or)?d|passphrase|token|signature|^sign$|^password$|private|credential|authorization|cookie|encryption|^psk$|^pem$|^key$|datakey|wrapped)/i;
const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g;
const TOKEN_IN_URL = /([?&](token|sessionId|accessToken)=)[^&\s#]+/gi;

export function redactString(text: string): string {
  return text.replace(PRIVATE_KEY_PEM, REDACTED).replace(TOKEN_IN_URL, `$1${REDACTED}`);
}

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[too deep]';
  if (value instanceof Error) {
    return { name: value.name, message: redactString(value.message), stack: value.stack ? redactString(value.stack) : undefined };
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && item !== undefined && item !== null ? REDACTED : redact(item, depth + 1);
  }
  return out;
}
