import type { SyncFailure } from './failure';
import type { OutboxItem } from './outbox';

export type ConflictKind = 'other_product' | 'changed_remotely' | 'deleted_remotely' | 'newer_elsewhere';

/** A local id's counterpart at the target, with what the target held after our last write. */
export interface Mapping {
  entity: string;
  localId: string;
  cloudId: string;
  cloudState?: unknown;
}

/** What delivering one outbox row came to. Nothing counts as delivered unless it is `sent` or `skipped`. */
export type DeliveryOutcome =
  | { kind: 'sent'; mappings?: Mapping[]; forget?: { entity: string; localId: string }[] }
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; failure: SyncFailure }
  | { kind: 'conflict'; conflict: ConflictKind; local: unknown; cloud: unknown };

/** What a target may know while delivering: earlier attempts, the person's choice, the id mappings. */
export interface DeliveryContext {
  /** Attempts before this one; above 0 the outcome of an earlier create may be unknown. */
  previousAttempts: number;
  /** A conflict on this row was resolved "keep local": overwrite what the target holds. */
  force: boolean;
  mapping(entity: string, localId: string): Mapping | undefined;
}

/** One destination of the outbox (EnOS, a central Commissioner hub). */
export interface SyncTarget {
  deliver(item: OutboxItem, context: DeliveryContext): Promise<DeliveryOutcome>;
  /**
   * True when a repeated call could not tell that an earlier one succeeded (a create that takes
   * no client key): the processor then records the attempt durably before the call leaves.
   */
  needsAttemptRecord(item: OutboxItem): boolean;
}
