import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Vault, type KeyProtector, type ScryptParams } from '../../electron/pki/vault';
import { openDatabase } from '../../electron/registry/database';
import { tempDir } from '../helpers/cli';

const fast: ScryptParams = { N: 2 ** 14, r: 8, p: 1 };

function freshDb() {
  const opened = openDatabase(join(tempDir(), 'v.db'), { create: true });
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.value;
}

describe('vault', () => {
  it('round-trips secrets and stores no plaintext', () => {
    const db = freshDb();
    const vault = Vault.create(db, { method: 'passphrase', passphrase: 'pass one' }, { scrypt: fast });
    if (!vault.ok) throw new Error('create failed');
    vault.value.put('device:pk/dk:secret', 'DsDemoSecret0001', 'device secret');
    expect(vault.value.get('device:pk/dk:secret')).toBe('DsDemoSecret0001');
    const raw = db.prepare('SELECT ciphertext FROM vault_secrets').all() as { ciphertext: Buffer }[];
    expect(Buffer.concat(raw.map((row) => row.ciphertext)).includes('DsDemoSecret0001')).toBe(false);

    const again = Vault.unlock(db, { method: 'passphrase', passphrase: 'pass one' });
    expect(again.ok && again.value.get('device:pk/dk:secret')).toBe('DsDemoSecret0001');
  });

  it('refuses a wrong passphrase, a missing method and a second create', () => {
    const db = freshDb();
    expect(Vault.unlock(db, { method: 'passphrase', passphrase: 'x' })).toMatchObject({ ok: false, error: { code: 'NOT_INITIALIZED' } });
    Vault.create(db, { method: 'passphrase', passphrase: 'right' }, { scrypt: fast });
    expect(Vault.unlock(db, { method: 'passphrase', passphrase: 'wrong' })).toMatchObject({ ok: false, error: { code: 'VAULT_WRONG_PASSPHRASE' } });
    const protector: KeyProtector = { encrypt: (b) => b, decrypt: (b) => b };
    expect(Vault.unlock(db, { method: 'os-keystore', protector })).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
    expect(Vault.create(db, { method: 'passphrase', passphrase: 'right' }, { scrypt: fast })).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS' } });
  });

  it('rewraps for a new passphrase and the OS keystore without re-encrypting secrets', () => {
    const db = freshDb();
    const created = Vault.create(db, { method: 'passphrase', passphrase: 'old' }, { scrypt: fast });
    if (!created.ok) throw new Error('create failed');
    created.value.put('product:pk:secret', 'PsDemoSecret0001', 'product secret');
    const before = db.prepare('SELECT ciphertext FROM vault_secrets').get();
    const xor: KeyProtector = { encrypt: (b) => Buffer.from(b.map((x) => x ^ 0x5a)), decrypt: (b) => Buffer.from(b.map((x) => x ^ 0x5a)) };
    created.value.rewrap({ method: 'passphrase', passphrase: 'new' }, fast);
    created.value.rewrap({ method: 'os-keystore', protector: xor });
    expect(db.prepare('SELECT ciphertext FROM vault_secrets').get()).toEqual(before);
    expect(Vault.unlock(db, { method: 'passphrase', passphrase: 'old' })).toMatchObject({ ok: false, error: { code: 'VAULT_WRONG_PASSPHRASE' } });
    for (const unlock of [{ method: 'passphrase', passphrase: 'new' } as const, { method: 'os-keystore', protector: xor } as const]) {
      const vault = Vault.unlock(db, unlock);
      expect(vault.ok && vault.value.get('product:pk:secret')).toBe('PsDemoSecret0001');
    }
  });

  it('detects a tampered secret', () => {
    const db = freshDb();
    const vault = Vault.create(db, { method: 'passphrase', passphrase: 'p' }, { scrypt: fast });
    if (!vault.ok) throw new Error('create failed');
    vault.value.put('a', 'secret-a', 'test');
    vault.value.put('b', 'secret-b', 'test');
    // Moving one row's ciphertext under another id must fail: the id is authenticated data.
    db.prepare("UPDATE vault_secrets SET iv = (SELECT iv FROM vault_secrets WHERE id = 'b'), tag = (SELECT tag FROM vault_secrets WHERE id = 'b'), ciphertext = (SELECT ciphertext FROM vault_secrets WHERE id = 'b') WHERE id = 'a'").run();
    expect(() => vault.value.get('a')).toThrow();
  });
});
