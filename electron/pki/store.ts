import type { Statement } from 'better-sqlite3';
import type { Db } from '../registry/database';
import type { KeyAlgorithm } from './keys';

export type AuthorityRole = 'root' | 'issuing' | 'trusted';

export interface AuthorityRow {
  id: string;
  role: AuthorityRole;
  source: 'generated' | 'imported' | 'destination';
  subject: string;
  algorithm: KeyAlgorithm;
  notBefore: number;
  notAfter: number;
  certDer: Buffer;
  keyRef: string | null;
  createdAt: number;
}

export type CertificateStatus = 'valid' | 'revoked';

export interface CertificateRow {
  serial: string;
  issuerId: string;
  kind: 'device' | 'server';
  productKey: string | null;
  deviceKey: string | null;
  commonName: string;
  fingerprint: string;
  algorithm: KeyAlgorithm;
  keySource: 'csr' | 'host';
  keyRef: string | null;
  notBefore: number;
  notAfter: number;
  certDer: Buffer;
  status: CertificateStatus;
  revokedAt: number | null;
  revocationReason: string | null;
  createdAt: number;
}

/** A freshly signed certificate as a row: valid, not revoked. */
export function newCertificateRow(
  signed: { serial: string; fingerprint: string; notBefore: number; notAfter: number; der: Buffer },
  fields: Pick<CertificateRow, 'issuerId' | 'kind' | 'productKey' | 'deviceKey' | 'commonName' | 'algorithm' | 'keySource' | 'keyRef' | 'createdAt'>,
): CertificateRow {
  return {
    ...fields,
    serial: signed.serial,
    fingerprint: signed.fingerprint,
    notBefore: signed.notBefore,
    notAfter: signed.notAfter,
    certDer: signed.der,
    status: 'valid',
    revokedAt: null,
    revocationReason: null,
  };
}

const AUTHORITY_COLUMNS = `id, role, source, subject, algorithm, not_before AS notBefore, not_after AS notAfter,
  cert_der AS certDer, key_ref AS keyRef, created_at AS createdAt`;
const CERTIFICATE_COLUMNS = `serial, issuer_id AS issuerId, kind, product_key AS productKey, device_key AS deviceKey,
  common_name AS commonName, fingerprint, algorithm, key_source AS keySource, key_ref AS keyRef, not_before AS notBefore,
  not_after AS notAfter, cert_der AS certDer, status, revoked_at AS revokedAt, revocation_reason AS revocationReason, created_at AS createdAt`;

/** The pki tables (migration 004): CA certificates and issued certificates. Keys live in the vault. */
export class PkiStore {
  // Each statement is prepared once: issuance runs four of them per certificate (issue 7 benchmark).
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  private prepared(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  transaction<T>(body: () => T): T {
    return this.db.transaction(body)();
  }

  authorities(role?: AuthorityRole): AuthorityRow[] {
    return role
      ? (this.prepared(`SELECT ${AUTHORITY_COLUMNS} FROM pki_authorities WHERE role = ? ORDER BY created_at`).all(role) as AuthorityRow[])
      : (this.prepared(`SELECT ${AUTHORITY_COLUMNS} FROM pki_authorities ORDER BY created_at`).all() as AuthorityRow[]);
  }

  /** The issuing CA's id alone: issuance asks for it on every certificate to see whether its cached signer is current. */
  issuingId(): string | undefined {
    return (this.prepared(`SELECT id FROM pki_authorities WHERE role = 'issuing'`).get() as { id: string } | undefined)?.id;
  }

  authority(id: string): AuthorityRow | undefined {
    return this.prepared(`SELECT ${AUTHORITY_COLUMNS} FROM pki_authorities WHERE id = ?`).get(id) as AuthorityRow | undefined;
  }

  addAuthority(row: AuthorityRow): void {
    this.prepared(
      `INSERT INTO pki_authorities (id, role, source, subject, algorithm, not_before, not_after, cert_der, key_ref, created_at)
       VALUES (@id, @role, @source, @subject, @algorithm, @notBefore, @notAfter, @certDer, @keyRef, @createdAt)
       ON CONFLICT (id) DO NOTHING`,
    ).run(row);
  }

  addCertificate(row: Omit<CertificateRow, 'status' | 'revokedAt' | 'revocationReason'>): void {
    this.prepared(
      `INSERT INTO certificates (serial, issuer_id, kind, product_key, device_key, common_name, fingerprint, algorithm, key_source,
         key_ref, not_before, not_after, cert_der, created_at)
       VALUES (@serial, @issuerId, @kind, @productKey, @deviceKey, @commonName, @fingerprint, @algorithm, @keySource,
         @keyRef, @notBefore, @notAfter, @certDer, @createdAt)`,
    ).run(row);
  }

  serialExists(serial: string): boolean {
    return this.prepared('SELECT 1 FROM certificates WHERE serial = ?').get(serial) !== undefined;
  }

  certificate(serial: string): CertificateRow | undefined {
    return this.prepared(`SELECT ${CERTIFICATE_COLUMNS} FROM certificates WHERE serial = ?`).get(serial) as CertificateRow | undefined;
  }

  certificates(filter: { productKey?: string; deviceKey?: string; kind?: CertificateRow['kind']; status?: CertificateStatus } = {}): CertificateRow[] {
    const where: string[] = [];
    if (filter.productKey !== undefined) where.push('product_key = @productKey');
    if (filter.deviceKey !== undefined) where.push('device_key = @deviceKey');
    if (filter.kind !== undefined) where.push('kind = @kind');
    if (filter.status !== undefined) where.push('status = @status');
    const sql = `SELECT ${CERTIFICATE_COLUMNS} FROM certificates ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, serial`;
    return this.prepared(sql).all(filter) as CertificateRow[];
  }

  /** Another device's certificate with this CN (EnOS: CN is unique among issued certificates, §4). */
  commonNameHolder(commonName: string, productKey: string, deviceKey: string): CertificateRow | undefined {
    return this.prepared(
      `SELECT ${CERTIFICATE_COLUMNS} FROM certificates WHERE kind = 'device' AND common_name = ?
         AND NOT (product_key IS ? AND device_key IS ?) LIMIT 1`,
    ).get(commonName, productKey, deviceKey) as CertificateRow | undefined;
  }

  revoke(serial: string, at: number, reason: string): boolean {
    return this.prepared(`UPDATE certificates SET status = 'revoked', revoked_at = ?, revocation_reason = ? WHERE serial = ? AND status = 'valid'`).run(at, reason, serial).changes > 0;
  }

  isRevoked(serial: string): boolean {
    return this.prepared(`SELECT 1 FROM certificates WHERE serial = ? AND status = 'revoked'`).get(serial) !== undefined;
  }
}
