import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import * as x509 from '@peculiar/x509';
import type { ClientCertificate } from './login-check';
import type { TlsDetails } from './session';

/**
 * TLS for the MQTTS and WSS listeners (protocol reference §2, §4). Client certificates are
 * requested but optional (secret products may log in over TLS without one); certificate
 * products are checked at login (CN = deviceKey, chain, revocation).
 */

/** What the PKI supplies: the hub's server certificate, the CAs devices chain to, revocation. */
export interface TrustProvider {
  /** PEM server certificate (chain) and key; null until the local CA has issued one. */
  serverCredentials(): Promise<{ cert: string; key: string } | null>;
  /** PEM CA certificates a client certificate may chain to. */
  trustedCas(): string[];
  /** Upper-case hex serial. */
  isRevoked(serial: string): boolean;
  /** Calls `listener` when the server certificate or the trusted CAs change (a CA made or imported, a destination chain added). */
  onChanged?(listener: () => void): () => void;
}

/** The server certificate (chain), its key and the CAs client certificates may chain to. */
export interface TlsMaterial {
  cert: string;
  key: string;
  ca: string[];
}

/**
 * The secure context of every hub TLS server. Client certificates are asked for but optional at
 * the handshake (`requestCert`, not `rejectUnauthorized`: server options, set where each server is
 * made); the login check requires them per product (§4).
 */
export function secureContextOf(material: TlsMaterial) {
  return { cert: material.cert, key: material.key, ...(material.ca.length > 0 ? { ca: material.ca } : {}), minVersion: 'TLSv1.2' as const };
}

/** Server options of a hub TLS server: its secure context, a client certificate asked for (§4). */
export function tlsServerOptions(material: TlsMaterial) {
  return { ...secureContextOf(material), requestCert: true, rejectUnauthorized: false };
}

/** Until the PKI lands: a generated self-signed server certificate, no trusted CAs. */
export const selfSignedTrust: TrustProvider = {
  serverCredentials: async () => null,
  trustedCas: () => [],
  isRevoked: () => false,
};

function toPem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${base64}${base64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

/** An ECDSA P-256 certificate for localhost and 127.0.0.1, valid a year from `now`. */
export async function selfSignedServerCertificate(now: number, commonName = 'commissioner-hub'): Promise<{ cert: string; key: string }> {
  const crypto = webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0];
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
      name: `CN=${commonName}`,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 365 * 24 * 3600_000),
      keys,
      signingAlgorithm: algorithm,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }]), new x509.BasicConstraintsExtension(false)],
    },
    crypto,
  );
  const key = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: certificate.toString('pem'), key: toPem('PRIVATE KEY', key) };
}

function commonNameOf(certificate: PeerCertificate): string | null {
  const cn = certificate.subject?.CN;
  return typeof cn === 'string' ? cn : Array.isArray(cn) ? (cn[0] ?? null) : null;
}

/** The peer certificate as the login check sees it; null when the client sent none. */
export function clientCertificateOf(socket: TLSSocket): ClientCertificate | null {
  const certificate = socket.getPeerCertificate();
  if (!certificate || Object.keys(certificate).length === 0) return null;
  return { authorized: socket.authorized, commonName: commonNameOf(certificate), serial: certificate.serialNumber ? certificate.serialNumber.toUpperCase() : null };
}

export function tlsDetailsOf(socket: TLSSocket): TlsDetails {
  const certificate = clientCertificateOf(socket);
  return {
    protocol: socket.getProtocol() ?? null,
    cipher: socket.getCipher()?.name ?? null,
    clientCertificate: certificate ? { commonName: certificate.commonName, serial: certificate.serial } : null,
  };
}
