import type { Migration } from './index';

/**
 * Certificates (issue 7): the local CA's certificates and the certificates it issued. Private keys
 * are only in the vault (`key_ref` names the vault entry); certificates themselves are public.
 */
export const pki: Migration = {
  version: 4,
  name: 'pki',
  up: `
    -- CA certificates: the local root and issuing CA (made here or imported), and chains a
    -- destination provided (EnOS returns its chain with each certificate), trusted for client auth.
    CREATE TABLE pki_authorities (
      id          TEXT PRIMARY KEY,                 -- SHA-256 fingerprint of the certificate
      role        TEXT NOT NULL CHECK (role IN ('root', 'issuing', 'trusted')),
      source      TEXT NOT NULL CHECK (source IN ('generated', 'imported', 'destination')),
      subject     TEXT NOT NULL,
      algorithm   TEXT NOT NULL,
      not_before  INTEGER NOT NULL,
      not_after   INTEGER NOT NULL,
      cert_der    BLOB NOT NULL,
      key_ref     TEXT,                             -- vault id of the private key, NULL when kept elsewhere
      created_at  INTEGER NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX pki_authorities_one_issuing ON pki_authorities (role) WHERE role = 'issuing';

    CREATE TABLE certificates (
      serial       TEXT PRIMARY KEY,                -- lower-case hex, random (RFC 5280 §4.1.2.2)
      issuer_id    TEXT NOT NULL REFERENCES pki_authorities (id),
      kind         TEXT NOT NULL CHECK (kind IN ('device', 'server')),
      product_key  TEXT,
      device_key   TEXT,
      common_name  TEXT NOT NULL,
      fingerprint  TEXT NOT NULL UNIQUE,
      algorithm    TEXT NOT NULL,
      key_source   TEXT NOT NULL CHECK (key_source IN ('csr', 'host')),
      key_ref      TEXT,                            -- vault id when the host made the key
      not_before   INTEGER NOT NULL,
      not_after    INTEGER NOT NULL,
      cert_der     BLOB NOT NULL,
      status       TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked')),
      revoked_at   INTEGER,
      revocation_reason TEXT,
      created_at   INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX certificates_device ON certificates (product_key, device_key);
    CREATE INDEX certificates_common_name ON certificates (kind, common_name);
  `,
};
