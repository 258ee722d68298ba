import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changePassphrase } from '../../electron/pki/passphrase';
import { Vault, type KeyProtector, type ScryptParams } from '../../electron/pki/vault';
import { VaultSlot } from '../../electron/pki/vault-slot';
import { openDatabase } from '../../electron/registry/database';
import { cliEnv, initDataDir, readPortsFile, runCli, startCli, tempDir, TEST_PASSPHRASE } from '../helpers/cli';

const fast: ScryptParams = { N: 2 ** 14, r: 8, p: 1 };

function freshVault(passphrase = 'first passphrase') {
  const opened = openDatabase(join(tempDir(), 'v.db'), { create: true });
  if (!opened.ok) throw new Error(opened.error.message);
  const vault = Vault.create(opened.value, { method: 'passphrase', passphrase }, { scrypt: fast });
  if (!vault.ok) throw new Error(vault.error.message);
  vault.value.put('device:pk/dk:secret', 'DsDemoSecret0001', 'device-secret');
  return { db: opened.value, vault };
}

describe('vault passphrase change (re-wrap only)', () => {
  it('changes the passphrase without re-encrypting secrets; the old one is refused', () => {
    const { db, vault } = freshVault();
    const before = db.prepare('SELECT iv, tag, ciphertext FROM vault_secrets').all();
    expect(changePassphrase(db, vault, { current: 'first passphrase', next: 'second passphrase' }, fast)).toEqual({ ok: true, value: undefined });
    expect(db.prepare('SELECT iv, tag, ciphertext FROM vault_secrets').all()).toEqual(before);
    expect(Vault.unlock(db, { method: 'passphrase', passphrase: 'first passphrase' })).toMatchObject({ ok: false, error: { code: 'VAULT_WRONG_PASSPHRASE' } });
    const reopened = Vault.unlock(db, { method: 'passphrase', passphrase: 'second passphrase' });
    expect(reopened.ok && reopened.value.get('device:pk/dk:secret')).toBe('DsDemoSecret0001');
  });

  it.each([
    ['a wrong current passphrase', { current: 'not it', next: 'second passphrase' }, 'VAULT_WRONG_PASSPHRASE'],
    ['no current passphrase', { next: 'second passphrase' }, 'VAULT_WRONG_PASSPHRASE'],
    ['a short new passphrase', { current: 'first passphrase', next: 'short' }, 'VAULT_PASSPHRASE_INVALID'],
    ['the same passphrase again', { current: 'first passphrase', next: 'first passphrase' }, 'VAULT_PASSPHRASE_INVALID'],
  ])('refuses %s and leaves the wrap unchanged', (_case, change, code) => {
    const { db, vault } = freshVault();
    const wrap = db.prepare('SELECT * FROM vault_wraps').all();
    expect(changePassphrase(db, vault, change, fast)).toMatchObject({ ok: false, error: { code } });
    expect(db.prepare('SELECT * FROM vault_wraps').all()).toEqual(wrap);
  });

  it('adds a passphrase to a keystore-only vault when it is unlocked', () => {
    const opened = openDatabase(join(tempDir(), 'k.db'), { create: true });
    if (!opened.ok) throw new Error('open');
    const xor: KeyProtector = { encrypt: (b) => Buffer.from(b.map((x) => x ^ 0x5a)), decrypt: (b) => Buffer.from(b.map((x) => x ^ 0x5a)) };
    const vault = Vault.create(opened.value, { method: 'os-keystore', protector: xor });
    expect(changePassphrase(opened.value, vault, { next: 'added passphrase' }, fast)).toMatchObject({ ok: true });
    expect(Vault.methods(opened.value)).toEqual(['os-keystore', 'passphrase']);
    expect(Vault.unlock(opened.value, { method: 'passphrase', passphrase: 'added passphrase' }).ok).toBe(true);
  });
});

describe('VaultSlot (a station started locked)', () => {
  it('reports status, refuses a wrong passphrase, unlocks', () => {
    const { db } = freshVault();
    const slot = new VaultSlot(db, { ok: false, error: { code: 'VAULT_LOCKED', message: 'locked' } }, Date.now);
    expect(slot.status()).toEqual({ initialized: true, unlocked: false, methods: ['passphrase'] });
    expect(slot.get()).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
    expect(slot.unlock({ method: 'passphrase', passphrase: 'wrong' })).toMatchObject({ ok: false, error: { code: 'VAULT_WRONG_PASSPHRASE' } });
    expect(slot.unlock({ method: 'passphrase', passphrase: 'first passphrase' })).toMatchObject({ ok: true, value: { unlocked: true } });
    const vault = slot.get();
    expect(vault.ok && vault.value.get('device:pk/dk:secret')).toBe('DsDemoSecret0001');
    expect(slot.unlock({ method: 'passphrase', passphrase: 'first passphrase' }).ok).toBe(true);
  });
});

describe('commissioner vault', () => {
  it('passphrase: changes it from COMMISSIONER_NEW_PASSPHRASE; a wrong current one is refused', () => {
    const dir = initDataDir();
    const wrong = runCli(['--data', dir, '--json', 'vault', 'passphrase'], { env: cliEnv({ COMMISSIONER_PASSPHRASE: 'not the one', COMMISSIONER_NEW_PASSPHRASE: 'brand new passphrase' }) });
    expect(wrong.json()).toMatchObject({ ok: false, error: { code: 'VAULT_WRONG_PASSPHRASE' } });
    const short = runCli(['--data', dir, '--json', 'vault', 'passphrase'], { env: cliEnv({ COMMISSIONER_NEW_PASSPHRASE: 'short' }) });
    expect(short.json()).toMatchObject({ ok: false, error: { code: 'VAULT_PASSPHRASE_INVALID' } });
    const missing = runCli(['--data', dir, 'vault', 'passphrase']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('COMMISSIONER_NEW_PASSPHRASE');
    const changed = runCli(['--data', dir, '--json', 'vault', 'passphrase'], { env: cliEnv({ COMMISSIONER_NEW_PASSPHRASE: 'brand new passphrase' }) });
    expect(changed.json()).toMatchObject({ ok: true, value: { unlocked: true, methods: ['passphrase'] } });
    expect(runCli(['--data', dir, '--json', 'vault', 'status']).json()).toMatchObject({ ok: false, error: { code: 'VAULT_WRONG_PASSPHRASE' } });
    expect(runCli(['--data', dir, '--json', 'vault', 'status'], { env: cliEnv({ COMMISSIONER_PASSPHRASE: 'brand new passphrase' }) }).json()).toMatchObject({ ok: true, value: { unlocked: true } });
  });

  it('unlock: a station started without a passphrase runs locked until `vault unlock` over its bridge', async () => {
    const dir = initDataDir();
    const ports = join(tempDir(), 'ports.json');
    const lockedEnv = cliEnv();
    delete lockedEnv.COMMISSIONER_PASSPHRASE;
    const station = startCli(['--data', dir, 'station', '--port', '0', '--ports-file', ports], { env: lockedEnv });
    try {
      await readPortsFile(ports);
      expect(runCli(['--data', dir, '--json', 'vault', 'status'], { env: lockedEnv }).json()).toMatchObject({ ok: true, value: { unlocked: false } });
      expect(runCli(['--data', dir, '--json', 'ca', 'init'], { env: lockedEnv }).json()).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
      expect(runCli(['--data', dir, '--json', 'vault', 'unlock'], { env: cliEnv({ COMMISSIONER_PASSPHRASE: 'wrong passphrase' }) }).json()).toMatchObject({ ok: false, error: { code: 'VAULT_WRONG_PASSPHRASE' } });
      expect(runCli(['--data', dir, '--json', 'vault', 'unlock'], { env: cliEnv({ COMMISSIONER_PASSPHRASE: TEST_PASSPHRASE }) }).json()).toMatchObject({ ok: true, value: { unlocked: true } });
      expect(runCli(['--data', dir, '--json', 'ca', 'init'], { env: lockedEnv }).json()).toMatchObject({ ok: true });
    } finally {
      await station.stop();
    }
    expect(runCli(['--data', dir, '--json', 'vault', 'unlock']).json()).toMatchObject({ ok: false, error: { code: 'NO_OWNER' } });
  });
});
