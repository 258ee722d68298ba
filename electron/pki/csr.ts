import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { err, ok, type Result } from '../../shared/result';
import { publicKeyPolicy, type KeyAlgorithm } from './keys';
import { parseDer, pemBlocks } from './pem';
import { x509 } from './x509';

/** A CSR that passed every check of protocol reference §4. */
export interface CheckedCsr {
  request: x509.Pkcs10CertificateRequest;
  algorithm: KeyAlgorithm;
  /** The subject as the device wrote it; the certificate copies it unchanged. */
  subject: x509.Name;
}

/** Subject fields EnOS makes mandatory besides CN (§4). */
export const MANDATORY_SUBJECT_FIELDS = ['C', 'ST', 'L', 'O', 'OU'] as const;

// §4: SHA256withRSA and SHA256withECDSA.
const SIGNATURE_NAMES: Record<KeyAlgorithm, string> = { 'RSA-2048': 'RSASSA-PKCS1-v1_5', 'P-256': 'ECDSA' };

function isSha256Signature(request: x509.Pkcs10CertificateRequest, algorithm: KeyAlgorithm): boolean {
  try {
    // The DOM Algorithm type is not in the node build: read the two fields we need.
    const signature = request.signatureAlgorithm as unknown as { name: string; hash?: string | { name: string } };
    const hash = typeof signature.hash === 'string' ? signature.hash : signature.hash?.name;
    return signature.name === SIGNATURE_NAMES[algorithm] && hash === 'SHA-256';
  } catch {
    return false; // an algorithm @peculiar/x509 does not know
  }
}

/** The first element of a DER SEQUENCE with its header: the signed part of a CSR, certificate or CRL. */
export function signedPart(der: Buffer): Buffer {
  const headerLength = (at: number): number => (der[at + 1]! < 0x80 ? 2 : 2 + (der[at + 1]! & 0x7f));
  const contentLength = (at: number): number => {
    const first = der[at + 1]!;
    if (first < 0x80) return first;
    let length = 0;
    for (let i = 0; i < (first & 0x7f); i++) length = length * 256 + der[at + 2 + i]!;
    return length;
  };
  const start = headerLength(0);
  return der.subarray(start, start + headerLength(start) + contentLength(start));
}

/** node verifies the DER-encoded ECDSA signature and PKCS#1 v1.5 directly, no WebCrypto round trip. */
function selfSigned(der: Buffer, request: x509.Pkcs10CertificateRequest, key: KeyObject): boolean {
  try {
    return verifySignature('sha256', signedPart(der), key, Buffer.from(request.signature));
  } catch {
    return false; // a signature that is not even well-formed DER
  }
}

export function checkSubject(subject: x509.Name, deviceKey: string): Result<void> {
  const commonNames = subject.getField('CN');
  if (commonNames.length !== 1 || commonNames[0] !== deviceKey) {
    return err('CSR_SUBJECT_INVALID', `The request's CN is "${commonNames.join(', ')}"; it must be the deviceKey "${deviceKey}".`);
  }
  const missing = MANDATORY_SUBJECT_FIELDS.filter((field) => !subject.getField(field).some((value) => value.trim() !== ''));
  if (missing.length) return err('CSR_SUBJECT_INVALID', `The request's subject lacks ${missing.join(', ')} (EnOS requires C, ST, L, O, OU).`);
  if (!/^[A-Z]{2}$/.test(subject.getField('C')[0]!)) return err('CSR_SUBJECT_INVALID', 'The subject C must be a two-letter country code.');
  return ok(undefined);
}

/**
 * Parses and checks a device CSR (PEM) for `deviceKey`, cheapest checks first: encoding, key type
 * and size, signature algorithm, the self-signature, then the subject.
 */
export function checkCsr(pem: string, deviceKey: string): Result<CheckedCsr> {
  const blocks = pemBlocks(pem);
  if (!blocks.ok) return blocks;
  const block = blocks.value.find((candidate) => candidate.label === 'CERTIFICATE REQUEST' || candidate.label === 'NEW CERTIFICATE REQUEST');
  if (!block) return err('PKI_MALFORMED', 'The file holds no CERTIFICATE REQUEST block.');
  const parsed = parseDer(block.der, (der) => {
    const request = new x509.Pkcs10CertificateRequest(der);
    return { request, subject: request.subjectName, spki: request.publicKey.rawData };
  }, 'certificate request');
  if (!parsed.ok) return parsed;
  const { request, subject, spki } = parsed.value;
  const policy = publicKeyPolicy(spki);
  if (!policy.ok) return policy;
  if (!isSha256Signature(request, policy.value.algorithm)) {
    return err('KEY_UNSUPPORTED', 'The request is not signed with SHA-256 (SHA256withRSA or SHA256withECDSA).');
  }
  if (!selfSigned(block.der, request, policy.value.key)) return err('CSR_BAD_SIGNATURE');
  const subjectCheck = checkSubject(subject, deviceKey);
  if (!subjectCheck.ok) return subjectCheck;
  return ok({ request, algorithm: policy.value.algorithm, subject });
}
