import { createHash } from 'node:crypto';

/** EnOS apim request signing (protocol reference §11.1, §13 row 19), proven by vectors A1, R1, R2 of §12. */

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Token service `encryption`: lowerhex(sha256(appKey + timestamp + appSecret)). */
export function tokenEncryption(appKey: string, timestamp: number, appSecret: string): string {
  return sha256Hex(`${appKey}${timestamp}${appSecret}`);
}

/**
 * `paramsData`: every query parameter (`action` and `orgId` included) sorted by name in ASCII
 * order as name + decoded value, then the JSON body exactly as sent (nothing without a body).
 */
export function paramsData(query: URLSearchParams, body: string | undefined): string {
  const pairs = [...query.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return pairs.map(([name, value]) => `${name}${value}`).join('') + (body ?? '');
}

/** `apim-signature`: lowerhex(sha256(accessToken + paramsData + timestamp + appSecret)). */
export function apimSignature(accessToken: string, query: URLSearchParams, body: string | undefined, timestamp: number, appSecret: string): string {
  return sha256Hex(`${accessToken}${paramsData(query, body)}${timestamp}${appSecret}`);
}
