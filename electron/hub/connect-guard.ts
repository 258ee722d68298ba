/**
 * Our own guard against runaway reconnect loops (EnOS publishes no such rule, protocol reference
 * §9): at most `maxConnects` logins of one device per `windowMs`. Off unless configured. The
 * reconnect right after a dynamic activation is never counted (§3.7 step 4).
 */

export interface ConnectGuardOptions {
  maxConnects: number;
  windowMs: number;
}

export class ConnectGuard {
  private readonly recent = new Map<string, number[]>();
  private readonly exempt = new Set<string>();
  /** Devices refused by the guard, with the time of the last refusal (shown in statistics). */
  readonly blocked = new Map<string, number>();

  constructor(
    private readonly options: ConnectGuardOptions | null,
    private readonly clock: () => number,
  ) {}

  get enabled(): boolean {
    return this.options !== null;
  }

  /** Counts a login and says whether it may proceed. */
  allow(deviceId: string): boolean {
    if (!this.options) return true;
    if (this.exempt.delete(deviceId)) return true;
    const now = this.clock();
    const since = now - this.options.windowMs;
    const times = (this.recent.get(deviceId) ?? []).filter((time) => time > since);
    if (times.length >= this.options.maxConnects) {
      this.recent.set(deviceId, times);
      this.blocked.set(deviceId, now);
      return false;
    }
    times.push(now);
    this.recent.set(deviceId, times);
    this.blocked.delete(deviceId);
    return true;
  }

  /** The next login of this device is not counted (it follows an activation). */
  exemptNext(deviceId: string): void {
    if (this.options) this.exempt.add(deviceId);
  }
}
