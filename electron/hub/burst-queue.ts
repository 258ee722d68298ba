/** Queued changes are written once none came for this long (a burst is over)… */
const QUIET_MS = 1000;
/** …and at the latest this long after the first of them; also the wait before a failed write is tried again. */
const MAX_DELAY_MS = 10_000;
/** A queue larger than one batch is written a batch per tick. */
const TICK_MS = 100;

/**
 * Keyed changes, the newest per key, written off the hot path in batches once a burst of them is
 * over (at the latest 10 s after it began): a connect storm costs a few commits, not one per login.
 * `write` answers false when a batch could not be written (a full disk): the batch stays queued,
 * behind any newer change for the same key, and is tried again 10 s later.
 */
export class BurstQueue<T> {
  private readonly queued = new Map<string, T>();
  private timer: NodeJS.Timeout | null = null;
  /** Monotonic times (ms) of the first and the latest change of the burst. */
  private firstQueuedAt = 0;
  private lastQueuedAt = 0;

  constructor(
    private readonly write: (batch: T[]) => boolean,
    private readonly batchSize = Infinity,
  ) {}

  put(key: string, change: T): void {
    this.queued.set(key, change);
    this.lastQueuedAt = performance.now();
    if (this.timer) return;
    this.firstQueuedAt = this.lastQueuedAt;
    this.schedule(QUIET_MS);
  }

  /** Writes what is queued now; what a failed write leaves is tried again later. */
  flush(): void {
    this.cancel();
    while (this.queued.size > 0) if (!this.writeBatch()) return this.schedule(MAX_DELAY_MS);
  }

  /** Writes what it can and stops trying (the store is closing); what is left is not written. */
  close(): void {
    this.flush();
    this.cancel();
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => this.due(), ms);
    this.timer.unref();
  }

  private due(): void {
    this.timer = null;
    const now = performance.now();
    const sinceLast = now - this.lastQueuedAt;
    const sinceFirst = now - this.firstQueuedAt;
    if (sinceLast < QUIET_MS && sinceFirst < MAX_DELAY_MS) return this.schedule(Math.min(QUIET_MS - sinceLast, MAX_DELAY_MS - sinceFirst));
    if (!this.writeBatch()) return this.schedule(MAX_DELAY_MS);
    if (this.queued.size > 0) this.schedule(TICK_MS);
  }

  /** The oldest changes, up to a batch; false when they could not be written (they are queued again). */
  private writeBatch(): boolean {
    const batch = new Map<string, T>();
    for (const [key, change] of this.queued) {
      if (batch.size >= this.batchSize) break;
      batch.set(key, change);
      this.queued.delete(key);
    }
    if (this.write([...batch.values()])) return true;
    for (const [key, change] of batch) if (!this.queued.has(key)) this.queued.set(key, change);
    return false;
  }
}
