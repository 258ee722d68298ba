import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { ok, type Result } from '../../shared/result';
import { generateKeyPkcs8, sha256Fingerprint } from './keys';
import type { Vault } from './vault';

export const STATION_KEY_REF = 'pki/station-key';

export interface StationSignature {
  /** ECDSA P-256 over SHA-256, DER-encoded (what `openssl dgst -sha256 -verify` reads), base64. */
  signature: string;
  /** SHA-256 of the public key (SPKI DER): which station signed. */
  keyId: string;
}

/**
 * The station's own P-256 key pair (issue 7), made on first use and kept in the vault. It signs
 * birth records and reports; its public key is exported so anyone can verify them.
 */
export class StationKey {
  private key: KeyObject | undefined;
  /** The public half, exported once: every birth record carries it and its fingerprint. */
  private exported: { publicKeyPem: string; fingerprint: string } | undefined;

  constructor(private readonly vault: () => Result<Vault>) {}

  private load(): Result<KeyObject> {
    if (this.key) return ok(this.key);
    const vault = this.vault();
    if (!vault.ok) return vault;
    let pkcs8 = vault.value.getBuffer(STATION_KEY_REF);
    if (!pkcs8) {
      pkcs8 = generateKeyPkcs8('P-256');
      vault.value.put(STATION_KEY_REF, pkcs8, 'station-signing-key');
    }
    this.key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    return ok(this.key);
  }

  publicKey(): Result<{ publicKeyPem: string; fingerprint: string }> {
    if (this.exported) return ok(this.exported);
    const key = this.load();
    if (!key.ok) return key;
    const publicKey = createPublicKey(key.value);
    this.exported = { publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }) as string, fingerprint: sha256Fingerprint(publicKey.export({ format: 'der', type: 'spki' })) };
    return ok(this.exported);
  }

  sign(data: Buffer | string): Result<StationSignature> {
    const key = this.load();
    if (!key.ok) return key;
    const publicKey = this.publicKey();
    if (!publicKey.ok) return publicKey;
    return ok({ signature: sign('sha256', Buffer.from(data), key.value).toString('base64'), keyId: publicKey.value.fingerprint });
  }
}

/** Checks a station signature with an exported public key (PEM). */
export function verifyStationSignature(publicKeyPem: string, data: Buffer | string, signature: string): boolean {
  try {
    return verify('sha256', Buffer.from(data), publicKeyPem, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
