import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../electron/registry/database';
import { migrations } from '../../electron/registry/migrations';
import { pki } from '../../electron/registry/migrations/004-pki';
import { openSqlite } from '../../electron/registry/sqlite';
import { tempDir } from '../helpers/cli';

describe('migration 004 (pki)', () => {
  it('is listed as number 4', () => {
    expect(migrations[3]).toBe(pki);
  });

  it('upgrades a schema-3 database: earlier rows kept, certificates recorded with their constraints', () => {
    const path = join(tempDir(), 'schema3.db');
    const old = openSqlite(path);
    migrate(old, migrations.slice(0, 3));
    old.prepare("INSERT INTO meta (key, value) VALUES ('station_id', 'before-pki')").run();
    old.close();

    const opened = openDatabase(path, { create: false });
    if (!opened.ok) throw new Error(opened.error.message);
    const db = opened.value;
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(4);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'station_id'").get()).toEqual({ value: 'before-pki' });
    const authority = { id: 'a1', role: 'issuing', source: 'generated', subject: 'CN=x', algorithm: 'P-256', not_before: 0, not_after: 1, cert_der: Buffer.from([0x30, 0x00]), key_ref: 'pki/authority/a1', created_at: 0 };
    const insertAuthority = db.prepare('INSERT INTO pki_authorities (id, role, source, subject, algorithm, not_before, not_after, cert_der, key_ref, created_at) VALUES (@id, @role, @source, @subject, @algorithm, @not_before, @not_after, @cert_der, @key_ref, @created_at)');
    insertAuthority.run(authority);
    // One issuing CA per data folder.
    expect(() => insertAuthority.run({ ...authority, id: 'a2' })).toThrow(/UNIQUE/);
    const certificate = db.prepare(
      `INSERT INTO certificates (serial, issuer_id, kind, product_key, device_key, common_name, fingerprint, algorithm, key_source, not_before, not_after, cert_der, created_at)
       VALUES (?, 'a1', 'device', 'pk', 'dk', 'dk', ?, 'P-256', 'csr', 0, 1, x'3000', 0)`,
    );
    certificate.run('4a', 'f1');
    expect(() => certificate.run('4a', 'f2')).toThrow(/UNIQUE/);
    expect(() => db.prepare("UPDATE certificates SET status = 'lost' WHERE serial = '4a'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO certificates (serial, issuer_id, kind, common_name, fingerprint, algorithm, key_source, not_before, not_after, cert_der, created_at) VALUES ('4b', 'nope', 'device', 'dk', 'f3', 'P-256', 'csr', 0, 1, x'3000', 0)").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
