import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { err, ok, type Result } from '../../shared/result';
import type { CaMaterial } from './authority';
import { keyAlgorithmOf, type KeyAlgorithm } from './keys';
import { parseDer, pemBlocks } from './pem';
import { x509 } from './x509';

/** What `ca import` was given: PEM texts (certificates and keys in any order) or a PKCS#12 file. */
export interface CaImportInput {
  pem?: string[];
  /** base64 of the .p12/.pfx file. */
  pkcs12?: string;
  password?: string;
}

interface Loose {
  certificates: Buffer[];
  keys: KeyObject[];
}

const KEY_LABELS = /PRIVATE KEY$/;

function fromPem(texts: string[], password: string | undefined): Result<Loose> {
  const loose: Loose = { certificates: [], keys: [] };
  for (const text of texts) {
    const blocks = pemBlocks(text);
    if (!blocks.ok) return blocks;
    loose.certificates.push(...blocks.value.filter((block) => block.label === 'CERTIFICATE').map((block) => block.der));
    const keyBlock = blocks.value.find((block) => KEY_LABELS.test(block.label));
    if (!keyBlock) continue;
    try {
      // OpenSSL's PEM reader skips the certificate blocks before the key.
      loose.keys.push(createPrivateKey({ key: text, format: 'pem', passphrase: password }));
    } catch {
      return err('PKI_MALFORMED', `The ${keyBlock.label} could not be read (damaged, or encrypted and the password is wrong).`);
    }
  }
  return ok(loose);
}

function fromPkcs12(base64: string, password: string | undefined): Result<Loose> {
  const loose: Loose = { certificates: [], keys: [] };
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.decode64(base64)), password ?? '');
  } catch {
    return err('PKI_MALFORMED', 'The PKCS#12 file could not be read (damaged, or the password is wrong).');
  }
  for (const contents of p12.safeContents) {
    for (const bag of contents.safeBags) {
      // forge decodes RSA keys itself and hands over other keys (EC) as their PrivateKeyInfo.
      const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)) : bag.asn1;
      if (!asn1) continue;
      const der = Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
      if (bag.type === forge.pki.oids.certBag) loose.certificates.push(der);
      else loose.keys.push(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
    }
  }
  return ok(loose);
}

function isCa(certificate: x509.X509Certificate): boolean {
  return certificate.getExtension(x509.BasicConstraintsExtension)?.ca === true;
}

/**
 * Checks an existing site CA before anything is written: it parses, is a CA, is valid now, uses an
 * allowed key, and comes with the private key of the certificate that will issue.
 */
export function readCaMaterial(input: CaImportInput, now: number): Result<CaMaterial> {
  if (!input.pem?.length === !input.pkcs12) return err('INVALID_INPUT', 'Give either PEM files or one PKCS#12 file.');
  const loose = input.pkcs12 ? fromPkcs12(input.pkcs12, input.password) : fromPem(input.pem!, input.password);
  if (!loose.ok) return loose;
  if (loose.value.certificates.length === 0) return err('PKI_MALFORMED', 'No CA certificate was found in the import.');
  const parsed: { der: Buffer; certificate: x509.X509Certificate; spki: Buffer }[] = [];
  for (const der of loose.value.certificates) {
    const certificate = parseDer(der, (bytes) => new x509.X509Certificate(bytes), 'CA certificate');
    if (!certificate.ok) return certificate;
    if (!isCa(certificate.value)) return err('VALIDATION_FAILED', `${certificate.value.subject} is not a CA certificate (basicConstraints CA:TRUE is missing).`);
    parsed.push({ der, certificate: certificate.value, spki: Buffer.from(certificate.value.publicKey.rawData) });
  }
  const spkiOf = (key: KeyObject) => createPublicKey(key).export({ format: 'der', type: 'spki' });
  const keyFor = (spki: Buffer) => loose.value.keys.find((key) => spkiOf(key).equals(spki));
  // The issuing CA is the lowest certificate we hold a key for: the one no other keyed certificate was issued by.
  const keyed = parsed.filter((entry) => keyFor(entry.spki));
  if (keyed.length === 0) return err('CA_KEY_MISSING');
  const issuing = keyed.find((entry) => !keyed.some((other) => other !== entry && other.certificate.issuer === entry.certificate.subject)) ?? keyed[0]!;
  const entries: CaMaterial['parents'] = [];
  for (const entry of parsed) {
    const { notBefore, notAfter } = entry.certificate;
    if (now < notBefore.getTime() || now > notAfter.getTime()) {
      return err('CERT_NOT_VALID_NOW', `${entry.certificate.subject} is valid from ${notBefore.toISOString()} to ${notAfter.toISOString()}.`);
    }
    const algorithm = keyAlgorithmOf(createPublicKey({ key: entry.spki, format: 'der', type: 'spki' }));
    if (!algorithm.ok) return algorithm;
    const key = keyFor(entry.spki);
    entries.push({ der: entry.der, algorithm: algorithm.value as KeyAlgorithm, keyPkcs8: key?.export({ format: 'der', type: 'pkcs8' }) });
  }
  const index = parsed.indexOf(issuing);
  const [issuingEntry] = entries.splice(index, 1);
  return ok({ issuing: { der: issuingEntry!.der, keyPkcs8: issuingEntry!.keyPkcs8!, algorithm: issuingEntry!.algorithm }, parents: entries, source: 'imported' });
}
