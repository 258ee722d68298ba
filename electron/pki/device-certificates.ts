import { createPrivateKey } from 'node:crypto';
import type { CertificateInfo, KeyAlgorithmName, RevocationReason } from '../../shared/contract/certificates';
import { err, ok, type Result } from '../../shared/result';
import type { LocalCa } from './authority';
import { buildClientCertificate } from './client-certificate';
import { checkCsr, checkSubject, type CheckedCsr } from './csr';
import type { DeviceIdentity, IssuedCertificate, Issuer } from './issuer';
import { generateKeyPkcs8, publicSpki, sha256Fingerprint } from './keys';
import { toPem } from './pem';
import { normalizeSerial } from './serial';
import { newCertificateRow, type CertificateRow, type PkiStore } from './store';
import type { Vault } from './vault';
import { x509 } from './x509';

export type SubjectFields = Partial<Record<'C' | 'ST' | 'L' | 'O' | 'OU', string>>;

/** Where a host-made device key lives in the vault. */
export function deviceKeyRef(serial: string): string {
  return `pki/device-key/${serial}`;
}

export function certificateInfo(row: CertificateRow, now: number): CertificateInfo {
  return {
    serial: row.serial,
    kind: row.kind,
    productKey: row.productKey,
    deviceKey: row.deviceKey,
    commonName: row.commonName,
    fingerprint: row.fingerprint,
    algorithm: row.algorithm,
    keySource: row.keySource,
    notBefore: row.notBefore,
    notAfter: row.notAfter,
    status: row.status === 'revoked' ? 'revoked' : now > row.notAfter ? 'expired' : 'valid',
    revokedAt: row.revokedAt,
    revocationReason: row.revocationReason,
  };
}

/**
 * Device certificates from the local CA: issuance from a CSR (every §4 check), host-made keys for
 * devices that cannot make one, revocation and listing. The local implementation of `Issuer`.
 */
export class LocalCaIssuer implements Issuer {
  readonly kind = 'local-ca' as const;

  constructor(
    private readonly ca: LocalCa,
    private readonly store: PkiStore,
    private readonly vault: () => Result<Vault>,
    private readonly clock: () => number,
    /** After a revocation is stored (the hub drops the device's sessions). */
    private readonly onRevoked: (row: CertificateRow) => void,
  ) {}

  async issue(device: DeviceIdentity, csrPem: string, options: { validDays?: number } = {}): Promise<Result<IssuedCertificate>> {
    const issued = this.issueRow(device, csrPem, options.validDays ?? 730);
    return issued.ok ? ok(this.describe(issued.value)) : issued;
  }

  /** Issuance from a device CSR: the key stays on the device. */
  issueRow(device: DeviceIdentity, csrPem: string, validDays: number): Result<CertificateRow> {
    const csr = checkCsr(csrPem, device.deviceKey);
    if (!csr.ok) return csr;
    return this.signAndStore(device, csr.value, validDays, null);
  }

  /**
   * The fallback for a device that cannot make a key (issue 7): node's crypto makes it, the vault
   * keeps it, the certificate names the subject fields given (or the CA's O and the productKey).
   */
  issueWithHostKey(device: DeviceIdentity, algorithm: KeyAlgorithmName, fields: SubjectFields, validDays: number): Result<CertificateRow> {
    const vault = this.vault();
    if (!vault.ok) return vault;
    const ca = this.ca.issuingRow();
    if (!ca) return err('CA_NOT_INITIALIZED');
    const caOrganization = new x509.Name(ca.subject).getField('O')[0];
    const subject = new x509.Name([
      { C: [fields.C ?? 'XX'] },
      { ST: [fields.ST ?? '-'] },
      { L: [fields.L ?? '-'] },
      { O: [fields.O ?? caOrganization ?? 'Commissioner'] },
      { OU: [fields.OU ?? device.productKey] },
      { CN: [device.deviceKey] },
    ]);
    const subjectCheck = checkSubject(subject, device.deviceKey);
    if (!subjectCheck.ok) return subjectCheck;
    const taken = this.commonNameTaken(device);
    if (!taken.ok) return taken;
    const pkcs8 = generateKeyPkcs8(algorithm);
    return this.signAndStore(device, { algorithm, subjectDer: Buffer.from(subject.toArrayBuffer()), spkiDer: publicSpki(pkcs8) }, validDays, pkcs8);
  }

  async revoke(serial: string, reason: RevocationReason): Promise<Result<void>> {
    const revoked = this.revokeSerial(serial, reason);
    return revoked.ok ? ok(undefined) : revoked;
  }

  revokeSerial(serialInput: string, reason: RevocationReason): Result<CertificateRow[]> {
    const serial = normalizeSerial(serialInput);
    const row = this.store.certificate(serial);
    if (!row) return err('NOT_FOUND', `No certificate with serial ${serial} was issued here.`);
    if (row.status === 'revoked') return err('CONFLICT', `Certificate ${serial} is already revoked.`);
    return ok(this.revokeRows([row], reason));
  }

  /** Revokes every valid certificate of the device; NOT_FOUND when it has none. */
  revokeDevice(device: DeviceIdentity, reason: RevocationReason): Result<CertificateRow[]> {
    const rows = this.store.certificates({ ...device, kind: 'device', status: 'valid' });
    if (rows.length === 0) return err('NOT_FOUND', `${device.productKey}/${device.deviceKey} has no valid certificate.`);
    return ok(this.revokeRows(rows, reason));
  }

  /** The fingerprint the registry shows for the device: its newest valid certificate's, or null. */
  currentFingerprint(device: DeviceIdentity): string | null {
    return this.store.certificates({ ...device, kind: 'device', status: 'valid' }).at(-1)?.fingerprint ?? null;
  }

  list(device?: DeviceIdentity): CertificateInfo[] {
    const now = this.clock();
    return this.store.certificates(device ? { ...device, kind: 'device' } : {}).map((row) => certificateInfo(row, now));
  }

  /** A host-made key for export, only encrypted (PKCS#8 with AES-256-CBC under a passphrase). */
  exportKey(serialInput: string, passphrase: string): Result<string> {
    const row = this.store.certificate(normalizeSerial(serialInput));
    if (!row || row.kind !== 'device') return err('NOT_FOUND', 'No device certificate with this serial was issued here.');
    if (!row.keyRef) return err('NOT_FOUND', 'This certificate was issued from a CSR: its key never left the device.');
    const vault = this.vault();
    if (!vault.ok) return vault;
    const pkcs8 = vault.value.getBuffer(row.keyRef);
    if (!pkcs8) return err('CA_KEY_MISSING', 'The key of this certificate is not in the vault.');
    const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    return ok(key.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase }) as string);
  }

  describe(row: CertificateRow): IssuedCertificate {
    const chain = this.ca.chainPem();
    return {
      serial: row.serial,
      fingerprint: row.fingerprint,
      certificatePem: toPem(row.certDer, 'CERTIFICATE'),
      chainPem: chain.ok ? chain.value : '',
      notBefore: row.notBefore,
      notAfter: row.notAfter,
    };
  }

  private revokeRows(rows: CertificateRow[], reason: RevocationReason): CertificateRow[] {
    const now = this.clock();
    this.store.transaction(() => rows.forEach((row) => this.store.revoke(row.serial, now, reason)));
    const revoked = rows.map((row) => this.store.certificate(row.serial)!);
    revoked.forEach((row) => this.onRevoked(row));
    return revoked;
  }

  private commonNameTaken(device: DeviceIdentity): Result<void> {
    const holder = this.store.commonNameHolder(device.deviceKey, device.productKey, device.deviceKey);
    return holder ? err('CERT_SUBJECT_TAKEN', `CN "${device.deviceKey}" is already certified for ${holder.productKey}/${holder.deviceKey}.`) : ok(undefined);
  }

  /** The fast path (electron/pki/client-certificate.ts): raw CSR parts in, DER certificate out, one row. */
  private signAndStore(
    device: DeviceIdentity,
    key: Pick<CheckedCsr, 'algorithm' | 'subjectDer' | 'spkiDer'>,
    validDays: number,
    hostKey: Buffer | null,
  ): Result<CertificateRow> {
    const vault = hostKey ? this.vault() : ok(undefined);
    if (!vault.ok) return vault;
    const signer = this.ca.signer();
    if (!signer.ok) return signer;
    const validity = this.ca.validity(signer.value.row, validDays);
    if (!validity.ok) return validity;
    const serial = this.ca.freshSerial();
    const der = buildClientCertificate(signer.value, { serial, ...key, ...validity.value });
    const row = newCertificateRow({ serial, der, fingerprint: sha256Fingerprint(der), ...validity.value }, {
      issuerId: signer.value.row.id,
      kind: 'device',
      productKey: device.productKey,
      deviceKey: device.deviceKey,
      commonName: device.deviceKey,
      algorithm: key.algorithm,
      keySource: hostKey ? 'host' : 'csr',
      keyRef: hostKey ? deviceKeyRef(serial) : null,
      createdAt: this.clock(),
    });
    // Checked again with the write: two calls for one CN may both have passed the first check while signing.
    return this.store.transaction(() => {
      const taken = this.commonNameTaken(device);
      if (!taken.ok) return taken;
      this.store.addCertificate(row);
      if (hostKey && vault.value) vault.value.put(row.keyRef!, hostKey, 'device-private-key');
      return ok(row);
    });
  }
}
