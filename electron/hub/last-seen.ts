import type { Statement } from 'better-sqlite3';
import type { Logger } from '../core/logger';
import { isDiskFull, type Db } from '../registry/database';
import type { OfflineReason, SessionView } from './session';

export interface LastSeen {
  productKey: string;
  deviceKey: string;
  connectedAt: number;
  disconnectedAt: number | null;
  reason: OfflineReason | null;
  listener: string;
  address: string | null;
  via: string | null;
}

interface Row {
  productKey: string;
  deviceKey: string;
  connectedAt: number;
  disconnectedAt: number | null;
  reason: string | null;
  listener: string;
  address: string | null;
  via: string | null;
}

/** Queued session changes are written once none came for this long (a connect burst is over)… */
const QUIET_MS = 1000;
/** …and at the latest this long after the first of them; also the wait before a retry on a full disk. */
const MAX_DELAY_MS = 10_000;

/**
 * Each device's last session in `hub_last_seen` (migration 003). Session changes are queued
 * (latest per device wins) and written in one transaction when a burst of them is over, at the
 * latest 10 s after it began: a connect storm costs a few batched writes, not one per login, and
 * a device that logs in and out within the burst is written once. On a full disk the changes stay
 * queued (a newer one for the same device still wins) and are tried again later.
 */
export class LastSeenLog {
  private readonly queued = new Map<string, LastSeen>();
  private timer: NodeJS.Timeout | null = null;
  /** Monotonic times (ms) of the first and the latest queued change. */
  private firstQueuedAt = 0;
  private lastQueuedAt = 0;
  /** Prepared on the first write, then kept: a connect storm writes a row per device. */
  private upsert: Statement<[string, string, number, number | null, string | null, string, string | null, string | null]> | null = null;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  record(session: SessionView, online: boolean, reason: OfflineReason | undefined, now: number): void {
    this.queued.set(`${session.productKey}/${session.deviceKey}`, {
      productKey: session.productKey,
      deviceKey: session.deviceKey,
      connectedAt: session.connectedAt,
      disconnectedAt: online ? null : now,
      reason: online ? null : (reason ?? null),
      listener: session.listener,
      address: session.address,
      via: session.via,
    });
    this.lastQueuedAt = performance.now();
    if (this.timer) return;
    this.firstQueuedAt = this.lastQueuedAt;
    this.writeWhenQuiet(QUIET_MS);
  }

  private writeWhenQuiet(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      const sinceLast = performance.now() - this.lastQueuedAt;
      const sinceFirst = performance.now() - this.firstQueuedAt;
      if (sinceLast < QUIET_MS && sinceFirst < MAX_DELAY_MS) this.writeWhenQuiet(Math.min(QUIET_MS - sinceLast, MAX_DELAY_MS - sinceFirst));
      else this.flush();
    }, ms);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queued.size === 0 || !this.db.open) return;
    const rows = [...this.queued.values()];
    this.queued.clear();
    // Positional parameters: binding them by name costs a property lookup each.
    const upsert = (this.upsert ??= this.db.prepare(
      `INSERT INTO hub_last_seen (product_key, device_key, connected_at, disconnected_at, reason, listener, address, via)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (product_key, device_key) DO UPDATE SET connected_at = excluded.connected_at, disconnected_at = excluded.disconnected_at,
         reason = excluded.reason, listener = excluded.listener, address = excluded.address, via = excluded.via`,
    ));
    try {
      this.db.transaction(() => {
        for (const row of rows) upsert.run(row.productKey, row.deviceKey, row.connectedAt, row.disconnectedAt, row.reason, row.listener, row.address, row.via);
      })();
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      for (const row of rows) {
        const key = `${row.productKey}/${row.deviceKey}`;
        if (!this.queued.has(key)) this.queued.set(key, row);
      }
      this.logger.warn('last-seen times not yet recorded: the disk is full; they are tried again', { devices: this.queued.size });
      this.writeWhenQuiet(MAX_DELAY_MS);
    }
  }

  /** One device's last session, or the most recent ones. */
  list(device: { productKey: string; deviceKey: string } | null, limit: number): LastSeen[] {
    this.flush();
    const select = `SELECT product_key AS productKey, device_key AS deviceKey, connected_at AS connectedAt, disconnected_at AS disconnectedAt,
      reason, listener, address, via FROM hub_last_seen`;
    const rows = device
      ? this.db.prepare<[string, string], Row>(`${select} WHERE product_key = ? AND device_key = ?`).all(device.productKey, device.deviceKey)
      : this.db.prepare<[number], Row>(`${select} ORDER BY COALESCE(disconnected_at, connected_at) DESC LIMIT ?`).all(limit);
    return rows.map((row) => ({ ...row, reason: row.reason as OfflineReason | null }));
  }
}
