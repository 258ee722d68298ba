import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Vault } from '../../electron/pki/vault';
import { openDatabase } from '../../electron/registry/database';
import { foundation } from '../../electron/registry/migrations/001-foundation';
import { tempDir } from '../helpers/cli';

function vaultOn(migrations?: typeof foundation[]) {
  const opened = openDatabase(join(tempDir(), 'v.db'), { create: true, migrations });
  if (!opened.ok) throw new Error(opened.error.message);
  const vault = Vault.create(opened.value, { method: 'passphrase', passphrase: 'p' }, { scrypt: { N: 2 ** 14, r: 8, p: 1 } });
  if (!vault.ok) throw new Error(vault.error.message);
  return { db: opened.value, vault: vault.value };
}

const entries = (count: number, prefix = 'S') => Array.from({ length: count }, (_, index) => ({ id: `device:pk/d${index}:secret`, secret: `${prefix}ecret${String(index).padStart(4, '0')}` }));

describe('vault bundles (putMany)', () => {
  it('reads, lists and deletes every bundled id as if it were stored alone, with no plaintext in the file', () => {
    const { db, vault } = vaultOn();
    vault.putMany(entries(150), 'device-secret');
    expect(db.prepare('SELECT count(*) FROM vault_bundles').pluck().get()).toBe(3); // 64 + 64 + 22
    expect(db.prepare('SELECT count(*) FROM vault_secrets').pluck().get()).toBe(0);
    expect(vault.get('device:pk/d0:secret')).toBe('Secret0000');
    expect(vault.get('device:pk/d149:secret')).toBe('Secret0149');
    expect(vault.has('device:pk/d70:secret')).toBe(true);
    expect(vault.get('device:pk/d150:secret')).toBeUndefined();
    expect(vault.has('device:pk/d150:secret')).toBe(false);
    const raw = Buffer.concat((db.prepare('SELECT ciphertext FROM vault_bundles').pluck().all() as Buffer[]).concat(db.prepare('SELECT id FROM vault_bundle_members').pluck().all().map((id) => Buffer.from(id as string))));
    expect(raw.includes('Secret0000')).toBe(false);

    // Unlocked again later, the same secrets read back.
    const again = Vault.unlock(db, { method: 'passphrase', passphrase: 'p' });
    expect(again.ok && again.value.get('device:pk/d100:secret')).toBe('Secret0100');

    // Delete drops the id and re-seals its bundle without it; the others stay.
    expect(vault.delete('device:pk/d1:secret')).toBe(true);
    expect(vault.has('device:pk/d1:secret')).toBe(false);
    expect(vault.get('device:pk/d1:secret')).toBeUndefined();
    expect(vault.delete('device:pk/d1:secret')).toBe(false);
    expect(vault.get('device:pk/d2:secret')).toBe('Secret0002');
    // The last member of a bundle takes the bundle with it.
    for (let index = 128; index < 150; index++) vault.delete(`device:pk/d${index}:secret`);
    expect(db.prepare('SELECT count(*) FROM vault_bundles').pluck().get()).toBe(2);
    db.close();
  });

  it('a later put or putMany of the same id replaces the bundled value; a delete afterwards leaves nothing behind', () => {
    const { db, vault } = vaultOn();
    vault.putMany(entries(3), 'device-secret');
    vault.put('device:pk/d0:secret', 'Rotated0000', 'device-secret');
    expect(vault.get('device:pk/d0:secret')).toBe('Rotated0000');
    expect(vault.delete('device:pk/d0:secret')).toBe(true);
    expect(vault.has('device:pk/d0:secret')).toBe(false);

    vault.put('device:pk/d9:secret', 'Alone00009', 'device-secret');
    vault.putMany([...entries(3, 'T'), { id: 'device:pk/d9:secret', secret: 'Bundled009' }], 'device-secret');
    expect(vault.get('device:pk/d1:secret')).toBe('Tecret0001');
    expect(vault.get('device:pk/d9:secret')).toBe('Bundled009');
    expect(vault.delete('device:pk/d9:secret')).toBe(true);
    expect(vault.get('device:pk/d9:secret')).toBeUndefined();
    // The first bundle lost all its ids to the second: it is gone.
    expect(db.prepare('SELECT count(*) FROM vault_bundles').pluck().get()).toBe(1);
    db.close();
  });

  it('detects a bundle moved under another id or an id pointed at another bundle', () => {
    const { db, vault } = vaultOn();
    vault.putMany(entries(70), 'device-secret');
    db.prepare('UPDATE vault_bundle_members SET bundle = 2 WHERE id = ?').run('device:pk/d0:secret');
    expect(() => vault.get('device:pk/d0:secret')).toThrow();
    db.prepare('UPDATE vault_bundles SET iv = (SELECT iv FROM vault_bundles WHERE id = 1), tag = (SELECT tag FROM vault_bundles WHERE id = 1), ciphertext = (SELECT ciphertext FROM vault_bundles WHERE id = 1) WHERE id = 2').run();
    expect(() => vault.get('device:pk/d65:secret')).toThrow();
    db.close();
  });

  it('a bundle read before is opened again once its sealed bytes change (altered, or resealed by another process)', () => {
    const { db, vault } = vaultOn();
    vault.putMany(entries(70), 'device-secret');
    expect(vault.get('device:pk/d0:secret')).toBe('Secret0000');
    // Another process (its own unlocked vault) deletes an id: the bundle is resealed without it.
    const other = Vault.unlock(db, { method: 'passphrase', passphrase: 'p' });
    if (!other.ok) throw new Error(other.error.message);
    expect(other.value.delete('device:pk/d1:secret')).toBe(true);
    expect(vault.get('device:pk/d1:secret')).toBeUndefined();
    expect(vault.get('device:pk/d2:secret')).toBe('Secret0002');
    // Altered on disk after it was read: authenticated again, so refused.
    db.prepare('UPDATE vault_bundles SET ciphertext = ? WHERE id = 1').run(Buffer.from((db.prepare('SELECT ciphertext FROM vault_bundles WHERE id = 1').pluck().get() as Buffer).map((byte, index) => (index === 0 ? byte ^ 1 : byte))));
    expect(() => vault.get('device:pk/d3:secret')).toThrow();
    db.close();
  });

  it('lists every secret of a purpose, bundled or stored alone, and none of another purpose', () => {
    const { db, vault } = vaultOn();
    vault.putMany(entries(70), 'device-secret');
    vault.put('device:pk/alone:secret', 'AloneSecret', 'device-secret');
    vault.put('device:pk/d5:secret', 'Replaced', 'device-secret');
    vault.put('ca:key', 'not a device secret', 'ca-key');
    vault.delete('device:pk/d6:secret');
    const secrets = vault.secretsOf('device-secret');
    expect(secrets.size).toBe(70);
    expect(secrets.get('device:pk/d0:secret')).toBe('Secret0000');
    expect(secrets.get('device:pk/d69:secret')).toBe('Secret0069');
    expect(secrets.get('device:pk/alone:secret')).toBe('AloneSecret');
    expect(secrets.get('device:pk/d5:secret')).toBe('Replaced');
    expect(secrets.has('device:pk/d6:secret')).toBe(false);
    expect(secrets.has('ca:key')).toBe(false);
    db.close();
  });

  it('on a database from before bundles, stores each secret on its own', () => {
    const { db, vault } = vaultOn([foundation]);
    vault.putMany(entries(2), 'device-secret');
    expect(db.prepare('SELECT count(*) FROM vault_secrets').pluck().get()).toBe(2);
    expect(vault.get('device:pk/d1:secret')).toBe('Secret0001');
    expect(vault.delete('device:pk/d1:secret')).toBe(true);
    expect(vault.has('device:pk/d1:secret')).toBe(false);
    db.close();
  });
});
