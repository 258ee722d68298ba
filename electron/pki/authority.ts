import { createPrivateKey } from 'node:crypto';
import { err, ok, type Result } from '../../shared/result';
import { certificateSubjectDer, keyIdentifier, type IssuingSigner } from './client-certificate';
import type { Vault } from './vault';
import { importSigningKey, signingAlgorithm, sha256Fingerprint, generateKeyPkcs8, publicSpki, type CryptoKey, type KeyAlgorithm } from './keys';
import { toPem } from './pem';
import { randomSerial } from './serial';
import type { AuthorityRow, PkiStore } from './store';
import { subtle, x509 } from './x509';

const DAY = 86_400_000;
/** Certificates start a little in the past so a device whose clock lags still accepts them. */
export const BACKDATE_MS = 5 * 60_000;

export interface CaInitOptions {
  algorithm: KeyAlgorithm;
  name: string;
  validYears: number;
}

/** The signing half of the CA, loaded once from the vault and kept in memory. */
export interface IssuingCa {
  row: AuthorityRow;
  certificate: x509.X509Certificate;
  key: CryptoKey;
}

/** What a new certificate says; the CA adds issuer, serial and validity. */
export interface CertificateTemplate {
  subject: x509.Name | x509.JsonName;
  publicKey: x509.PublicKey | CryptoKey;
  validDays: number;
  extensions: x509.Extension[];
}

export interface SignedCertificate {
  serial: string;
  certificate: x509.X509Certificate;
  der: Buffer;
  fingerprint: string;
  notBefore: number;
  notAfter: number;
}

/** A CA certificate with its key (PKCS#8 DER), as made by `ca init` or read from an import. */
export interface CaMaterial {
  issuing: { der: Buffer; keyPkcs8: Buffer; algorithm: KeyAlgorithm };
  /** Certificates above the issuing CA, up to the root (the root's key may be here too). */
  parents: { der: Buffer; keyPkcs8?: Buffer; algorithm: KeyAlgorithm }[];
  source: 'generated' | 'imported';
}

function authorityKeyRef(id: string): string {
  return `pki/authority/${id}`;
}

/**
 * The station's local certificate authority (issue 7): a root and an issuing intermediate, keys
 * in the vault. It signs what it is given; what may be signed is decided by its callers.
 */
export class LocalCa {
  private loaded: IssuingCa | undefined;
  private loadedSigner: (IssuingSigner & { row: AuthorityRow }) | undefined;

  constructor(
    private readonly store: PkiStore,
    private readonly vault: () => Result<Vault>,
    private readonly clock: () => number,
  ) {}

  issuingRow(): AuthorityRow | undefined {
    return this.store.authorities('issuing')[0];
  }

  /** Issuing CA first, then its parents: the chain a device and a TLS peer present. */
  chain(): Result<AuthorityRow[]> {
    const issuing = this.issuingRow();
    if (!issuing) return err('CA_NOT_INITIALIZED');
    return ok([issuing, ...this.store.authorities('root').filter((row) => row.id !== issuing.id)]);
  }

  chainPem(): Result<string> {
    const chain = this.chain();
    return chain.ok ? ok(chain.value.map((row) => toPem(row.certDer, 'CERTIFICATE')).join('')) : chain;
  }

  /** A new root and issuing intermediate, both keys in the vault. */
  async init(options: CaInitOptions): Promise<Result<AuthorityRow[]>> {
    if (this.issuingRow()) return err('CA_EXISTS');
    const vault = this.vault();
    if (!vault.ok) return vault;
    const now = this.clock();
    const notBefore = new Date(now - BACKDATE_MS);
    const notAfter = new Date(now + options.validYears * 365 * DAY);
    const rootKey = generateKeyPkcs8(options.algorithm);
    const issuingKey = generateKeyPkcs8(options.algorithm);
    const rootName: x509.JsonName = [{ CN: [`${options.name} Root CA`] }, { O: [options.name] }];
    const issuingName: x509.JsonName = [{ CN: [`${options.name} Issuing CA`] }, { O: [options.name] }];
    const rootPublic = await this.publicKey(rootKey, options.algorithm);
    const root = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: rootName,
      issuer: rootName,
      notBefore,
      notAfter,
      publicKey: rootPublic,
      signingKey: await importSigningKey(rootKey, options.algorithm),
      signingAlgorithm: signingAlgorithm(options.algorithm),
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(rootPublic),
      ],
    });
    const issuingPublic = await this.publicKey(issuingKey, options.algorithm);
    const issuing = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: issuingName,
      issuer: root.subjectName,
      notBefore,
      notAfter,
      publicKey: issuingPublic,
      signingKey: await importSigningKey(rootKey, options.algorithm),
      signingAlgorithm: signingAlgorithm(options.algorithm),
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(issuingPublic),
        await x509.AuthorityKeyIdentifierExtension.create(rootPublic),
      ],
    });
    return this.install({
      issuing: { der: Buffer.from(issuing.rawData), keyPkcs8: issuingKey, algorithm: options.algorithm },
      parents: [{ der: Buffer.from(root.rawData), keyPkcs8: rootKey, algorithm: options.algorithm }],
      source: 'generated',
    });
  }

  /** Stores checked CA material: certificates in the table, keys in the vault, in one transaction. */
  install(material: CaMaterial): Result<AuthorityRow[]> {
    if (this.issuingRow()) return err('CA_EXISTS');
    const vault = this.vault();
    if (!vault.ok) return vault;
    const now = this.clock();
    const row = (entry: { der: Buffer; keyPkcs8?: Buffer; algorithm: KeyAlgorithm }, role: 'root' | 'issuing'): AuthorityRow => {
      const certificate = new x509.X509Certificate(entry.der);
      const id = sha256Fingerprint(entry.der);
      return {
        id,
        role,
        source: material.source,
        subject: certificate.subject,
        algorithm: entry.algorithm,
        notBefore: certificate.notBefore.getTime(),
        notAfter: certificate.notAfter.getTime(),
        certDer: entry.der,
        keyRef: entry.keyPkcs8 ? authorityKeyRef(id) : null,
        createdAt: now,
      };
    };
    const rows = [row(material.issuing, 'issuing'), ...material.parents.map((parent) => row(parent, 'root'))];
    const keys = [material.issuing.keyPkcs8, ...material.parents.map((parent) => parent.keyPkcs8)];
    this.store.transaction(() => {
      rows.forEach((entry, index) => {
        this.store.addAuthority(entry);
        if (entry.keyRef) vault.value.put(entry.keyRef, keys[index]!, 'ca-private-key');
      });
    });
    this.loaded = undefined;
    this.loadedSigner = undefined;
    return ok(rows);
  }

  /** The issuing CA with its key, loaded from the vault on first use. */
  async issuing(): Promise<Result<IssuingCa>> {
    const row = this.issuingRow();
    if (!row) return err('CA_NOT_INITIALIZED');
    if (this.loaded?.row.id === row.id) return ok(this.loaded);
    const pkcs8 = this.issuingKey(row);
    if (!pkcs8.ok) return pkcs8;
    const certificate = new x509.X509Certificate(row.certDer);
    this.loaded = { row, certificate, key: await importSigningKey(pkcs8.value, row.algorithm) };
    return ok(this.loaded);
  }

  /** The issuing CA's raw subject, key id and node signing key, for the fast device-certificate path. */
  signer(): Result<IssuingSigner & { row: AuthorityRow }> {
    const id = this.store.issuingId();
    if (this.loadedSigner && this.loadedSigner.row.id === id) return ok(this.loadedSigner);
    const row = this.issuingRow();
    if (!row) return err('CA_NOT_INITIALIZED');
    const pkcs8 = this.issuingKey(row);
    if (!pkcs8.ok) return pkcs8;
    const certificate = new x509.X509Certificate(row.certDer);
    const keyId = certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    this.loadedSigner = {
      row,
      algorithm: row.algorithm,
      subjectDer: certificateSubjectDer(row.certDer),
      keyId: keyId ? Buffer.from(keyId, 'hex') : keyIdentifier(Buffer.from(certificate.publicKey.rawData)),
      key: createPrivateKey({ key: pkcs8.value, format: 'der', type: 'pkcs8' }),
    };
    return ok(this.loadedSigner);
  }

  /** Validity of a new certificate: backdated a little, never outlasting the CA; refused when the CA is not valid now. */
  validity(row: AuthorityRow, validDays: number): Result<{ notBefore: number; notAfter: number }> {
    const now = this.clock();
    if (now < row.notBefore || now > row.notAfter) {
      return err('CERT_NOT_VALID_NOW', 'The issuing CA certificate is expired or not yet valid; renew or import another CA.');
    }
    return ok({ notBefore: now - BACKDATE_MS, notAfter: Math.min(now + validDays * DAY, row.notAfter) });
  }

  /** Signs a certificate with the issuing CA; validity never outlasts the CA's own. */
  async sign(template: CertificateTemplate): Promise<Result<SignedCertificate>> {
    const ca = await this.issuing();
    if (!ca.ok) return ca;
    const validity = this.validity(ca.value.row, template.validDays);
    if (!validity.ok) return validity;
    const { notBefore, notAfter } = validity.value;
    const serial = this.freshSerial();
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: serial,
      subject: template.subject,
      issuer: ca.value.certificate.subjectName,
      notBefore: new Date(notBefore),
      notAfter: new Date(notAfter),
      publicKey: template.publicKey,
      signingKey: ca.value.key,
      signingAlgorithm: signingAlgorithm(ca.value.row.algorithm),
      extensions: [...template.extensions, await x509.AuthorityKeyIdentifierExtension.create(ca.value.certificate.publicKey)],
    });
    const der = Buffer.from(certificate.rawData);
    return ok({ serial, certificate, der, fingerprint: sha256Fingerprint(der), notBefore, notAfter });
  }

  /** The CRL of the issuing CA (RFC 5280 §5), listing every certificate it revoked. */
  async crl(entries: x509.X509CrlEntryParams[], validDays = 7): Promise<Result<x509.X509Crl>> {
    const ca = await this.issuing();
    if (!ca.ok) return ca;
    const now = this.clock();
    return ok(
      await x509.X509CrlGenerator.create({
        issuer: ca.value.certificate.subjectName,
        thisUpdate: new Date(now),
        nextUpdate: new Date(now + validDays * DAY),
        entries,
        signingKey: ca.value.key,
        signingAlgorithm: signingAlgorithm(ca.value.row.algorithm),
        extensions: [await x509.AuthorityKeyIdentifierExtension.create(ca.value.certificate.publicKey)],
      }),
    );
  }

  private issuingKey(row: AuthorityRow): Result<Buffer> {
    const vault = this.vault();
    if (!vault.ok) return vault;
    const pkcs8 = row.keyRef ? vault.value.getBuffer(row.keyRef) : undefined;
    return pkcs8 ? ok(pkcs8) : err('CA_KEY_MISSING', 'The issuing CA key is not in this vault.');
  }

  freshSerial(): string {
    // 126 random bits never collide in practice; the check keeps the primary key a promise, not a hope.
    let serial = randomSerial();
    while (this.store.serialExists(serial)) serial = randomSerial();
    return serial;
  }

  private async publicKey(pkcs8: Buffer, algorithm: KeyAlgorithm): Promise<CryptoKey> {
    const params = algorithm === 'P-256' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    return subtle.importKey('spki', publicSpki(pkcs8), params, true, ['verify']);
  }
}
