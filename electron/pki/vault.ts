import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { err, ok, type Result } from '../../shared/result';
import type { Db } from '../registry/database';

/**
 * The secrets vault (architecture §2, §7): one random 256-bit data key per data folder encrypts
 * every secret with AES-256-GCM; the data key itself is stored only wrapped, once per unlock
 * method (a passphrase through scrypt headless, the OS keystore in the desktop app).
 */

/** What Electron's safeStorage offers; handed in by the desktop shell, absent headless. */
export interface KeyProtector {
  encrypt(plain: Buffer): Buffer;
  decrypt(wrapped: Buffer): Buffer;
}

export type Unlock = { method: 'passphrase'; passphrase: string } | { method: 'os-keystore'; protector: KeyProtector };

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt floor (N=2^17, r=8, p=1) costs ~128 MiB and a few hundred ms on this class of machine. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

/**
 * The scrypt cost for a new wrap: the default, or `COMMISSIONER_SCRYPT_LOG2N` (14–20) for small
 * machines and test suites. The chosen parameters are stored with the wrap, so unlock always uses them.
 */
export function scryptFromEnv(env: NodeJS.ProcessEnv = process.env): ScryptParams {
  const log2n = Number(env.COMMISSIONER_SCRYPT_LOG2N);
  return Number.isInteger(log2n) && log2n >= 14 && log2n <= 20 ? { ...DEFAULT_SCRYPT, N: 2 ** log2n } : DEFAULT_SCRYPT;
}

interface WrapRow {
  method: string;
  params: string;
  salt: Buffer | null;
  iv: Buffer | null;
  tag: Buffer | null;
  wrapped: Buffer;
}

const KEY_BYTES = 32;
/** Secrets per bundle of `putMany`: small enough that reading one secret decrypts only a few kB. */
const BUNDLE_SIZE = 64;

function scryptKey(passphrase: string, salt: Buffer, params: ScryptParams): Buffer {
  return scryptSync(passphrase.normalize('NFC'), salt, KEY_BYTES, { ...params, maxmem: 256 * params.N * params.r + 2 ** 20 });
}

function seal(key: Buffer, plain: Buffer, aad: string): { iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

/** Throws when the key is wrong or the data was altered (GCM authentication). */
function open(key: Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

function wrapRow(dataKey: Buffer, unlock: Unlock, scrypt: ScryptParams, now: number) {
  if (unlock.method === 'os-keystore') {
    return { method: unlock.method, params: '{"kdf":"os-keystore"}', salt: null, iv: null, tag: null, wrapped: unlock.protector.encrypt(dataKey), created_at: now };
  }
  const salt = randomBytes(16);
  const sealed = seal(scryptKey(unlock.passphrase, salt, scrypt), dataKey, 'vault-data-key');
  return { method: unlock.method, params: JSON.stringify({ kdf: 'scrypt', ...scrypt }), salt, iv: sealed.iv, tag: sealed.tag, wrapped: sealed.ciphertext, created_at: now };
}

function prepareBundleStatements(db: Db) {
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'vault_bundle_members'").get() === undefined) return undefined;
  return {
    lastId: db.prepare<[], number>('SELECT max(id) FROM vault_bundles').pluck(),
    insert: db.prepare('INSERT INTO vault_bundles (id, purpose, iv, tag, ciphertext, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    reseal: db.prepare('UPDATE vault_bundles SET iv = ?, tag = ?, ciphertext = ?, updated_at = ? WHERE id = ?'),
    remove: db.prepare('DELETE FROM vault_bundles WHERE id = ?'),
    member: db.prepare<[string], number>('SELECT bundle FROM vault_bundle_members WHERE id = ?').pluck(),
    /** An id's bundle and its sealed row, in one query. */
    sealedOf: db.prepare<[string], { bundle: number; iv: Buffer; tag: Buffer; ciphertext: Buffer }>(
      'SELECT m.bundle AS bundle, b.iv AS iv, b.tag AS tag, b.ciphertext AS ciphertext FROM vault_bundle_members m JOIN vault_bundles b ON b.id = m.bundle WHERE m.id = ?',
    ),
    ofPurpose: db.prepare<[string], { id: number; iv: Buffer; tag: Buffer; ciphertext: Buffer }>('SELECT id, iv, tag, ciphertext FROM vault_bundles WHERE purpose = ?'),
    addMembers: db.prepare('INSERT INTO vault_bundle_members (id, bundle) SELECT value, ? FROM json_each(?)'),
    removeMember: db.prepare('DELETE FROM vault_bundle_members WHERE id = ?'),
    // Index probes per id, never a scan of the whole vault.
    present: db
      .prepare<[string], string>(
        'SELECT value FROM json_each(?) WHERE EXISTS (SELECT 1 FROM vault_secrets s WHERE s.id = value) OR EXISTS (SELECT 1 FROM vault_bundle_members m WHERE m.id = value)',
      )
      .pluck(),
  };
}
type BundleStatements = NonNullable<ReturnType<typeof prepareBundleStatements>>;

export class Vault {
  // Prepared once per vault: the hub reads a secret on every login.
  private readonly statements;
  private bundles: BundleStatements | null | undefined;
  /**
   * The bundle opened last and the sealed bytes it was opened from: the hub reads the secrets of
   * a login burst's devices one by one, and devices imported together share bundles. Only the
   * very same sealed bytes reuse it; a bundle resealed, replaced or altered (by this process or
   * another) is opened, and so authenticated, again.
   */
  private lastOpened: { bundle: number; iv: Buffer; tag: Buffer; ciphertext: Buffer; secrets: Record<string, string> } | null = null;

  private constructor(
    private readonly db: Db,
    private readonly dataKey: Buffer,
    private readonly clock: () => number,
  ) {
    this.statements = {
      put: db.prepare(
        `INSERT INTO vault_secrets (id, purpose, iv, tag, ciphertext, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET purpose = excluded.purpose, iv = excluded.iv, tag = excluded.tag, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
      ),
      get: db.prepare('SELECT iv, tag, ciphertext FROM vault_secrets WHERE id = ?'),
      has: db.prepare('SELECT 1 FROM vault_secrets WHERE id = ?'),
      ofPurpose: db.prepare<[string], { id: string; iv: Buffer; tag: Buffer; ciphertext: Buffer }>('SELECT id, iv, tag, ciphertext FROM vault_secrets WHERE purpose = ?'),
    };
  }

  static exists(db: Db): boolean {
    return db.prepare('SELECT 1 FROM vault_wraps LIMIT 1').get() !== undefined;
  }

  /** Creates the data key and its first wrap. Refuses when a vault already exists. */
  static create(db: Db, unlock: Unlock, options: { scrypt?: ScryptParams; clock?: () => number } = {}): Result<Vault> {
    if (Vault.exists(db)) return err('ALREADY_EXISTS', 'This data folder already has a vault.');
    const clock = options.clock ?? Date.now;
    const dataKey = randomBytes(KEY_BYTES);
    db.prepare('INSERT INTO vault_wraps (method, params, salt, iv, tag, wrapped, created_at) VALUES (@method, @params, @salt, @iv, @tag, @wrapped, @created_at)').run(
      wrapRow(dataKey, unlock, options.scrypt ?? DEFAULT_SCRYPT, clock()),
    );
    return ok(new Vault(db, dataKey, clock));
  }

  static unlock(db: Db, unlock: Unlock, clock: () => number = Date.now): Result<Vault> {
    const row = db.prepare('SELECT method, params, salt, iv, tag, wrapped FROM vault_wraps WHERE method = ?').get(unlock.method) as WrapRow | undefined;
    if (!row) {
      if (!Vault.exists(db)) return err('NOT_INITIALIZED', 'This data folder has no vault yet. Run `commissioner init`.');
      return err('VAULT_LOCKED', `The vault has no ${unlock.method} protection; unlock it with another method.`);
    }
    if (unlock.method === 'os-keystore') {
      try {
        return ok(new Vault(db, unlock.protector.decrypt(row.wrapped), clock));
      } catch {
        return err('VAULT_LOCKED', 'The OS keystore could not unwrap the vault key.');
      }
    }
    let params: ScryptParams;
    try {
      const parsed = JSON.parse(row.params) as Partial<ScryptParams> & { kdf?: string };
      if (parsed.kdf !== 'scrypt' || !parsed.N || !parsed.r || !parsed.p || !row.salt || !row.iv || !row.tag) throw new Error('bad wrap');
      params = { N: parsed.N, r: parsed.r, p: parsed.p };
    } catch {
      return err('VAULT_CORRUPT');
    }
    try {
      const key = scryptKey(unlock.passphrase, row.salt, params);
      return ok(new Vault(db, open(key, row.iv, row.tag, row.wrapped, 'vault-data-key'), clock));
    } catch {
      return err('VAULT_WRONG_PASSPHRASE');
    }
  }

  /** The unlock methods that have a wrap of the data key. */
  static methods(db: Db): Unlock['method'][] {
    return (db.prepare('SELECT method FROM vault_wraps ORDER BY method').all() as { method: Unlock['method'] }[]).map((row) => row.method);
  }

  /** Adds or replaces the wrap for one unlock method; the secrets themselves are not re-encrypted. */
  rewrap(unlock: Unlock, scrypt: ScryptParams = DEFAULT_SCRYPT): void {
    this.db
      .prepare('INSERT OR REPLACE INTO vault_wraps (method, params, salt, iv, tag, wrapped, created_at) VALUES (@method, @params, @salt, @iv, @tag, @wrapped, @created_at)')
      .run(wrapRow(this.dataKey, unlock, scrypt, this.clock()));
  }

  put(id: string, secret: string | Buffer, purpose: string): void {
    this.unbundle(id);
    const now = this.clock();
    const sealed = seal(this.dataKey, Buffer.isBuffer(secret) ? secret : Buffer.from(secret, 'utf8'), id);
    this.statements.put.run(id, purpose, sealed.iv, sealed.tag, sealed.ciphertext, now, now);
  }

  /**
   * Stores many text secrets of one purpose at once (a 100k-row device import): sealed in
   * bundles of BUNDLE_SIZE under one AES-GCM encryption each, with each id pointing at its
   * bundle, so a big import costs a few thousand encryptions instead of one per secret. Each id
   * then reads, lists as present and deletes exactly as if it had been `put` on its own; a later
   * `put` of the same id replaces its bundled value. Ids already in the vault are replaced.
   */
  putMany(entries: readonly { id: string; secret: string }[], purpose: string): void {
    const bundles = this.bundleStatements();
    if (!bundles) {
      for (const entry of entries) this.put(entry.id, entry.secret, purpose);
      return;
    }
    const now = this.clock();
    // The caller's transaction is the only writer: the next ids are free, so each bundle is sealed
    // under its own id before its row is written once.
    let bundle = bundles.lastId.get() ?? 0;
    for (let start = 0; start < entries.length; start += BUNDLE_SIZE) {
      const chunk = entries.slice(start, start + BUNDLE_SIZE);
      const ids = JSON.stringify(chunk.map((entry) => entry.id));
      for (const id of bundles.present.all(ids)) this.delete(id);
      bundle++;
      const sealed = this.sealBundle(bundle, Object.fromEntries(chunk.map((entry) => [entry.id, entry.secret])));
      bundles.insert.run(bundle, purpose, sealed.iv, sealed.tag, sealed.ciphertext, now, now);
      bundles.addMembers.run(bundle, ids);
    }
  }

  getBuffer(id: string): Buffer | undefined {
    const row = this.statements.get.get(id) as
      | { iv: Buffer; tag: Buffer; ciphertext: Buffer }
      | undefined;
    if (row) return open(this.dataKey, row.iv, row.tag, row.ciphertext, id);
    const bundled = this.bundleOf(id);
    if (!bundled) return undefined;
    // The ids are inside the authenticated plaintext: an id pointed at another bundle finds nothing there.
    const secret = bundled.secrets[id];
    if (typeof secret !== 'string') throw new Error(`vault bundle ${bundled.bundle} does not hold ${id}`);
    return Buffer.from(secret, 'utf8');
  }

  get(id: string): string | undefined {
    return this.getBuffer(id)?.toString('utf8');
  }

  /**
   * Every text secret stored under `purpose`, each bundle opened once (the hub's login check
   * starts with its devices' secrets instead of a vault read per first login).
   */
  secretsOf(purpose: string): Map<string, string> {
    const secrets = new Map<string, string>();
    for (const row of this.statements.ofPurpose.iterate(purpose)) secrets.set(row.id, open(this.dataKey, row.iv, row.tag, row.ciphertext, row.id).toString('utf8'));
    for (const row of this.bundleStatements()?.ofPurpose.iterate(purpose) ?? []) {
      const bundled = JSON.parse(open(this.dataKey, row.iv, row.tag, row.ciphertext, `vault-bundle:${row.id}`).toString('utf8')) as Record<string, string>;
      for (const id in bundled) secrets.set(id, bundled[id]!);
    }
    return secrets;
  }

  has(id: string): boolean {
    return this.statements.has.get(id) !== undefined || this.bundleStatements()?.member.get(id) !== undefined;
  }

  delete(id: string): boolean {
    const own = this.db.prepare('DELETE FROM vault_secrets WHERE id = ?').run(id).changes > 0;
    return this.unbundle(id) || own;
  }

  /** Undefined on a database older than the migration that adds bundles (a vault opens those too). */
  private bundleStatements(): BundleStatements | undefined {
    if (this.bundles === undefined) this.bundles = prepareBundleStatements(this.db) ?? null;
    return this.bundles ?? undefined;
  }

  /** The bundle's own id is its additional data, so a bundle cannot be swapped for another. */
  private sealBundle(bundle: number, secrets: Record<string, string>): ReturnType<typeof seal> {
    return seal(this.dataKey, Buffer.from(JSON.stringify(secrets), 'utf8'), `vault-bundle:${bundle}`);
  }

  private bundleOf(id: string): { bundle: number; secrets: Record<string, string> } | undefined {
    const statements = this.bundleStatements();
    const sealed = statements?.sealedOf.get(id);
    if (sealed === undefined) return undefined;
    const { bundle, iv, tag, ciphertext } = sealed;
    const last = this.lastOpened;
    if (last && last.bundle === bundle && last.iv.equals(iv) && last.tag.equals(tag) && last.ciphertext.equals(ciphertext)) return last;
    const secrets = JSON.parse(open(this.dataKey, iv, tag, ciphertext, `vault-bundle:${bundle}`).toString('utf8')) as Record<string, string>;
    this.lastOpened = { bundle, iv, tag, ciphertext, secrets };
    return this.lastOpened;
  }

  /** Drops `id` from its bundle and re-seals the rest, so a deleted secret is gone, not just unlisted. */
  private unbundle(id: string): boolean {
    const found = this.bundleOf(id);
    if (!found) return false;
    const statements = this.bundleStatements()!;
    // A removed secret does not stay readable in memory either.
    this.lastOpened = null;
    statements.removeMember.run(id);
    const { [id]: _dropped, ...rest } = found.secrets;
    if (Object.keys(rest).length === 0) statements.remove.run(found.bundle);
    else {
      const sealed = this.sealBundle(found.bundle, rest);
      statements.reseal.run(sealed.iv, sealed.tag, sealed.ciphertext, this.clock(), found.bundle);
    }
    return true;
  }
}
