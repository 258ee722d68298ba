import type Database from 'better-sqlite3';
import type { Db } from '../registry/database';
import type { SyncFailure } from './failure';
import type { DeliveryState } from './outbox';
import type { ConflictKind, Mapping } from './target';

export interface TargetRow {
  name: string;
  kind: 'enos' | 'hub';
  config: Record<string, unknown>;
  rate: number;
  burst: number;
  cursor: number;
  pausedUntil: number;
  lastError: { code: string; message: string; seq?: number; at: number } | null;
  createdAt: number;
}

export interface ConflictRow {
  id: number;
  target: string;
  seq: number;
  kind: ConflictKind;
  local: unknown;
  cloud: unknown;
  createdAt: number;
  resolution: 'keep_local' | 'keep_cloud' | null;
}

interface RawTarget {
  name: string;
  kind: 'enos' | 'hub';
  config: string;
  rate: number;
  burst: number;
  cursor: number;
  paused_until: number;
  last_error: string | null;
  created_at: number;
}

function toTarget(row: RawTarget): TargetRow {
  return {
    name: row.name,
    kind: row.kind,
    config: JSON.parse(row.config) as Record<string, unknown>,
    rate: row.rate,
    burst: row.burst,
    cursor: row.cursor,
    pausedUntil: row.paused_until,
    lastError: row.last_error ? (JSON.parse(row.last_error) as TargetRow['lastError']) : null,
    createdAt: row.created_at,
  };
}

/** The sync tables of migration 007: targets, delivery states, mappings and conflicts. */
export class SyncStore {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    readonly db: Db,
    private readonly clock: () => number,
  ) {}

  /** Each statement is prepared once: the processor runs several per item. */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  addTarget(target: Pick<TargetRow, 'name' | 'kind' | 'config' | 'rate' | 'burst'>): boolean {
    const result = this.sql('INSERT OR IGNORE INTO sync_targets (name, kind, config, rate, burst, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(target.name, target.kind, JSON.stringify(target.config), target.rate, target.burst, this.clock());
    return result.changes > 0;
  }

  removeTarget(name: string): boolean {
    return this.sql('DELETE FROM sync_targets WHERE name = ?').run(name).changes > 0;
  }

  target(name: string): TargetRow | undefined {
    const row = this.sql('SELECT * FROM sync_targets WHERE name = ?').get(name) as RawTarget | undefined;
    return row ? toTarget(row) : undefined;
  }

  targets(): TargetRow[] {
    return (this.sql('SELECT * FROM sync_targets ORDER BY name').all() as RawTarget[]).map(toTarget);
  }

  /**
   * Recorded before a call leaves, for items whose lost answer the target could not recognise
   * on a retry: a crash mid-call then leaves an attempt whose outcome is known to be unknown.
   */
  markInflight(target: string, seq: number): void {
    this.sql(
        `INSERT INTO sync_deliveries (target, seq, state, attempts, updated_at) VALUES (?, ?, 'inflight', 1, ?)
         ON CONFLICT (target, seq) DO UPDATE SET state = 'inflight', attempts = attempts + 1, updated_at = excluded.updated_at`,
      )
      .run(target, seq, this.clock());
  }

  /** The outcome of one item, its mappings and the target's error in one transaction. */
  finish(target: string, seq: number, state: DeliveryState, details: { failure?: SyncFailure; nextAttemptAt?: number; mappings?: Mapping[]; forget?: { entity: string; localId: string }[] }): void {
    const now = this.clock();
    this.db.transaction(() => {
      // An attempt recorded in flight was counted then; any other attempt is counted here.
      this.sql(
        `INSERT INTO sync_deliveries (target, seq, state, attempts, next_attempt_at, error_code, error_message, updated_at) VALUES (@target, @seq, @state, 1, @next, @code, @message, @now)
         ON CONFLICT (target, seq) DO UPDATE SET state = excluded.state, next_attempt_at = excluded.next_attempt_at, error_code = excluded.error_code,
           error_message = excluded.error_message, updated_at = excluded.updated_at,
           attempts = CASE WHEN sync_deliveries.state = 'inflight' THEN sync_deliveries.attempts ELSE sync_deliveries.attempts + 1 END,
           force = CASE WHEN excluded.state IN ('sent', 'skipped') THEN 0 ELSE sync_deliveries.force END`,
      ).run({ target, seq, state, next: details.nextAttemptAt ?? 0, code: details.failure?.code ?? null, message: details.failure?.message ?? null, now });
      for (const mapping of details.mappings ?? []) this.putMapping(target, mapping);
      for (const gone of details.forget ?? []) this.sql('DELETE FROM sync_mappings WHERE target = ? AND entity = ? AND local_id = ?').run(target, gone.entity, gone.localId);
      if (details.failure) this.setLastError(target, { code: details.failure.code, message: details.failure.message, seq, at: now });
    })();
  }

  setLastError(target: string, error: TargetRow['lastError']): void {
    this.sql('UPDATE sync_targets SET last_error = ? WHERE name = ?').run(error ? JSON.stringify(error) : null, target);
  }

  /**
   * One process delivers to a target at a time: the claim holds while its process lives, so a
   * `sync run` killed with -9 never blocks the next one.
   */
  claimRunner(target: string, pid: number, alive: (pid: number) => boolean): { claimed: true } | { claimed: false; holder: number } {
    return this.db.transaction(() => {
      const holder = this.sql('SELECT runner_pid FROM sync_targets WHERE name = ?').pluck().get(target) as number | null | undefined;
      if (holder !== null && holder !== undefined && holder !== pid && alive(holder)) return { claimed: false as const, holder };
      this.sql('UPDATE sync_targets SET runner_pid = ? WHERE name = ?').run(pid, target);
      return { claimed: true as const };
    }).immediate();
  }

  releaseRunner(target: string, pid: number): void {
    this.sql('UPDATE sync_targets SET runner_pid = NULL WHERE name = ? AND runner_pid = ?').run(target, pid);
  }

  /** False while the database has no sync tables (migration 007 not applied). */
  hasTables(): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_targets'").get() !== undefined;
  }

  setCursor(target: string, cursor: number): void {
    this.sql('UPDATE sync_targets SET cursor = ? WHERE name = ? AND cursor < ?').run(cursor, target, cursor);
  }

  pauseUntil(target: string, until: number): void {
    this.sql('UPDATE sync_targets SET paused_until = MAX(paused_until, ?) WHERE name = ?').run(until, target);
  }

  mapping(target: string, entity: string, localId: string): Mapping | undefined {
    const row = this.sql('SELECT cloud_id, cloud_state FROM sync_mappings WHERE target = ? AND entity = ? AND local_id = ?').get(target, entity, localId) as
      | { cloud_id: string; cloud_state: string | null }
      | undefined;
    return row ? { entity, localId, cloudId: row.cloud_id, cloudState: row.cloud_state === null ? undefined : JSON.parse(row.cloud_state) } : undefined;
  }

  /** The local id whose counterpart at the target is `cloudId`. */
  localIdOf(target: string, entity: string, cloudId: string): string | undefined {
    return this.sql('SELECT local_id FROM sync_mappings WHERE target = ? AND entity = ? AND cloud_id = ?').pluck().get(target, entity, cloudId) as string | undefined;
  }

  putMapping(target: string, mapping: Mapping): void {
    this.sql(
        `INSERT INTO sync_mappings (target, entity, local_id, cloud_id, cloud_state, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (target, entity, local_id) DO UPDATE SET cloud_id = excluded.cloud_id, cloud_state = excluded.cloud_state, updated_at = excluded.updated_at`,
      )
      .run(target, mapping.entity, mapping.localId, mapping.cloudId, mapping.cloudState === undefined ? null : JSON.stringify(mapping.cloudState), this.clock());
  }

  addConflict(target: string, seq: number, kind: ConflictKind, local: unknown, cloud: unknown): number {
    return Number(
      this.sql('INSERT INTO sync_conflicts (target, seq, kind, local, cloud, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(target, seq, kind, JSON.stringify(local), JSON.stringify(cloud ?? null), this.clock()).lastInsertRowid,
    );
  }

  conflicts(options: { open?: boolean } = {}): ConflictRow[] {
    const rows = this.sql(`SELECT * FROM sync_conflicts ${options.open ? 'WHERE resolution IS NULL' : ''} ORDER BY id`).all() as {
      id: number;
      target: string;
      seq: number;
      kind: ConflictKind;
      local: string;
      cloud: string | null;
      created_at: number;
      resolution: ConflictRow['resolution'];
    }[];
    return rows.map((row) => ({ id: row.id, target: row.target, seq: row.seq, kind: row.kind, local: JSON.parse(row.local), cloud: row.cloud ? JSON.parse(row.cloud) : null, createdAt: row.created_at, resolution: row.resolution }));
  }

  /**
   * A person's choice on a conflict: keep local re-sends the item overwriting the target; keep
   * cloud accepts what the target holds and marks the item skipped. Refuses a resolved conflict.
   */
  resolveConflict(id: number, keep: 'local' | 'cloud'): ConflictRow | undefined {
    return this.db.transaction(() => {
      const conflict = this.conflicts().find((row) => row.id === id && row.resolution === null);
      if (!conflict) return undefined;
      const now = this.clock();
      this.sql('UPDATE sync_conflicts SET resolution = ?, resolved_at = ? WHERE id = ?').run(keep === 'local' ? 'keep_local' : 'keep_cloud', now, id);
      if (keep === 'local') {
        this.sql("UPDATE sync_deliveries SET state = 'retry', force = 1, next_attempt_at = 0, updated_at = ? WHERE target = ? AND seq = ?").run(now, conflict.target, conflict.seq);
      } else {
        this.sql("UPDATE sync_deliveries SET state = 'skipped', error_code = NULL, error_message = NULL, updated_at = ? WHERE target = ? AND seq = ?").run(now, conflict.target, conflict.seq);
      }
      return { ...conflict, resolution: keep === 'local' ? 'keep_local' : 'keep_cloud' };
    })() as ConflictRow | undefined;
  }

  /** Failed items go back to the queue (after the person fixed the cause, or pulled what was missing). */
  retryFailed(target: string): number {
    return this.sql("UPDATE sync_deliveries SET state = 'retry', next_attempt_at = 0, updated_at = ? WHERE target = ? AND state = 'failed'").run(this.clock(), target).changes;
  }

  counts(target: string, cursor: number): { pending: number; sent: number; skipped: number; failed: number; conflicts: number } {
    const states = this.sql('SELECT state, COUNT(*) AS n FROM sync_deliveries WHERE target = ? GROUP BY state').all(target) as { state: DeliveryState; n: number }[];
    const by = Object.fromEntries(states.map((row) => [row.state, row.n])) as Partial<Record<DeliveryState, number>>;
    const untouched = (
      this.sql('SELECT COUNT(*) AS n FROM outbox o WHERE o.seq > ? AND NOT EXISTS (SELECT 1 FROM sync_deliveries d WHERE d.target = ? AND d.seq = o.seq)').get(cursor, target) as { n: number }
    ).n;
    return { pending: untouched + (by.inflight ?? 0) + (by.retry ?? 0), sent: by.sent ?? 0, skipped: by.skipped ?? 0, failed: by.failed ?? 0, conflicts: by.conflict ?? 0 };
  }
}
