import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { err, ok, type Result } from '../../shared/result';
import { bytesOf, children, contentOf, DerError, oidContent, readRoot, TAG, type Tlv } from './der';
import { publicKeyPolicy, type KeyAlgorithm } from './keys';
import { pemBlocks } from './pem';

/** A subject name's fields by short name (what `x509.Name` offers too). */
export interface SubjectFields {
  getField(name: string): string[];
}

/** A CSR that passed every check of protocol reference §4, as the raw parts a certificate copies. */
export interface CheckedCsr {
  algorithm: KeyAlgorithm;
  /** The subject Name exactly as the device encoded it. */
  subjectDer: Buffer;
  spkiDer: Buffer;
  subject: SubjectFields;
}

/** Subject fields EnOS makes mandatory besides CN (§4). */
export const MANDATORY_SUBJECT_FIELDS = ['C', 'ST', 'L', 'O', 'OU'] as const;

const FIELD_BY_OID: Record<string, string> = {
  [oidContent('2.5.4.3').toString('hex')]: 'CN',
  [oidContent('2.5.4.6').toString('hex')]: 'C',
  [oidContent('2.5.4.8').toString('hex')]: 'ST',
  [oidContent('2.5.4.7').toString('hex')]: 'L',
  [oidContent('2.5.4.10').toString('hex')]: 'O',
  [oidContent('2.5.4.11').toString('hex')]: 'OU',
};

// §4: SHA256withRSA and SHA256withECDSA.
const SIGNATURE_OIDS: Record<KeyAlgorithm, Buffer> = { 'RSA-2048': oidContent('1.2.840.113549.1.1.11'), 'P-256': oidContent('1.2.840.10045.4.3.2') };

const BMP_STRING = 0x1e;

function stringValue(der: Buffer, value: Tlv): string {
  const content = contentOf(der, value);
  return value.tag === BMP_STRING ? Buffer.from(content).swap16().toString('utf16le') : content.toString('utf8');
}

/** Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY } (RFC 5280 §4.1.2.4). */
function nameFields(der: Buffer, name: Tlv): SubjectFields {
  const fields = new Map<string, string[]>();
  for (const rdn of children(der, name)) {
    for (const attribute of children(der, rdn)) {
      const [type, value] = children(der, attribute);
      if (!type || !value || type.tag !== TAG.oid) throw new DerError('bad name');
      const field = FIELD_BY_OID[contentOf(der, type).toString('hex')];
      if (field) fields.set(field, [...(fields.get(field) ?? []), stringValue(der, value)]);
    }
  }
  return { getField: (field) => fields.get(field) ?? [] };
}

interface CsrParts {
  info: Buffer;
  subjectDer: Buffer;
  subject: SubjectFields;
  spkiDer: Buffer;
  signatureOid: Buffer;
  signature: Buffer;
}

/** CertificationRequest ::= SEQUENCE { info SEQUENCE { version, subject, spki, [0] attributes }, algorithm, BIT STRING } (RFC 2986). */
function parseCsr(der: Buffer): CsrParts {
  const [info, algorithm, signature] = children(der, readRoot(der, TAG.sequence));
  if (!info || !algorithm || !signature || signature.tag !== TAG.bitString) throw new DerError('not a CSR');
  const [version, subject, spki] = children(der, info);
  const [signatureOid] = children(der, algorithm);
  if (!version || version.tag !== TAG.integer || !subject || subject.tag !== TAG.sequence || !spki || spki.tag !== TAG.sequence || !signatureOid) throw new DerError('not a CSR');
  return {
    info: bytesOf(der, info),
    subjectDer: bytesOf(der, subject),
    subject: nameFields(der, subject),
    spkiDer: bytesOf(der, spki),
    signatureOid: contentOf(der, signatureOid),
    signature: contentOf(der, signature).subarray(1), // after the unused-bits byte
  };
}

export function checkSubject(subject: SubjectFields, deviceKey: string): Result<void> {
  const commonNames = subject.getField('CN');
  if (commonNames.length !== 1 || commonNames[0] !== deviceKey) {
    return err('CSR_SUBJECT_INVALID', `The request's CN is "${commonNames.join(', ')}"; it must be the deviceKey "${deviceKey}".`);
  }
  const missing = MANDATORY_SUBJECT_FIELDS.filter((field) => !subject.getField(field).some((value) => value.trim() !== ''));
  if (missing.length) return err('CSR_SUBJECT_INVALID', `The request's subject lacks ${missing.join(', ')} (EnOS requires C, ST, L, O, OU).`);
  if (!/^[A-Z]{2}$/.test(subject.getField('C')[0]!)) return err('CSR_SUBJECT_INVALID', 'The subject C must be a two-letter country code.');
  return ok(undefined);
}

/** node verifies the DER-encoded ECDSA signature and PKCS#1 v1.5 directly. */
function selfSigned(parts: CsrParts, key: KeyObject): boolean {
  try {
    return verifySignature('sha256', parts.info, key, parts.signature);
  } catch {
    return false; // a signature that is not even well-formed DER
  }
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
  let parts: CsrParts;
  try {
    parts = parseCsr(block.der);
  } catch (error) {
    if (error instanceof DerError) return err('PKI_MALFORMED', 'The certificate request could not be parsed (bad DER).');
    throw error;
  }
  const policy = publicKeyPolicy(parts.spkiDer);
  if (!policy.ok) return policy;
  if (!parts.signatureOid.equals(SIGNATURE_OIDS[policy.value.algorithm])) {
    return err('KEY_UNSUPPORTED', 'The request is not signed with SHA-256 (SHA256withRSA or SHA256withECDSA).');
  }
  if (!selfSigned(parts, policy.value.key)) return err('CSR_BAD_SIGNATURE');
  const subjectCheck = checkSubject(parts.subject, deviceKey);
  if (!subjectCheck.ok) return subjectCheck;
  return ok({ algorithm: policy.value.algorithm, subjectDer: parts.subjectDer, spkiDer: parts.spkiDer, subject: parts.subject });
}
