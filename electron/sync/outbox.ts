import type { Db } from '../registry/database';

/** One row of the registry's outbox (migration 002), parsed. */
export interface OutboxItem {
  seq: number;
  entity: 'product' | 'device' | 'asset_tree' | 'asset_node' | 'placement' | 'topology';
  entityId: string;
  operation: 'create' | 'update' | 'delete';
  revision: number;
  idempotencyKey: string;
  /** `<entity>:<entity_id>` keys that must reach the target first. */
  dependsOn: string[];
  payload: Record<string, unknown>;
  createdAt: number;
}

export type DeliveryState = 'inflight' | 'retry' | 'sent' | 'skipped' | 'failed' | 'conflict';

/** An outbox row this target still has to deliver, with what earlier attempts left behind. */
export interface PendingItem extends OutboxItem {
  state: DeliveryState | null;
  attempts: number;
  nextAttemptAt: number;
  force: boolean;
}

interface OutboxRow {
  seq: number;
  entity: OutboxItem['entity'];
  entity_id: string;
  operation: OutboxItem['operation'];
  revision: number;
  idempotency_key: string;
  depends_on: string;
  payload: string;
  created_at: number;
  state: DeliveryState | null;
  attempts: number | null;
  next_attempt_at: number | null;
  force: number | null;
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toPending(row: OutboxRow): PendingItem {
  return {
    seq: row.seq,
    entity: row.entity,
    entityId: row.entity_id,
    operation: row.operation,
    revision: row.revision,
    idempotencyKey: row.idempotency_key,
    dependsOn: parseJson<string[]>(row.depends_on, []),
    payload: parseJson<Record<string, unknown>>(row.payload, {}),
    createdAt: row.created_at,
    state: row.state,
    attempts: row.attempts ?? 0,
    nextAttemptAt: row.next_attempt_at ?? 0,
    force: row.force === 1,
  };
}

const DONE = "('sent', 'skipped')";

/** Reads the outbox from one target's point of view: what is left, and whether an item may go now. */
export class OutboxReader {
  private readonly candidatesStatement;
  private readonly openEarlierStatement;
  private readonly firstOpenStatement;
  private readonly lastSeqStatement;

  constructor(db: Db) {
    this.candidatesStatement = db.prepare(
      `SELECT o.*, d.state, d.attempts, d.next_attempt_at, d.force FROM outbox o
       LEFT JOIN sync_deliveries d ON d.target = @target AND d.seq = o.seq
       WHERE o.seq > @after AND (d.state IS NULL OR d.state IN ('inflight', 'retry'))
       ORDER BY o.seq LIMIT @limit`,
    );
    // An earlier row of the same entity not yet delivered (a dependency, or its own create before an update).
    this.openEarlierStatement = db.prepare(
      `SELECT o.seq FROM outbox o LEFT JOIN sync_deliveries d ON d.target = @target AND d.seq = o.seq
       WHERE o.entity = @entity AND o.entity_id = @entityId AND o.seq > @cursor AND o.seq < @seq
         AND (d.state IS NULL OR d.state NOT IN ${DONE}) LIMIT 1`,
    );
    this.firstOpenStatement = db.prepare(
      `SELECT MIN(o.seq) AS seq FROM outbox o LEFT JOIN sync_deliveries d ON d.target = @target AND d.seq = o.seq
       WHERE o.seq > @cursor AND (d.state IS NULL OR d.state NOT IN ${DONE})`,
    );
    this.lastSeqStatement = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM outbox');
  }

  /** Undelivered rows after `after` (the cursor, or the last row looked at), oldest first. */
  candidates(target: string, after: number, limit: number): PendingItem[] {
    return (this.candidatesStatement.all({ target, after, limit }) as OutboxRow[]).map(toPending);
  }

  /**
   * True when everything the item depends on has reached the target: every `depends_on` entity
   * and every earlier row of the item's own entity (create before update before delete).
   */
  ready(target: string, cursor: number, item: OutboxItem): boolean {
    const keys = [`${item.entity}:${item.entityId}`, ...item.dependsOn];
    return keys.every((key) => {
      const colon = key.indexOf(':');
      const entity = key.slice(0, colon);
      const entityId = key.slice(colon + 1);
      return this.openEarlierStatement.get({ target, entity, entityId, cursor, seq: item.seq }) === undefined;
    });
  }

  /** The new cursor: the last seq before the first row that is not yet done. */
  cursorAfter(target: string, cursor: number): number {
    const first = (this.firstOpenStatement.get({ target, cursor }) as { seq: number | null }).seq;
    return first === null ? (this.lastSeqStatement.get() as { seq: number }).seq : first - 1;
  }
}
