import type { Db } from '../registry/database';
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

/** How often queued session changes are written, in one transaction. */
const FLUSH_MS = 2000;

/**
 * Each device's last session in `hub_last_seen` (migration 003). Session changes are queued
 * (latest per device wins) and written in one transaction every two seconds, so a connect storm
 * costs a few batched writes, not one per login.
 */
export class LastSeenLog {
  private readonly queued = new Map<string, LastSeen>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly db: Db) {}

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
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queued.size === 0 || !this.db.open) return;
    const rows = [...this.queued.values()];
    this.queued.clear();
    const upsert = this.db.prepare(
      `INSERT INTO hub_last_seen (product_key, device_key, connected_at, disconnected_at, reason, listener, address, via)
       VALUES (@productKey, @deviceKey, @connectedAt, @disconnectedAt, @reason, @listener, @address, @via)
       ON CONFLICT (product_key, device_key) DO UPDATE SET connected_at = excluded.connected_at, disconnected_at = excluded.disconnected_at,
         reason = excluded.reason, listener = excluded.listener, address = excluded.address, via = excluded.via`,
    );
    this.db.transaction(() => {
      for (const row of rows) upsert.run(row);
    })();
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
