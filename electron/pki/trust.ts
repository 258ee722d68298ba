import { createPrivateKey, createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { err, ok, type Result } from '../../shared/result';
import type { LocalCa } from './authority';
import { generateKeyPkcs8, publicSpki, sha256Fingerprint } from './keys';
import { parseDer, pemBlocks, toPem } from './pem';
import { normalizeSerial } from './serial';
import { newCertificateRow, type AuthorityRow, type CertificateRow, type PkiStore } from './store';
import type { Vault } from './vault';
import { x509 } from './x509';

export interface RevokedDevice {
  serial: string;
  productKey: string | null;
  deviceKey: string | null;
}

export interface ServerCredentials {
  /** The server certificate followed by the CA chain, as `tls.createServer({ cert })` wants it. */
  certPem: string;
  keyPem: string;
  /** The CA chain alone (what a device is given to trust the hub). */
  chainPem: string;
}

/** A TLS peer certificate as node's `tlsSocket.getPeerCertificate()` reports it. */
export interface PeerCertificate {
  serialNumber: string;
  subject?: { CN?: string | string[] };
}

/**
 * What the hub's TLS listeners need from the PKI (issue 7). A superset of the hub's own
 * `TrustProvider` (`electron/hub/tls.ts`: `serverCredentials`, `trustedCas`, `isRevoked`), so
 * this object is handed to the hub as is; the rest is for the login check and live sessions.
 */
export interface PkiTrustProvider {
  /** The hub's listeners: a local-CA server certificate (chain) for `hubHosts()`, or null without a CA. */
  serverCredentials(): Promise<{ cert: string; key: string } | null>;
  /** CA certificates a client certificate may chain to: the local CA chain and destination chains (EnOS). */
  trustedCas(): string[];
  /** Serial in hex, any case. */
  isRevoked(serialHex: string): boolean;
  /** Protocol reference §4: CN = the deviceKey of the login, and not revoked. The chain is TLS's job. */
  checkClientCertificate(peer: PeerCertificate, deviceKey: string): Result<void>;
  /** A server certificate from the local CA for these host names/IPs (made once, then reused). */
  serverCertificate(hosts: string[]): Promise<Result<ServerCredentials>>;
  /** Called when a certificate is revoked, so the hub drops that device's live sessions. */
  onRevoked(listener: (revoked: RevokedDevice) => void): () => void;
  /** Called when the server certificate or the trusted CAs change, so the hub's TLS listeners take them without a restart. */
  onChanged(listener: () => void): () => void;
  /** A CA chain a destination returned with an issued certificate (EnOS §11.4 `caCert`). */
  addDestinationChain(pem: string): Result<number>;
}

/** The names the hub's listeners answer to: loopback, the host name and its LAN addresses (devices on the LAN). */
export function hubHosts(): string[] {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((address) => address && !address.internal && address.family === 'IPv4')
    .map((address) => address!.address);
  return [...new Set(['localhost', '127.0.0.1', hostname(), ...addresses])];
}

const SERVER_VALID_DAYS = 397; // the longest TLS server validity browsers accept
const RENEW_BEFORE_MS = 30 * 86_400_000;

export function serverKeyRef(serial: string): string {
  return `pki/server-key/${serial}`;
}

function sameHosts(row: CertificateRow, hosts: string[]): boolean {
  const certificate = new x509.X509Certificate(row.certDer);
  const names = certificate.getExtension(x509.SubjectAlternativeNameExtension)?.names.items.map((name) => name.value) ?? [];
  return names.length === hosts.length && hosts.every((host) => names.includes(host));
}

export class PkiTrust implements PkiTrustProvider {
  private listeners = new Set<(revoked: RevokedDevice) => void>();
  private changeListeners = new Set<() => void>();

  constructor(
    private readonly ca: LocalCa,
    private readonly store: PkiStore,
    private readonly vault: () => Result<Vault>,
    private readonly clock: () => number,
  ) {}

  trustedCas(): string[] {
    return this.store
      .authorities()
      .filter((row) => this.clock() <= row.notAfter)
      .map((row) => toPem(row.certDer, 'CERTIFICATE'));
  }

  isRevoked(serialHex: string): boolean {
    return this.store.isRevoked(normalizeSerial(serialHex));
  }

  checkClientCertificate(peer: PeerCertificate, deviceKey: string): Result<void> {
    const commonName = Array.isArray(peer.subject?.CN) ? peer.subject.CN : [peer.subject?.CN];
    if (commonName.length !== 1 || commonName[0] !== deviceKey) return err('UNAUTHORIZED', 'The client certificate CN is not the deviceKey of this login.');
    if (this.isRevoked(peer.serialNumber)) return err('UNAUTHORIZED', 'The client certificate is revoked.');
    return ok(undefined);
  }

  async serverCredentials(): Promise<{ cert: string; key: string } | null> {
    const credentials = await this.serverCertificate(hubHosts());
    return credentials.ok ? { cert: credentials.value.certPem, key: credentials.value.keyPem } : null;
  }

  async serverCertificate(hosts: string[]): Promise<Result<ServerCredentials>> {
    if (hosts.length === 0) return err('INVALID_INPUT', 'A server certificate needs at least one host name or address.');
    const vault = this.vault();
    if (!vault.ok) return vault;
    const chain = this.ca.chainPem();
    if (!chain.ok) return chain;
    const issuing = this.ca.issuingRow()!;
    const now = this.clock();
    const reusable = this.store
      .certificates({ kind: 'server', status: 'valid' })
      .find((row) => row.issuerId === issuing.id && row.notAfter - RENEW_BEFORE_MS > now && row.keyRef && vault.value.has(row.keyRef) && sameHosts(row, hosts));
    const row = reusable ? ok(reusable) : await this.issueServer(hosts, vault.value);
    if (!row.ok) return row;
    const stored = row.value;
    const pkcs8 = vault.value.getBuffer(stored.keyRef!)!;
    return ok({
      certPem: toPem(stored.certDer, 'CERTIFICATE') + chain.value,
      keyPem: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }) as string,
      chainPem: chain.value,
    });
  }

  onRevoked(listener: (revoked: RevokedDevice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onChanged(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Called once a CA is made or imported (and by `addDestinationChain`). */
  notifyChanged(): void {
    for (const listener of this.changeListeners) listener();
  }

  /** Called by the issuer after a revocation is stored. */
  notifyRevoked(row: CertificateRow): void {
    const revoked = { serial: row.serial, productKey: row.productKey, deviceKey: row.deviceKey };
    for (const listener of this.listeners) listener(revoked);
  }

  addDestinationChain(pem: string): Result<number> {
    const blocks = pemBlocks(pem);
    if (!blocks.ok) return blocks;
    const certificates = blocks.value.filter((block) => block.label === 'CERTIFICATE');
    if (certificates.length === 0) return err('PKI_MALFORMED', 'The chain holds no CERTIFICATE block.');
    const rows: AuthorityRow[] = [];
    for (const block of certificates) {
      const parsed = parseDer(block.der, (der) => new x509.X509Certificate(der), 'destination CA certificate');
      if (!parsed.ok) return parsed;
      const spki = createPublicKey({ key: Buffer.from(parsed.value.publicKey.rawData), format: 'der', type: 'spki' });
      rows.push({
        id: sha256Fingerprint(block.der),
        role: 'trusted',
        source: 'destination',
        subject: parsed.value.subject,
        algorithm: spki.asymmetricKeyType === 'ec' ? 'P-256' : 'RSA-2048',
        notBefore: parsed.value.notBefore.getTime(),
        notAfter: parsed.value.notAfter.getTime(),
        certDer: block.der,
        keyRef: null,
        createdAt: this.clock(),
      });
    }
    this.store.transaction(() => rows.forEach((row) => this.store.addAuthority(row)));
    this.notifyChanged();
    return ok(rows.length);
  }

  private async issueServer(hosts: string[], vault: Vault): Promise<Result<CertificateRow>> {
    const pkcs8 = generateKeyPkcs8('P-256');
    const publicKey = new x509.PublicKey(publicSpki(pkcs8));
    const signed = await this.ca.sign({
      subject: [{ CN: [hosts[0]!] }],
      publicKey,
      validDays: SERVER_VALID_DAYS,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(hosts.map((host) => ({ type: isIP(host) ? ('ip' as const) : ('dns' as const), value: host }))),
        await x509.SubjectKeyIdentifierExtension.create(publicKey),
      ],
    });
    if (!signed.ok) return signed;
    const row = newCertificateRow(signed.value, {
      issuerId: this.ca.issuingRow()!.id,
      kind: 'server',
      productKey: null,
      deviceKey: null,
      commonName: hosts[0]!,
      algorithm: 'P-256',
      keySource: 'host',
      keyRef: serverKeyRef(signed.value.serial),
      createdAt: this.clock(),
    });
    this.store.transaction(() => {
      this.store.addCertificate(row);
      vault.put(row.keyRef!, pkcs8, 'server-private-key');
    });
    return ok(row);
  }
}
