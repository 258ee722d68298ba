import type { Db } from './database';

export type OutboxEntity = 'product' | 'device' | 'asset_tree' | 'asset_node' | 'placement' | 'topology';
export type OutboxOperation = 'create' | 'update' | 'delete';

export interface Change {
  entity: OutboxEntity;
  entityId: string;
  operation: OutboxOperation;
  /** JSON snapshot of the entity at this revision; never a secret. */
  payload: (revision: number) => object;
  /** `<entity>:<entity_id>` that must reach the target first (architecture §8). */
  dependsOn?: readonly string[];
}

/**
 * Writes one outbox row per registry change; the caller runs it inside the change's own
 * transaction. The revision is the row's own sequence number: one station-wide counter, so an
 * entity's revision only grows, also across delete and re-create, and idempotency keys never repeat.
 */
export class Outbox {
  private readonly lastSeq;
  private readonly insert;

  constructor(
    db: Db,
    private readonly stationId: string,
    private readonly clock: () => number,
  ) {
    this.lastSeq = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").pluck();
    this.insert = db.prepare(
      'INSERT INTO outbox (seq, entity, entity_id, operation, revision, idempotency_key, depends_on, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** The revision the next recorded change will get. */
  nextRevision(): number {
    return ((this.lastSeq.get() as number | undefined) ?? 0) + 1;
  }

  /** Records the change; returns its revision. */
  record(change: Change): number {
    const revision = this.nextRevision();
    this.insert.run(
      revision,
      change.entity,
      change.entityId,
      change.operation,
      revision,
      `${this.stationId}:${change.entity}:${change.entityId}:${revision}`,
      JSON.stringify(change.dependsOn ?? []),
      JSON.stringify(change.payload(revision)),
      this.clock(),
    );
    return revision;
  }
}
