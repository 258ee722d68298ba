import { describe, expect, it } from 'vitest';
import { backoffMs, retryAfterMs, TokenBucket } from '../../electron/sync/pacing';

describe('token bucket', () => {
  it('starts with one call, not the burst (a restarted processor does not know what was just sent)', () => {
    const bucket = new TokenBucket(10, 3, () => 0);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 100, 200]);
  });

  it('lets a burst earned while idle through at once, then spaces calls at exactly the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    now = 1000;
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
    // Reserved ahead: the 4th call waits 100 ms, the 5th 200 ms.
    expect(bucket.reserve()).toBe(100);
    expect(bucket.reserve()).toBe(200);
    now = 1200;
    expect(bucket.reserve()).toBe(100);
  });

  it('never allows more than burst + rate × t calls in any window', () => {
    let now = 0;
    const bucket = new TokenBucket(50, 5, () => now);
    const sent: number[] = [];
    for (let call = 0; call < 500; call++) {
      const wait = bucket.reserve();
      sent.push(now + wait);
      now += call % 7 === 0 ? 0 : 3; // a caller that asks irregularly
    }
    for (let i = 0; i < sent.length; i++) {
      const windowEnd = sent[i]! + 1000;
      const inWindow = sent.filter((t) => t >= sent[i]! && t < windowEnd).length;
      expect(inWindow).toBeLessThanOrEqual(5 + 50);
    }
  });

  it('drops the saved burst after a 429', () => {
    const bucket = new TokenBucket(10, 5, () => 0);
    bucket.drain();
    expect(bucket.reserve()).toBe(100);
  });
});

describe('backoff', () => {
  it('doubles per attempt with jitter between half and the full step, capped', () => {
    const options = { baseMs: 100, maxMs: 1000 };
    expect(backoffMs(1, options, () => 0)).toBe(50);
    expect(backoffMs(1, options, () => 1)).toBe(100);
    expect(backoffMs(3, options, () => 0.5)).toBe(300);
    expect(backoffMs(20, options, () => 1)).toBe(1000);
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates, and ignores what it cannot read', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
