import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The EnOS device-side signature (protocol reference §3.1): the named parameters sorted by name,
 * each written as name + value with no separators, the secret appended, then a plain digest in
 * hex. MQTT login, sub-device login and topo add, HTTP auth and CoAP auth all use it.
 */

export type DigestAlgorithm = 'sha256' | 'sha1' | 'md5';

export interface SignMethod {
  readonly algorithm: DigestAlgorithm;
  /** The name began with `hmac`: a keyed HMAC is accepted besides the plain digest (§13 #2). */
  readonly hmacAlias: boolean;
}

const ALGORITHMS: ReadonlySet<string> = new Set<DigestAlgorithm>(['sha256', 'sha1', 'md5']);

/** §3.3: trim and lower-case; `hmac*` aliases the digest; empty means sha1; anything else is refused (null). */
export function parseSignMethod(name: string | undefined): SignMethod | null {
  let algorithm = (name ?? '').trim().toLowerCase();
  const hmacAlias = algorithm.startsWith('hmac');
  if (hmacAlias) algorithm = algorithm.slice(4);
  if (algorithm === '') algorithm = 'sha1';
  return ALGORITHMS.has(algorithm) ? { algorithm: algorithm as DigestAlgorithm, hmacAlias } : null;
}

/** Byte order of ASCII names; parameter names in the protocol are ASCII, so code-unit order is byte order. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The string that is hashed: sorted `name value` pairs, then the secret (§3.1 steps 1–3). */
export function signContent(params: Readonly<Record<string, string>>, secret: string): string {
  let content = '';
  for (const name of Object.keys(params).sort(byName)) content += name + params[name];
  return content + secret;
}

/** Lower-case hex of the plain digest of the UTF-8 content (§3.1 step 4). */
export function digestHex(algorithm: DigestAlgorithm, content: string): string {
  return createHash(algorithm).update(content, 'utf8').digest('hex');
}

/** Lower-case hex of HMAC(key = secret, content), the variant the doc's password page computes (§13 #2). */
export function hmacHex(algorithm: DigestAlgorithm, secret: string, content: string): string {
  return createHmac(algorithm, secret).update(content, 'utf8').digest('hex');
}

/** Upper-case hex, the form the hub's own clients send (§13 #3). */
export function sign(params: Readonly<Record<string, string>>, secret: string, algorithm: DigestAlgorithm = 'sha256'): string {
  return digestHex(algorithm, signContent(params, secret)).toUpperCase();
}

function hexEquals(candidate: string, expectedLowerHex: string): boolean {
  if (candidate.length !== expectedLowerHex.length) return false;
  return timingSafeEqual(Buffer.from(candidate.toLowerCase(), 'latin1'), Buffer.from(expectedLowerHex, 'latin1'));
}

/**
 * Checks a signature the way the hub must accept it (§3.3, §13 #2–4): any hex case, constant-time,
 * and for `hmac*` names also a keyed HMAC over the same content.
 */
export function verifySignature(params: Readonly<Record<string, string>>, secret: string, method: SignMethod, signature: string): boolean {
  const content = signContent(params, secret);
  if (hexEquals(signature, digestHex(method.algorithm, content))) return true;
  return method.hmacAlias && hexEquals(signature, hmacHex(method.algorithm, secret, content));
}
