import { err, ok, type Result } from '../../shared/result';
import type { Db } from '../registry/database';
import { Vault, type Unlock } from './vault';

export interface VaultStatus {
  initialized: boolean;
  unlocked: boolean;
  methods: Unlock['method'][];
}

/**
 * The services' one vault, which may start locked (architecture §2: a station started without a
 * passphrase) and be unlocked later from the UI; modules read it through `context.vault()`.
 */
export class VaultSlot {
  constructor(
    private readonly db: Db,
    private current: Result<Vault>,
    private readonly clock: () => number,
  ) {}

  get(): Result<Vault> {
    return this.current;
  }

  status(): VaultStatus {
    return { initialized: Vault.exists(this.db), unlocked: this.current.ok, methods: Vault.methods(this.db) };
  }

  /** Unlocks a locked vault; on an unlocked one it only checks the passphrase. */
  unlock(unlock: Unlock): Result<VaultStatus> {
    const opened = Vault.unlock(this.db, unlock, this.clock);
    if (!opened.ok) return err(opened.error.code, opened.error.message);
    if (!this.current.ok) this.current = opened;
    return ok(this.status());
  }
}
