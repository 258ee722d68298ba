import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BurstQueue } from '../../electron/hub/burst-queue';

describe('burst queue (the hub\'s deferred registry writes)', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('writes a large burst a batch per tick once it is over, oldest first', () => {
    const batches: string[][] = [];
    const queue = new BurstQueue<string>((batch) => (batches.push(batch), true), 2);
    for (const key of ['a', 'b', 'c', 'd', 'e']) queue.put(key, key);
    vi.advanceTimersByTime(999);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([['a', 'b']]);
    vi.advanceTimersByTime(200);
    expect(batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('keeps a batch that could not be written, behind a newer change for the same key, and tries it again 10 s later', () => {
    const batches: string[][] = [];
    let room = false;
    const queue = new BurstQueue<string>((batch) => (batches.push(batch), room));
    queue.put('a', 'a1');
    queue.put('b', 'b1');
    queue.flush();
    queue.put('a', 'a2');
    room = true;
    vi.advanceTimersByTime(9_999);
    expect(batches).toEqual([['a1', 'b1']]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([['a1', 'b1'], ['a2', 'b1']]);
  });

  it('stops trying once closed', () => {
    const write = vi.fn(() => false);
    const queue = new BurstQueue<string>(write);
    queue.put('a', 'a');
    queue.close();
    vi.advanceTimersByTime(60_000);
    expect(write).toHaveBeenCalledTimes(1);
  });
});
