import { err, ok, type Result } from '../../shared/result';
import { scryptFromEnv, Vault, type ScryptParams } from './vault';
import type { Db } from '../registry/database';

/** Short passphrases fall to offline guessing against the stored scrypt wrap, whatever its cost. */
export const MIN_PASSPHRASE_LENGTH = 8;

export interface PassphraseChange {
  /** The passphrase in use; required whenever a passphrase wrap exists. */
  current?: string;
  next: string;
}

/**
 * Replaces the passphrase wrap of the data key (issue 7: re-wrap only, no secret is re-encrypted).
 * The current passphrase must unwrap the vault even when it is already unlocked, so that an open
 * session alone cannot take the vault over. Without a passphrase wrap yet (a desktop vault held by
 * the OS keystore) the unlocked vault gains one.
 */
export function changePassphrase(db: Db, unlocked: Result<Vault>, change: PassphraseChange, scrypt: ScryptParams = scryptFromEnv()): Result<void> {
  if (change.next.normalize('NFC').length < MIN_PASSPHRASE_LENGTH) return err('VAULT_PASSPHRASE_INVALID');
  let vault: Vault;
  if (Vault.methods(db).includes('passphrase')) {
    if (change.current === undefined) return err('VAULT_WRONG_PASSPHRASE', 'Give the current vault passphrase to change it.');
    const proved = Vault.unlock(db, { method: 'passphrase', passphrase: change.current });
    if (!proved.ok) return proved;
    vault = proved.value;
  } else {
    if (!unlocked.ok) return unlocked;
    vault = unlocked.value;
  }
  if (change.current !== undefined && change.current === change.next) return err('VAULT_PASSPHRASE_INVALID', 'The new passphrase is the same as the current one.');
  vault.rewrap({ method: 'passphrase', passphrase: change.next }, scrypt);
  return ok(undefined);
}
