import { createPublicKey } from 'node:crypto';
import type { BirthRecord } from '../../shared/contract/provisioning';
import { BirthRecordSchema } from '../../shared/contract/provisioning';
import { err, ok, type Result } from '../../shared/result';
import { sha256Fingerprint } from '../pki/keys';
import { verifyStationSignature, type StationKey } from '../pki/station-key';
import { canonicalJson } from './canonical-json';

/** Signs a birth record body with the station key (issue 7): ECDSA P-256 over its canonical JSON. */
export function signBirthRecord(stationKey: StationKey, body: BirthRecord['body']): Result<BirthRecord> {
  const publicKey = stationKey.publicKey();
  if (!publicKey.ok) return publicKey;
  const signature = stationKey.sign(canonicalJson(body));
  if (!signature.ok) return signature;
  return ok({
    format: 'commissioner-birth-record/1',
    body,
    signature: { algorithm: 'ECDSA-P256-SHA256', keyId: signature.value.keyId, publicKeyPem: publicKey.value.publicKeyPem, value: signature.value.signature },
  });
}

/**
 * Checks a birth record: its shape, its signature over the body, and that the signing key is
 * `trustedKeyId` (this station's) — a record re-signed with some other key is refused.
 */
export function verifyBirthRecord(record: unknown, trustedKeyId: string): Result<BirthRecord> {
  const parsed = BirthRecordSchema.safeParse(record);
  if (!parsed.success) return err('REPORT_SIGNATURE_INVALID', 'This is not a Commissioner birth record (the JSON does not have its shape).');
  const { body, signature } = parsed.data;
  if (signature.keyId !== trustedKeyId) return err('REPORT_SIGNATURE_INVALID', `The record is signed by station key ${signature.keyId.slice(0, 16)}…, not by this station's key.`);
  if (keyIdOf(signature.publicKeyPem) !== signature.keyId) return err('REPORT_SIGNATURE_INVALID', 'The public key in the record is not the key it names.');
  if (!verifyStationSignature(signature.publicKeyPem, canonicalJson(body), signature.value)) return err('REPORT_SIGNATURE_INVALID', 'The signature does not match the record: it was changed after signing.');
  return ok(parsed.data);
}

function keyIdOf(publicKeyPem: string): string | null {
  try {
    return sha256Fingerprint(createPublicKey(publicKeyPem).export({ format: 'der', type: 'spki' }));
  } catch {
    return null;
  }
}
