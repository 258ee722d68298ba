/**
 * The device identity a label's QR code carries (issue 9 "Labels"), and what the UI's
 * scan-to-place reads back:
 *
 *   enos-device:PRODUCTKEY/DEVICEKEY?serial=SERIAL&mac=MAC
 *
 * productKey and deviceKey are the registry identifiers (protocol reference: [A-Za-z0-9_-]),
 * serial and MAC are percent-encoded. It never carries a secret.
 */
export interface DeviceIdentityUri {
  productKey: string;
  deviceKey: string;
  serial: string | null;
  mac: string | null;
}

export const IDENTITY_URI_SCHEME = 'enos-device';
const IDENTIFIER = /^[A-Za-z0-9_-]{1,64}$/;

/** Percent-encodes all but A-Z a-z 0-9 - _ . so the URI is safe in any label language (ZPL ^ and ~ included). */
const encode = (text: string) => encodeURIComponent(text).replace(/[!'()*~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

export function formatIdentityUri(identity: DeviceIdentityUri): string {
  const query = [identity.serial !== null ? `serial=${encode(identity.serial)}` : '', identity.mac !== null ? `mac=${encode(identity.mac)}` : ''].filter(Boolean).join('&');
  return `${IDENTITY_URI_SCHEME}:${identity.productKey}/${identity.deviceKey}${query ? `?${query}` : ''}`;
}

/** Null for anything that is not a well-formed identity URI. */
export function parseIdentityUri(text: string): DeviceIdentityUri | null {
  const match = /^enos-device:([^/?]+)\/([^?]+)(?:\?(.*))?$/.exec(text.trim());
  if (!match || !IDENTIFIER.test(match[1]!) || !IDENTIFIER.test(match[2]!)) return null;
  const params = new Map<string, string>();
  for (const pair of (match[3] ?? '').split('&').filter(Boolean)) {
    const [key = '', value = ''] = pair.split('=');
    try {
      params.set(key, decodeURIComponent(value));
    } catch {
      return null;
    }
  }
  return { productKey: match[1]!, deviceKey: match[2]!, serial: params.get('serial') ?? null, mac: params.get('mac') ?? null };
}
