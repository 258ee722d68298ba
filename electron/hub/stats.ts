/**
 * Hub statistics (issue 5 "Statistics"): plain counters per product and per device, bumped on the
 * hot path without allocation once a device has its entry; snapshots are taken on demand.
 */

export interface Counters {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  connects: number;
  /** EnOS return codes other than 200 sent to devices, by code. */
  errors: Record<string, number>;
  /** Refused logins, subscriptions and publishes, by reason. */
  refusals: Record<string, number>;
}

function newCounters(): Counters {
  return { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, connects: 0, errors: {}, refusals: {} };
}

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

export interface StatsSnapshot {
  time: number;
  online: number;
  totals: Counters;
  products: Record<string, Counters>;
  /** The busiest devices by messages in (at most `limit`). */
  devices: Array<{ productKey: string; deviceKey: string } & Counters>;
}

export class HubStats {
  readonly totals = newCounters();
  private readonly products = new Map<string, Counters>();
  private readonly devices = new Map<string, Counters & { productKey: string; deviceKey: string }>();

  /** The counters of one device (and its product), created on first use. */
  entry(productKey: string, deviceKey: string): { device: Counters; product: Counters } {
    const id = `${productKey}/${deviceKey}`;
    let device = this.devices.get(id);
    if (!device) {
      device = { productKey, deviceKey, ...newCounters() };
      this.devices.set(id, device);
    }
    let product = this.products.get(productKey);
    if (!product) {
      product = newCounters();
      this.products.set(productKey, product);
    }
    return { device, product };
  }

  messageIn(target: { device: Counters; product: Counters }, bytes: number): void {
    target.device.messagesIn++;
    target.product.messagesIn++;
    this.totals.messagesIn++;
    target.device.bytesIn += bytes;
    target.product.bytesIn += bytes;
    this.totals.bytesIn += bytes;
  }

  messageOut(target: { device: Counters; product: Counters }, bytes: number): void {
    target.device.messagesOut++;
    target.product.messagesOut++;
    this.totals.messagesOut++;
    target.device.bytesOut += bytes;
    target.product.bytesOut += bytes;
    this.totals.bytesOut += bytes;
  }

  connect(target: { device: Counters; product: Counters }): void {
    target.device.connects++;
    target.product.connects++;
    this.totals.connects++;
  }

  error(target: { device: Counters; product: Counters } | null, code: number): void {
    const key = String(code);
    if (target) {
      bump(target.device.errors, key);
      bump(target.product.errors, key);
    }
    bump(this.totals.errors, key);
  }

  /** A refusal; logins of unknown devices count only in the totals (no entry per guessed key). */
  refusal(target: { device: Counters; product: Counters } | null, reason: string): void {
    if (target) {
      bump(target.device.refusals, reason);
      bump(target.product.refusals, reason);
    }
    bump(this.totals.refusals, reason);
  }

  has(productKey: string, deviceKey: string): boolean {
    return this.devices.has(`${productKey}/${deviceKey}`);
  }

  snapshot(time: number, online: number, limit = 100): StatsSnapshot {
    const copy = (counters: Counters): Counters => ({ ...counters, errors: { ...counters.errors }, refusals: { ...counters.refusals } });
    const devices = [...this.devices.values()].sort((a, b) => b.messagesIn - a.messagesIn).slice(0, limit);
    return {
      time,
      online,
      totals: copy(this.totals),
      products: Object.fromEntries([...this.products].map(([key, counters]) => [key, copy(counters)])),
      devices: devices.map((device) => ({ ...device, errors: { ...device.errors }, refusals: { ...device.refusals } })),
    };
  }
}
