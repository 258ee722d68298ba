import { createHash, sign, type KeyObject } from 'node:crypto';
import { bitString, children, contentOf, encode, explicit, integerHex, octetString, oid, readRoot, sequence, TAG, time } from './der';
import type { KeyAlgorithm } from './keys';

/** The issuing CA as the fast path needs it: its raw subject, key id and signing key. */
export interface IssuingSigner {
  algorithm: KeyAlgorithm;
  subjectDer: Buffer;
  keyId: Buffer;
  key: KeyObject;
}

export interface ClientCertificateParts {
  serial: string;
  subjectDer: Buffer;
  spkiDer: Buffer;
  algorithm: KeyAlgorithm;
  notBefore: number;
  notAfter: number;
}

const SIGNATURE_ALGORITHM: Record<KeyAlgorithm, Buffer> = {
  'P-256': sequence(oid('1.2.840.10045.4.3.2')), // ecdsa-with-SHA256, no parameters (RFC 5758 §3.2)
  'RSA-2048': sequence(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00])), // sha256WithRSAEncryption, NULL
};

const CRITICAL = Buffer.from([0x01, 0x01, 0xff]);
// Encoded once: two of these extensions are built for every certificate.
const EXTENSION_ID = {
  basicConstraints: oid('2.5.29.19'),
  keyUsage: oid('2.5.29.15'),
  extendedKeyUsage: oid('2.5.29.37'),
  subjectKeyIdentifier: oid('2.5.29.14'),
  authorityKeyIdentifier: oid('2.5.29.35'),
};
const extension = (id: Buffer, critical: boolean, value: Buffer) => sequence(id, ...(critical ? [CRITICAL] : []), octetString(value));

// Constant extensions of a device client certificate (protocol reference §4: TLS client auth only).
const BASIC_CONSTRAINTS = extension(EXTENSION_ID.basicConstraints, true, sequence()); // CA:FALSE
const KEY_USAGE: Record<KeyAlgorithm, Buffer> = {
  'P-256': extension(EXTENSION_ID.keyUsage, true, Buffer.from([0x03, 0x02, 0x07, 0x80])), // digitalSignature
  'RSA-2048': extension(EXTENSION_ID.keyUsage, true, Buffer.from([0x03, 0x02, 0x05, 0xa0])), // digitalSignature, keyEncipherment
};
const CLIENT_AUTH = extension(EXTENSION_ID.extendedKeyUsage, false, sequence(oid('1.3.6.1.5.5.7.3.2')));

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(spkiDer: Buffer): Buffer {
  const [, key] = children(spkiDer, readRoot(spkiDer, TAG.sequence));
  return createHash('sha1').update(contentOf(spkiDer, key!).subarray(1)).digest();
}

/** A v3 device certificate (RFC 5280 §4.1) from the CSR's raw subject and key, signed by the issuing CA. */
export function buildClientCertificate(signer: IssuingSigner, parts: ClientCertificateParts): Buffer {
  const extensions = [
    BASIC_CONSTRAINTS,
    KEY_USAGE[parts.algorithm],
    CLIENT_AUTH,
    extension(EXTENSION_ID.subjectKeyIdentifier, false, octetString(keyIdentifier(parts.spkiDer))),
    extension(EXTENSION_ID.authorityKeyIdentifier, false, sequence(encode(0x80, signer.keyId))),
  ];
  const tbs = sequence(
    explicit(0, integerHex('02')),
    integerHex(parts.serial),
    SIGNATURE_ALGORITHM[signer.algorithm],
    signer.subjectDer,
    sequence(time(parts.notBefore), time(parts.notAfter)),
    parts.subjectDer,
    parts.spkiDer,
    explicit(3, sequence(...extensions)),
  );
  return sequence(tbs, SIGNATURE_ALGORITHM[signer.algorithm], bitString(sign('sha256', tbs, signer.key)));
}

/** The subject Name of a certificate, as encoded (TBSCertificate field 6, or 5 without a version). */
export function certificateSubjectDer(certificateDer: Buffer): Buffer {
  const [tbs] = children(certificateDer, readRoot(certificateDer, TAG.sequence));
  const fields = children(certificateDer, tbs!);
  const subject = fields[fields[0]!.tag === 0xa0 ? 5 : 4]!;
  return certificateDer.subarray(subject.start, subject.end);
}
