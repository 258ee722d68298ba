/**
 * Pacing of calls to one target (issue 10): a token bucket, exponential backoff with jitter and
 * Retry-After. EnOS publishes no API rate (protocol reference §11.2), so the default is
 * deliberately conservative: 5 calls per second with a burst of 5. A target's rate and burst are
 * set with `sync target add … --rate R --burst B`.
 */
export const DEFAULT_RATE = 5;
export const DEFAULT_BURST = 5;

/**
 * A token bucket that reserves ahead: `reserve()` always takes a token and returns how long the
 * caller must wait before using it, so calls leave at exactly `rate` per second once the burst is
 * spent and never faster. It starts with one token, not a full burst: a processor restarted after
 * a crash cannot know what its predecessor sent within the cloud's window, so a burst is earned by
 * being idle, never taken at start.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly clock: () => number,
  ) {
    this.tokens = 1;
    this.last = clock();
  }

  /** Milliseconds to wait before the reserved call may be sent (0 = now). */
  reserve(): number {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.rate) * 1000);
  }

  /** After a 429 the burst is gone: the cloud counted more than we thought. */
  drain(): void {
    this.tokens = Math.min(this.tokens, 0);
    this.last = this.clock();
  }
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 5 * 60_000 };

/**
 * "Equal jitter" exponential backoff: half of the exponential step is fixed, half random, so
 * retries of many stations spread out but never come back immediately. `attempt` counts from 1.
 */
export function backoffMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** `Retry-After` as delta-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
