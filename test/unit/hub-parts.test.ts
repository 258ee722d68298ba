import { describe, expect, it } from 'vitest';
import { filterMatches, isValidFilter } from '../../electron/hub/acl';
import { ConnectGuard } from '../../electron/hub/connect-guard';
import { LoginCheck } from '../../electron/hub/login-check';
import { MemoryDirectory } from '../../electron/hub/memory-directory';
import { buildMqttCredentials } from '../../electron/protocol';
import { MessageRing } from '../../electron/hub/message-ring';
import { Ring } from '../../electron/hub/ring';
import { SubscriberIndex } from '../../electron/hub/subscriber-index';
import type { DeviceMessage } from '../../electron/hub/upstream';

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

describe('device message ring', () => {
  const message = (n: number, extra: Partial<DeviceMessage> = {}): DeviceMessage => ({ receivedAt: 1_700_000_000_000 + n, productKey: 'pk', deviceKey: 'dk', kind: 'measurepoints', time: n, values: { temp: n }, ...extra });

  it('gives back each message as it was pushed, oldest first, before and after it wraps', () => {
    const ring = new MessageRing('pk', 'dk', 3);
    expect(ring.toArray()).toEqual([]);
    ring.push(message(1));
    ring.push(message(2, { kind: 'event', name: 'alarm', time: null }));
    expect(ring.toArray()).toEqual([message(1), message(2, { kind: 'event', name: 'alarm', time: null })]);
    for (let n = 3; n <= 7; n++) ring.push(message(n));
    expect(ring.size).toBe(3);
    expect(ring.toArray()).toEqual([message(5), message(6), message(7)]);
    expect(ring.toArray(2)).toEqual([message(6), message(7)]);
    // A reused slot keeps nothing of the message it held before (no stale name or time).
    ring.push(message(8, { kind: 'raw', time: null }));
    ring.push(message(9, { kind: 'event', name: 'e9' }));
    ring.push(message(10));
    expect(ring.toArray()).toEqual([message(8, { kind: 'raw', time: null }), message(9, { kind: 'event', name: 'e9' }), message(10)]);
    expect('name' in ring.toArray()[0]!).toBe(false);
  });
});

describe('hub topic filters (MQTT 3.1.1 §4.7)', () => {
  it.each([
    ['/sys/p/+/thing/measurepoint/post', '/sys/p/d/thing/measurepoint/post', true],
    ['/sys/p/d/#', '/sys/p/d/thing/event/x/post', true],
    ['/sys/p/d/#', '/sys/p/d', true],
    ['/sys/p/d/#', '/sys/p/d/', true],
    ['/sys/p/d/#', '/sys/p/dx/thing', false],
    ['/sys/p/d/#', '/sys/p', false],
    ['/sys/p/+/#', '/sys/p/d/thing', true],
    ['/sys/p/+/thing/measurepoint/post', '/sys/p/d/thing/measurepoint/post_reply', false],
    ['/sys/p/d/thing/+', '/sys/p/d/thing/a/b', false],
  ])('%s matches %s: %s', (filter, topic, expected) => expect(filterMatches(filter, topic)).toBe(expected));

  it.each([['a/#/b'], ['a/b#'], ['a/+b'], [''], ['a/\u0000']])('refuses the malformed filter %j', (filter) => expect(isValidFilter(filter)).toBe(false));
});

describe('subscriber index', () => {
  const post = (dk: string) => `/sys/p/${dk}/thing/measurepoint/post`;

  it('finds a device filter only for that device, and a monitor wildcard for every device of its product', () => {
    const index = new SubscriberIndex();
    index.add('/sys/p/d1/thing/measurepoint/post_reply');
    expect(index.mayReceive('p', 'd1', post('d1'))).toBe(false);
    index.add('/sys/p/d1/#');
    expect(index.mayReceive('p', 'd1', post('d1'))).toBe(true);
    expect(index.mayReceive('p', 'd2', post('d2'))).toBe(false);
    index.add('/sys/p/+/thing/measurepoint/post');
    expect(index.mayReceive('p', 'd2', post('d2'))).toBe(true);
    expect(index.mayReceive('q', 'd2', '/sys/q/d2/thing/measurepoint/post')).toBe(false);
  });

  it('forgets a filter only when its last grant goes', () => {
    const index = new SubscriberIndex();
    index.add('/ext/session/p/d1/#');
    index.add('/ext/session/p/d1/#');
    index.remove('/ext/session/p/d1/#');
    expect(index.mayReceive('p', 'd1', '/ext/session/p/d1/x')).toBe(true);
    index.remove('/ext/session/p/d1/#');
    expect(index.mayReceive('p', 'd1', '/ext/session/p/d1/x')).toBe(false);
    index.remove('/sys/p/never/granted');
  });

  it('tries a filter that names no single product against every topic', () => {
    const index = new SubscriberIndex();
    index.add('/sys/+/d1/thing/measurepoint/post');
    index.add('#');
    expect(index.mayReceive('p', 'd1', post('d1'))).toBe(true);
    index.remove('#');
    expect(index.mayReceive('p', 'd2', post('d2'))).toBe(false);
    expect(index.mayReceive('p', 'd1', post('d1'))).toBe(true);
  });
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

describe('login check (protocol reference §3)', () => {
  const secret = 'a'.repeat(20);
  const login = (timestamp: string, password?: string) => {
    const credentials = buildMqttCredentials({ productKey: 'pk000001', deviceKey: 'dev1', secret, secureMode: 2, timestamp });
    return { clientId: credentials.clientId, username: credentials.username, password: Buffer.from(password ?? credentials.password), tls: null };
  };

  it('reads a device from the directory once, checks the signature of every login, and reads again after a change', () => {
    const directory = new MemoryDirectory();
    directory.addProduct({ productKey: 'pk000001', authScheme: 'device-secret', dynamicActivation: false, thingModel: null });
    directory.addDevice({ productKey: 'pk000001', deviceKey: 'dev1', deviceSecret: secret });
    let secretReads = 0;
    const deviceSecret = directory.deviceSecret.bind(directory);
    directory.deviceSecret = (productKey, deviceKey) => (secretReads++, deviceSecret(productKey, deviceKey));
    const check = new LoginCheck(directory);

    expect(check.check(login('1000')).ok).toBe(true);
    // A reconnect with another timestamp: verified against the cached secret, nothing read.
    expect(check.check(login('2000')).ok).toBe(true);
    expect(check.check(login('3000', 'f'.repeat(64)))).toMatchObject({ ok: false, connack: 4, reason: 'bad-signature' });
    expect(secretReads).toBe(1);

    directory.setState({ productKey: 'pk000001', deviceKey: 'dev1' }, 'disabled');
    check.forget({ productKey: 'pk000001', deviceKey: 'dev1' });
    expect(check.check(login('4000'))).toMatchObject({ ok: false, connack: 5, reason: 'disabled' });
    expect(secretReads).toBe(2);
  });

  it('warmed with every device\'s credentials, verifies first logins without a read, and still refuses what it must', () => {
    const directory = new MemoryDirectory();
    directory.addProduct({ productKey: 'pk000001', authScheme: 'device-secret', dynamicActivation: false, thingModel: null });
    directory.addDevice({ productKey: 'pk000001', deviceKey: 'dev1', deviceSecret: secret });
    directory.addDevice({ productKey: 'pk000001', deviceKey: 'dev2', deviceSecret: secret });
    let reads = 0;
    for (const name of ['device', 'deviceSecret', 'product'] as const) {
      const read = directory[name].bind(directory) as (...args: string[]) => unknown;
      (directory as unknown as Record<string, unknown>)[name] = (...args: string[]) => (reads++, read(...args));
    }
    const check = new LoginCheck(directory, { cacheSize: 1 });
    check.warm();
    reads = 0;

    // Bounded by the cache size: dev1 is warm, dev2 is read on its first login.
    expect(check.check(login('1000')).ok).toBe(true);
    expect(check.check(login('2000', 'f'.repeat(64)))).toMatchObject({ ok: false, connack: 4, reason: 'bad-signature' });
    expect(reads).toBe(0);
    const dev2 = buildMqttCredentials({ productKey: 'pk000001', deviceKey: 'dev2', secret, secureMode: 2, timestamp: '1' });
    expect(check.check({ ...dev2, password: Buffer.from(dev2.password), tls: null }).ok).toBe(true);
    expect(reads).toBeGreaterThan(0);

    // A change drops the warmed entry like a verified one.
    directory.setState({ productKey: 'pk000001', deviceKey: 'dev1' }, 'disabled');
    check.forget({ productKey: 'pk000001', deviceKey: 'dev1' });
    expect(check.check(login('3000'))).toMatchObject({ ok: false, connack: 5, reason: 'disabled' });
  });
});
