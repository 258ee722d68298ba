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

/** A device's counters, its product's, and those of the protocol it used (mqtt, http, coap…). */
export interface StatsTarget {
  device: Counters;
  product: Counters;
  protocol?: Counters;
}

export interface StatsSnapshot {
  time: number;
  online: number;
  totals: Counters;
  /** The same counters per listener kind, so each protocol is counted separately (issue 6). */
  protocols: Record<string, Counters>;
  products: Record<string, Counters>;
  /** The busiest devices by messages in (at most `limit`). */
  devices: Array<{ productKey: string; deviceKey: string } & Counters>;
}

export class HubStats {
  readonly totals = newCounters();
  private readonly products = new Map<string, Counters>();
  private readonly protocols = new Map<string, Counters>();
  private readonly devices = new Map<string, Counters & { productKey: string; deviceKey: string }>();

  /** The counters of one protocol, created on first use. */
  protocol(kind: string): Counters {
    let counters = this.protocols.get(kind);
    if (!counters) {
      counters = newCounters();
      this.protocols.set(kind, counters);
    }
    return counters;
  }

  /** The counters of one device (and its product, and the protocol it uses), created on first use. */
  entry(productKey: string, deviceKey: string, protocol?: string): StatsTarget {
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
    return { device, product, ...(protocol ? { protocol: this.protocol(protocol) } : {}) };
  }

  messageIn(target: StatsTarget, bytes: number): void {
    if (target.protocol) {
      target.protocol.messagesIn++;
      target.protocol.bytesIn += bytes;
    }
    target.device.messagesIn++;
    target.product.messagesIn++;
    this.totals.messagesIn++;
    target.device.bytesIn += bytes;
    target.product.bytesIn += bytes;
    this.totals.bytesIn += bytes;
  }

  messageOut(target: StatsTarget, bytes: number): void {
    if (target.protocol) {
      target.protocol.messagesOut++;
      target.protocol.bytesOut += bytes;
    }
    target.device.messagesOut++;
    target.product.messagesOut++;
    this.totals.messagesOut++;
    target.device.bytesOut += bytes;
    target.product.bytesOut += bytes;
    this.totals.bytesOut += bytes;
  }

  connect(target: StatsTarget): void {
    if (target.protocol) target.protocol.connects++;
    target.device.connects++;
    target.product.connects++;
    this.totals.connects++;
  }

  error(target: StatsTarget | null, code: number, protocol?: string): void {
    const key = String(code);
    const protocolCounters = target?.protocol ?? (protocol ? this.protocol(protocol) : null);
    if (protocolCounters) bump(protocolCounters.errors, key);
    if (target) {
      bump(target.device.errors, key);
      bump(target.product.errors, key);
    }
    bump(this.totals.errors, key);
  }

  /** A refusal; logins of unknown devices count only in the totals (no entry per guessed key). */
  refusal(target: StatsTarget | null, reason: string, protocol?: string): void {
    const protocolCounters = target?.protocol ?? (protocol ? this.protocol(protocol) : null);
    if (protocolCounters) bump(protocolCounters.refusals, reason);
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
      protocols: Object.fromEntries([...this.protocols].map(([key, counters]) => [key, copy(counters)])),
      products: Object.fromEntries([...this.products].map(([key, counters]) => [key, copy(counters)])),
      devices: devices.map((device) => ({ ...device, errors: { ...device.errors }, refusals: { ...device.refusals } })),
    };
  }
}
