import { describe, expect, it } from 'vitest';
import { filterMatches, isValidFilter } from '../../electron/hub/acl';
import { ConnectGuard } from '../../electron/hub/connect-guard';
import { Ring } from '../../electron/hub/ring';

describe('hub ring', () => {
  it('keeps the newest items, oldest first, and honours a limit', () => {
    const ring = new Ring<number>(3);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.size).toBe(3);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.toArray(2)).toEqual([4, 5]);
    ring.clear();
    expect(ring.toArray()).toEqual([]);
  });
});

describe('hub topic filters (MQTT 3.1.1 §4.7)', () => {
  it.each([
    ['/sys/p/+/thing/measurepoint/post', '/sys/p/d/thing/measurepoint/post', true],
    ['/sys/p/d/#', '/sys/p/d/thing/event/x/post', true],
    ['/sys/p/d/#', '/sys/p/d', true],
    ['/sys/p/+/thing/measurepoint/post', '/sys/p/d/thing/measurepoint/post_reply', false],
    ['/sys/p/d/thing/+', '/sys/p/d/thing/a/b', false],
  ])('%s matches %s: %s', (filter, topic, expected) => expect(filterMatches(filter, topic)).toBe(expected));

  it.each([['a/#/b'], ['a/b#'], ['a/+b'], [''], ['a/\u0000']])('refuses the malformed filter %j', (filter) => expect(isValidFilter(filter)).toBe(false));
});

describe('connect guard', () => {
  it('is off by default, blocks past the limit inside the window, and never counts the login after an activation', () => {
    let now = 0;
    expect(new ConnectGuard(null, () => now).allow('p/d')).toBe(true);
    const guard = new ConnectGuard({ maxConnects: 2, windowMs: 1000 }, () => now);
    expect([guard.allow('p/d'), guard.allow('p/d'), guard.allow('p/d')]).toEqual([true, true, false]);
    expect([...guard.blocked.keys()]).toEqual(['p/d']);
    guard.exemptNext('p/d');
    expect(guard.allow('p/d')).toBe(true);
    now = 1500;
    expect(guard.allow('p/d')).toBe(true);
    expect(guard.blocked.size).toBe(0);
  });
});
