import type { Logger } from '../core/logger';
import type { SyncFailure } from './failure';
import type { OutboxReader, PendingItem } from './outbox';
import { backoffMs, type BackoffOptions } from './pacing';
import type { SyncStore } from './store';
import type { SyncTarget } from './target';

export interface ProcessorOptions {
  targetName: string;
  store: SyncStore;
  reader: OutboxReader;
  target: SyncTarget;
  logger: Logger;
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
  backoff: BackoffOptions;
  /** Items in flight at once; items that depend on one another never overlap. */
  concurrency: number;
  /** Called after items finish (at most every `progressEveryMs`), and once at the end of a pass. */
  onProgress?: () => void;
  onConflict?: (conflictId: number) => void;
}

/** A drain ends when nothing more can be sent now; continuous sync is repeated drains (SyncService). */
export interface DrainOptions {
  signal?: AbortSignal;
  /** The longest wait (a Retry-After, a backoff) worth sitting out before the drain ends. */
  maxWaitMs: number;
}

export interface DrainSummary {
  delivered: number;
  failed: number;
  conflicts: number;
  retrying: number;
}

const PAGE = 500;
const PROGRESS_EVERY_MS = 250;

/**
 * Drains the outbox to one target (issue 10): rows in sequence order, each only once everything
 * it depends on has arrived; the outcome is recorded after the call (and, where the target could
 * not recognise a repeat, the attempt before it); the cursor moves past every finished row.
 */
export class SyncProcessor {
  private consecutiveFailures = 0;
  /** The target's pause as this processor set it, so the launch loop need not read it back per item. */
  private pausedUntil = 0;
  private lastProgress = 0;
  private readonly summary: DrainSummary = { delivered: 0, failed: 0, conflicts: 0, retrying: 0 };

  constructor(private readonly options: ProcessorOptions) {}

  async drain(drain: DrainOptions): Promise<DrainSummary> {
    const { store, reader, targetName, clock, sleep } = this.options;
    while (!drain.signal?.aborted) {
      const target = store.target(targetName);
      if (!target) break;
      const paused = target.pausedUntil - clock();
      if (paused > 0) {
        if (paused > drain.maxWaitMs) break;
        await sleep(paused);
        continue;
      }
      const { launched, nextWake, seen } = await this.pass(target.cursor, drain.signal);
      store.setCursor(targetName, reader.cursorAfter(targetName, target.cursor));
      this.options.onProgress?.();
      if (launched > 0) continue;
      // Nothing left, or only rows waiting on a failed or conflicting dependency.
      if (seen === 0 || nextWake === Infinity) break;
      const wait = nextWake - clock();
      if (wait > drain.maxWaitMs) break;
      await sleep(Math.max(1, wait));
    }
    this.summary.retrying = store.counts(targetName, store.target(targetName)?.cursor ?? 0).pending;
    return { ...this.summary };
  }

  /** One walk over the undelivered rows: launches every row that is due and whose dependencies arrived. */
  private async pass(cursor: number, signal: AbortSignal | undefined): Promise<{ launched: number; nextWake: number; seen: number }> {
    const { reader, targetName, clock, concurrency } = this.options;
    const inFlight = new Set<Promise<void>>();
    let launched = 0;
    let seen = 0;
    let nextWake = Infinity;
    for (let after = cursor; ; ) {
      const page = reader.candidates(targetName, after, PAGE);
      seen += page.length;
      for (const item of page) {
        if (signal?.aborted || this.pausedUntil > clock()) break;
        if (item.nextAttemptAt > clock()) {
          nextWake = Math.min(nextWake, item.nextAttemptAt);
          continue;
        }
        if (!reader.ready(targetName, cursor, item)) continue;
        while (inFlight.size >= concurrency) await Promise.race(inFlight);
        // Readiness is rechecked after the wait: a dependency may have been in flight.
        if (!reader.ready(targetName, cursor, item)) continue;
        const running = this.deliverOne(item).finally(() => inFlight.delete(running));
        inFlight.add(running);
        launched++;
      }
      if (page.length < PAGE) break;
      after = page.at(-1)!.seq;
    }
    await Promise.all(inFlight);
    return { launched, nextWake, seen };
  }

  private async deliverOne(item: PendingItem): Promise<void> {
    const { store, targetName, target, logger } = this.options;
    if (target.needsAttemptRecord(item)) store.markInflight(targetName, item.seq);
    const outcome = await target.deliver(item, {
      previousAttempts: item.attempts,
      force: item.force,
      mapping: (entity, localId) => store.mapping(targetName, entity, localId),
    });
    switch (outcome.kind) {
      case 'sent':
      case 'skipped':
        store.finish(targetName, item.seq, outcome.kind, { mappings: outcome.kind === 'sent' ? outcome.mappings : undefined, forget: outcome.kind === 'sent' ? outcome.forget : undefined });
        this.consecutiveFailures = 0;
        this.summary.delivered++;
        break;
      case 'conflict': {
        const failure: SyncFailure = { code: 'SYNC_CONFLICT', message: `${item.entity} ${item.entityId}: ${outcome.conflict.replace('_', ' ')}; choose which side to keep.`, retryable: false };
        const id = store.db.transaction(() => {
          const conflictId = store.addConflict(targetName, item.seq, outcome.conflict, outcome.local, outcome.cloud);
          store.finish(targetName, item.seq, 'conflict', { failure });
          return conflictId;
        })();
        this.summary.conflicts++;
        logger.warn('conflict', { target: targetName, seq: item.seq, entity: item.entity, entityId: item.entityId, kind: outcome.conflict });
        this.options.onConflict?.(id);
        break;
      }
      case 'failed':
        this.failed(item, outcome.failure);
        break;
    }
    this.progress();
  }

  private failed(item: PendingItem, failure: SyncFailure): void {
    const { store, targetName, clock, logger, backoff } = this.options;
    logger.info('item not delivered', { target: targetName, seq: item.seq, entity: item.entity, entityId: item.entityId, code: failure.code, retryable: failure.retryable });
    if (!failure.retryable) {
      store.finish(targetName, item.seq, 'failed', { failure });
      this.summary.failed++;
      return;
    }
    const attempt = item.attempts + 1;
    const wait = failure.retryAfterMs ?? backoffMs(attempt, backoff, this.options.random);
    // The whole target waits on a 429 or a dead link: every other item would meet the same.
    if (failure.code === 'SYNC_RATE_LIMITED' || failure.code === 'SYNC_UNREACHABLE') {
      this.consecutiveFailures++;
      this.pausedUntil = Math.max(this.pausedUntil, clock() + (failure.retryAfterMs ?? backoffMs(this.consecutiveFailures, backoff, this.options.random)));
      store.pauseUntil(targetName, this.pausedUntil);
    }
    store.finish(targetName, item.seq, 'retry', { failure, nextAttemptAt: clock() + wait });
  }

  private progress(): void {
    const now = this.options.clock();
    if (now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    this.options.onProgress?.();
  }
}
