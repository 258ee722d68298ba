import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, type webcrypto } from 'node:crypto';
import { err, ok, type Result } from '../../shared/result';
import { subtle, x509 } from './x509';

export type SigningAlgorithm = NonNullable<x509.X509CertificateCreateParamsBase['signingAlgorithm']>;
export type CryptoKey = webcrypto.CryptoKey;

/** The two key types EnOS certificates use (protocol reference §4). */
export const KEY_ALGORITHMS = ['P-256', 'RSA-2048'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

/** Signature algorithm per key type: SHA256withECDSA / SHA256withRSA (§4). */
export function signingAlgorithm(algorithm: KeyAlgorithm): SigningAlgorithm {
  return algorithm === 'P-256' ? ({ name: 'ECDSA', hash: 'SHA-256' } as SigningAlgorithm) : RSA;
}

/** A new key pair made by node's crypto (OpenSSL), as PKCS#8 DER for the vault. */
export function generateKeyPkcs8(algorithm: KeyAlgorithm): Buffer {
  const pair =
    algorithm === 'P-256'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  return pair.privateKey.export({ format: 'der', type: 'pkcs8' });
}

/**
 * Which allowed algorithm a key is, or KEY_UNSUPPORTED (another curve, RSA other than 2048 bits,
 * Ed25519, DSA…). `key` is any node KeyObject, public or private.
 */
export function keyAlgorithmOf(key: KeyObject): Result<KeyAlgorithm> {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') {
    return details.namedCurve === 'prime256v1'
      ? ok('P-256')
      : err('KEY_UNSUPPORTED', `The key uses the curve ${details.namedCurve ?? 'unknown'}; only P-256 (prime256v1) is allowed.`);
  }
  if (key.asymmetricKeyType === 'rsa') {
    return details.modulusLength === 2048
      ? ok('RSA-2048')
      : err('KEY_UNSUPPORTED', `The RSA key has ${details.modulusLength ?? '?'} bits; EnOS certificates use exactly 2048.`);
  }
  return err('KEY_UNSUPPORTED', `${key.asymmetricKeyType ?? 'This'} keys are not allowed; use ECC P-256 or RSA-2048.`);
}

// SubjectPublicKeyInfo prefix of every uncompressed P-256 key (id-ecPublicKey, prime256v1, BIT STRING of 66 bytes).
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

/**
 * A P-256 key from its SPKI through JWK: OpenSSL 3's DER decoder costs about twice as much, and
 * issuance from a CSR imports one key per certificate (issue 7 benchmark).
 */
function p256PublicKey(spki: Buffer): KeyObject | undefined {
  if (spki.length !== P256_SPKI_PREFIX.length + 65 || !spki.subarray(0, P256_SPKI_PREFIX.length).equals(P256_SPKI_PREFIX)) return undefined;
  const point = spki.subarray(P256_SPKI_PREFIX.length);
  if (point[0] !== 0x04) return undefined;
  const coordinate = (from: number) => point.subarray(from, from + 32).toString('base64url');
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: coordinate(1), y: coordinate(33) }, format: 'jwk' });
}

/** Parses a SubjectPublicKeyInfo (DER) with node, then applies the key policy. */
export function publicKeyPolicy(spki: ArrayBuffer | Buffer): Result<{ key: KeyObject; algorithm: KeyAlgorithm }> {
  let key: KeyObject;
  try {
    const der = Buffer.from(spki as ArrayBuffer);
    key = p256PublicKey(der) ?? createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    // OpenSSL cannot even load it: an unknown curve or a broken encoding.
    return err('KEY_UNSUPPORTED', 'The public key is of a type or curve this station cannot use; only P-256 and RSA-2048 are allowed.');
  }
  const algorithm = keyAlgorithmOf(key);
  return algorithm.ok ? ok({ key, algorithm: algorithm.value }) : algorithm;
}

/** The WebCrypto signing key for @peculiar/x509 from PKCS#8 DER. */
export async function importSigningKey(pkcs8: Buffer, algorithm: KeyAlgorithm): Promise<CryptoKey> {
  return subtle.importKey('pkcs8', pkcs8, algorithm === 'P-256' ? ECDSA : RSA, false, ['sign']);
}

/** The public half of a PKCS#8 private key, as SPKI DER. */
export function publicSpki(pkcs8: Buffer): Buffer {
  return createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' });
}

/** SHA-256 over DER, lower-case hex: the fingerprint we show and record (never a secret). */
export function sha256Fingerprint(der: ArrayBuffer | Buffer): string {
  return createHash('sha256').update(Buffer.from(der as ArrayBuffer)).digest('hex');
}
