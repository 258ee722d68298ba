import type { Statement } from 'better-sqlite3';
import type { Logger } from '../core/logger';
import { isDiskFull, type Db } from '../registry/database';
import { BurstQueue } from './burst-queue';
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

/**
 * Each device's last session in `hub_last_seen` (migration 003). Session changes are queued
 * (latest per device wins) and written in one transaction when a burst of them is over
 * (`BurstQueue`): a device that logs in and out within the burst is written once. On a full disk
 * the changes stay queued and are tried again later.
 */
export class LastSeenLog {
  private readonly queue = new BurstQueue<LastSeen>((rows) => this.write(rows));
  /** Prepared on the first write, then kept: a connect storm writes a row per device. */
  private upsert: Statement<[string, string, number, number | null, string | null, string, string | null, string | null]> | null = null;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  record(session: SessionView, online: boolean, reason: OfflineReason | undefined, now: number): void {
    this.queue.put(`${session.productKey}/${session.deviceKey}`, {
      productKey: session.productKey,
      deviceKey: session.deviceKey,
      connectedAt: session.connectedAt,
      disconnectedAt: online ? null : now,
      reason: online ? null : (reason ?? null),
      listener: session.listener,
      address: session.address,
      via: session.via,
    });
  }

  /** Writes what is queued now (on a full disk it is tried again later). */
  flush(): void {
    this.queue.flush();
  }

  /** Writes what is queued and stops (the hub stops). */
  close(): void {
    this.queue.close();
  }

  /** False on a full disk: the rows stay queued. Rows for a closed database (after stop) are dropped. */
  private write(rows: LastSeen[]): boolean {
    if (!this.db.open) return true;
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
      return true;
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      this.logger.warn('last-seen times not yet recorded: the disk is full; they are tried again', { devices: rows.length });
      return false;
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
