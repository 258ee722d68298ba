import { createPrivateKey, createPublicKey } from 'node:crypto';
import { generateKeyPkcs8, importSigningKey, signingAlgorithm } from '../pki/keys';
import { subtle, x509 } from '../pki/x509';

/** The CSR subject a host asks for; CN is always the device's own deviceKey (protocol reference §4). */
export interface CsrSubject {
  country: string;
  stateOrProvince: string;
  locality: string;
  organization: string;
  organizationalUnit: string;
}

/** A new on-device P-256 key, as PKCS#8 DER (kept in the emulated flash, never sent). */
export function generateDeviceKey(): Buffer {
  return generateKeyPkcs8('P-256');
}

export function publicKeyDer(pkcs8: Buffer): Buffer {
  return createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' });
}

/** A PKCS#10 request signed with SHA256withECDSA, subject C/ST/L/O/OU from the host and CN = deviceKey. */
export async function createCsr(pkcs8: Buffer, subject: CsrSubject, deviceKey: string): Promise<Buffer> {
  const privateKey = await importSigningKey(pkcs8, 'P-256');
  const publicKey = await subtle.importKey('spki', publicKeyDer(pkcs8), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']);
  const name = new x509.Name([
    { C: [subject.country] },
    { ST: [subject.stateOrProvince] },
    { L: [subject.locality] },
    { O: [subject.organization] },
    { OU: [subject.organizationalUnit] },
    { CN: [deviceKey] },
  ]);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys: { privateKey, publicKey }, signingAlgorithm: signingAlgorithm('P-256') });
  return Buffer.from(csr.rawData);
}
