import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { Hub } from '../../electron/hub/hub';
import { buildMqttCredentials, buildSubDeviceLogin } from '../../electron/protocol';
import { connect, credentials, DEVICE_SECRET, DK, DYN_PK, nextMessage, PK, PRODUCT_SECRET, request, startHub, SUB_PK, SUB_SECRET } from '../helpers/hub';

const clients: MqttClient[] = [];
const hubs: Hub[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  await Promise.all(hubs.splice(0).map((hub) => hub.stop()));
});

async function setup(overrides: Parameters<typeof startHub>[0] = {}) {
  const started = await startHub(overrides);
  hubs.push(started.hub);
  return started;
}

async function device(url: string, login = credentials(), options = {}) {
  const client = await connect(url, login, options);
  clients.push(client);
  return client;
}

function refusalCode(promise: Promise<unknown>): Promise<number | undefined> {
  return promise.then(
    () => undefined,
    (error: { code?: number }) => error.code,
  );
}

const post = (id: unknown, measurepoints: Record<string, unknown>) => ({ id, version: '1.0', method: 'thing.measurepoint.post', params: { measurepoints, time: 1700000000000 } });
const topic = (tail: string, pk = PK, dk = DK) => `/sys/${pk}/${dk}/${tail}`;

describe('login (protocol reference §3)', () => {
  it('admits mode 2 and refuses bad logins with the §3.6 CONNACK codes', async () => {
    const { url, hub } = await setup();
    await device(url);
    expect(hub.sessionList().map((session) => session.deviceKey)).toEqual([DK]);
    expect(await refusalCode(connect(url, { ...credentials(), password: '00' }))).toBe(4);
    expect(await refusalCode(connect(url, { ...credentials(), clientId: 'no-bars' }))).toBe(2);
    expect(await refusalCode(connect(url, { ...credentials(), username: 'nobody' }))).toBe(2);
    expect(await refusalCode(connect(url, credentials({ deviceKey: 'ghost' })))).toBe(5);
    expect(await refusalCode(connect(url, credentials({ deviceKey: 'dev-off', secret: 'DsDemoSecretOff1' })))).toBe(5);
    // Mode 3 on a product without dynamic activation (770).
    expect(await refusalCode(connect(url, credentials({ secureMode: 3, secret: DEVICE_SECRET })))).toBe(5);
    const refusals = hub.statsSnapshot().totals.refusals;
    expect(refusals).toMatchObject({ 'bad-signature': 1, 'malformed-client-id': 1, 'malformed-username': 1, 'unknown-device': 1, disabled: 1, 'activation-disabled': 1 });
  });

  it('accepts every sign method an SDK sends, any hex case (§3.3)', async () => {
    const { url } = await setup();
    for (const signMethod of ['sha1', 'md5', 'sha256'] as const) {
      const login = credentials({ signMethod });
      const client = await device(url, { ...login, password: login.password.toLowerCase() });
      await client.endAsync();
    }
    const python = buildMqttCredentials({ productKey: PK, deviceKey: DK, secret: DEVICE_SECRET, secureMode: 2, timestamp: '1700000000000.123' });
    await device(url, { ...python, clientId: python.clientId.replace('signmethod=sha256', 'signmethod=hmacsha256') });
  });

  it('a second login of the same device takes the session over (§3.5)', async () => {
    const { url, hub } = await setup();
    const first = await device(url, credentials({ cid: 'one' }));
    const closed = new Promise((resolve) => first.once('close', () => resolve(undefined)));
    await device(url, credentials({ cid: 'two' }));
    await closed;
    expect(hub.sessionList()).toHaveLength(1);
    expect(hub.sessionList()[0]!.clientId.startsWith('two|')).toBe(true);
    expect(hub.sessionHistory().map((record) => record.reason)).toContain('taken-over');
  });

  it('a second login with the same ClientId also ends the first as taken over', async () => {
    const { url, hub } = await setup();
    const first = await device(url, credentials());
    const closed = new Promise((resolve) => first.once('close', () => resolve(undefined)));
    await device(url, credentials());
    await closed;
    expect(hub.sessionList()).toHaveLength(1);
    expect(hub.sessionHistory().map((record) => record.reason)).toEqual(['taken-over']);
  });

  it('the connect guard blocks a reconnect loop when configured', async () => {
    let now = 1_000_000;
    const { url, hub } = await setup({ clock: () => now, connectGuard: { maxConnects: 2, windowMs: 60_000 } });
    for (let i = 0; i < 2; i++) await (await device(url)).endAsync();
    expect(await refusalCode(connect(url, credentials()))).toBe(3);
    expect(hub.guardBlocked().map((entry) => entry.device)).toEqual([`${PK}/${DK}`]);
    now += 61_000;
    await device(url);
  });
});

describe('dynamic activation (§3.7)', () => {
  it('pushes the deviceSecret unsolicited, then admits mode 2 and refuses a second activation', async () => {
    const { url, directory } = await setup({ connectGuard: { maxConnects: 1, windowMs: 60_000 } });
    const dk = 'dyn-001';
    const mode3 = credentials({ productKey: DYN_PK, deviceKey: dk, secret: PRODUCT_SECRET, secureMode: 3 });
    let info!: ReturnType<typeof nextMessage>;
    const client = await connect(url, mode3, {}, (early) => (info = nextMessage(early, `/ext/session/${DYN_PK}/${dk}/thing/activate/info`)));
    clients.push(client);
    const pushed = (await info).json as { id: string; method: string; params: { deviceSecret: string; productKey: string; deviceKey: string } };
    expect(pushed.method).toBe('thing.activate.info');
    expect(pushed.params).toMatchObject({ productKey: DYN_PK, deviceKey: dk });
    expect(directory.deviceSecret(DYN_PK, dk)).toBe(pushed.params.deviceSecret);
    await client.publishAsync(`/ext/session/${DYN_PK}/${dk}/thing/activate/info_reply`, JSON.stringify({ id: pushed.id, code: 200, message: '', data: {} }), { qos: 1 });
    await client.endAsync();
    // The reconnect right after activation is not counted by the guard (limit 1 here).
    const mode2 = await device(url, credentials({ productKey: DYN_PK, deviceKey: dk, secret: pushed.params.deviceSecret }));
    expect(mode2.connected).toBe(true);
    expect(directory.device(DYN_PK, dk)?.state).toBe('active');
    await mode2.endAsync();
    expect(await refusalCode(connect(url, mode3))).toBe(5);
  });
});

describe('upstream (§6.1)', () => {
  it('answers a valid measurepoint post with the id echoed as received and keeps the data', async () => {
    const { url, hub } = await setup();
    const client = await device(url);
    expect(await request(client, topic('thing/measurepoint/post'), post('17', { temp: 21.5, note: 'ok' }))).toEqual({ id: '17', code: 200, message: '', data: {} });
    expect(await request(client, topic('thing/measurepoint/post'), post(18, { temp: 1 }))).toMatchObject({ id: 18, code: 200 });
    expect(hub.messages({ productKey: PK, deviceKey: DK }).map((message) => message.values)).toEqual([{ temp: 21.5, note: 'ok' }, { temp: 1 }]);
    expect(hub.statsSnapshot().products[PK]?.messagesIn).toBe(2);
  });

  it.each([
    ['a type mismatch', post('1', { temp: 'hot' }), 1204],
    ['an undeclared point', post('1', { humidity: 3 }), 1204],
    ['a malformed post', { id: '1', method: 'thing.measurepoint.post', params: { temp: 1 } }, 1206],
    ['a method that does not match the topic', { id: '1', method: 'thing.event.x.post', params: {} }, 1260],
    ['invalid JSON', '{not json', 1220],
    ['an empty payload', '', 1251],
  ])('refuses %s with its code', async (_name, body, code) => {
    const { url, hub } = await setup();
    const client = await device(url);
    const reply = await request(client, topic('thing/measurepoint/post'), body);
    expect(reply.code).toBe(code);
    expect(hub.messages({ productKey: PK, deviceKey: DK })).toEqual([]);
    expect(hub.statsSnapshot().totals.errors[String(code)]).toBe(1);
  });

  it('drops payloads over 512 KiB with 1008 and keeps serving', async () => {
    const { url } = await setup();
    const client = await device(url);
    const huge = JSON.stringify(post('1', { note: 'x'.repeat(600 * 1024) }));
    expect((await request(client, topic('thing/measurepoint/post'), huge)).code).toBe(1008);
    expect((await request(client, topic('thing/measurepoint/post'), post('2', { temp: 2 }))).code).toBe(200);
  });

  it('answers events, attributes, tags, the TSL template and OTA reports', async () => {
    const { url, directory } = await setup();
    const client = await device(url);
    expect((await request(client, topic('thing/event/alarm/post'), { id: '1', method: 'thing.event.alarm.post', params: { events: { level: 3 } } })).code).toBe(200);
    expect((await request(client, topic('thing/event/alarm/post'), { id: '2', method: 'thing.event.alarm.post', params: { events: { level: 'x' } } })).code).toBe(1204);
    expect((await request(client, topic('thing/attribute/update'), { id: '3', method: 'thing.attribute.update', params: { attributes: { location: 'hall' } } })).code).toBe(200);
    expect((await request(client, topic('thing/attribute/update'), { id: '3', method: 'thing.attribute.update', params: { attributes: 'x' } })).code).toBe(1207);
    expect(await request(client, topic('thing/attribute/query'), { id: '4', method: 'thing.attribute.query', params: { attributes: [] } })).toMatchObject({ code: 200, data: { location: 'hall' } });
    expect((await request(client, topic('thing/attribute/query'), { id: '4', method: 'thing.attribute.query', params: { attributes: 3 } })).code).toBe(1208);
    expect((await request(client, topic('thing/attribute/delete'), { id: '5', method: 'thing.attribute.delete', params: { attributes: ['location'] } })).code).toBe(200);
    expect((await request(client, topic('thing/attribute/delete'), { id: '5', method: 'thing.attribute.delete', params: {} })).code).toBe(200);
    expect((await request(client, topic('thing/attribute/delete'), { id: '5', method: 'thing.attribute.delete', params: { attributes: 'x' } })).code).toBe(1209);
    expect((await request(client, topic('thing/tag/update'), { id: '6', method: 'thing.tag.update', params: [{ tagKey: 'floor', tagValue: '2' }] })).code).toBe(200);
    expect((await request(client, topic('thing/tag/update'), { id: '6', method: 'thing.tag.update', params: { floor: '2' } })).code).toBe(1200);
    expect(await request(client, topic('thing/tag/query'), { id: '7', method: 'thing.tag.query', params: { tags: ['floor'] } })).toMatchObject({ code: 200, data: { floor: '2' } });
    expect((await request(client, topic('thing/tag/delete'), { id: '8', method: 'thing.tag.delete', params: { tags: ['floor'] } })).code).toBe(200);
    const template = await request(client, topic('thing/tsltemplate/get'), { id: '9', method: 'thing.tsltemplate.get', params: {} });
    expect(Object.keys((template.data as Record<string, unknown>).tslMeasurepointMap as object)).toEqual(['temp', 'note']);
    expect((await request(client, topic('ota/device/inform'), { id: '10', method: 'ota.device.inform', params: { version: '1.2.3' } })).code).toBe(200);
    expect(directory.firmware({ productKey: PK, deviceKey: DK })).toBe('1.2.3');
    expect((await request(client, topic('ota/device/progress'), { id: '11', method: 'ota.device.process', params: { step: '50' } })).code).toBe(200);
    expect(await request(client, topic('ota/device/getversion'), { id: '12', method: 'ota.device.getversion', params: {} })).toMatchObject({ code: 200, data: [] });
  });

  it('refuses another device’s topic with 1009 and forwards nothing', async () => {
    const { url, hub } = await setup();
    const client = await device(url);
    const reply = nextMessage(client, topic('thing/measurepoint/post_reply', PK, 'dev-002'));
    await client.publishAsync(topic('thing/measurepoint/post', PK, 'dev-002'), JSON.stringify(post('1', { temp: 1 })), { qos: 1 });
    expect((await reply).json.code).toBe(1009);
    await expect(client.subscribeAsync(topic('#', PK, 'dev-002'))).rejects.toThrow(/Subscribe error/);
    expect(hub.statsSnapshot().totals.refusals).toMatchObject({ 'publish-refused': 1, 'subscribe-refused': 1 });
    expect(client.connected).toBe(true);
  });

  it('a device receives its own posts only while it subscribes to them', async () => {
    const { url } = await setup();
    const client = await device(url);
    const received: string[] = [];
    client.on('message', (at, payload) => at === topic('thing/measurepoint/post') && received.push(String(JSON.parse(payload.toString()).id)));
    await client.subscribeAsync([topic('thing/measurepoint/post'), topic('thing/measurepoint/post_reply')], { qos: 1 });
    const echo = nextMessage(client, topic('thing/measurepoint/post'));
    await client.publishAsync(topic('thing/measurepoint/post'), JSON.stringify(post('1', { temp: 1 })), { qos: 1 });
    await echo;
    await client.unsubscribeAsync(topic('thing/measurepoint/post'));
    await client.publishAsync(topic('thing/measurepoint/post'), JSON.stringify(post('2', { temp: 2 })), { qos: 1 });
    // The hub handles one connection's publishes in order, and writes a post's forward before the next post's reply.
    const third = nextMessage(client, topic('thing/measurepoint/post_reply'));
    await client.publishAsync(topic('thing/measurepoint/post'), JSON.stringify(post('3', { temp: 3 })), { qos: 1 });
    while ((await third).json.id !== '3');
    expect(received).toEqual(['1']);
  });

  it('a --monitor device receives other devices’ posts read-only', async () => {
    const { url } = await setup({ monitors: [`${PK}/monitor`] });
    const monitor = await device(url, credentials({ deviceKey: 'monitor', secret: 'DsMonitorSecret1' }));
    await monitor.subscribeAsync(`/sys/${PK}/+/thing/measurepoint/post`, { qos: 1 });
    const seen = nextMessage(monitor, topic('thing/measurepoint/post'));
    const client = await device(url);
    const body = JSON.stringify(post('5', { temp: 3 }));
    await client.publishAsync(topic('thing/measurepoint/post'), body, { qos: 1 });
    expect((await seen).payload.toString()).toBe(body);
    const refused = nextMessage(monitor, topic('thing/measurepoint/post_reply'));
    await monitor.publishAsync(topic('thing/measurepoint/post'), body, { qos: 1 });
    expect((await refused).json.code).toBe(1009);
  });
});

describe('gateways and sub-devices (§6.4)', () => {
  it('logs a sub-device in, relays its data and logs it out', async () => {
    const { url, hub } = await setup();
    const gateway = await device(url, credentials({ deviceKey: 'dev-002', secret: 'DsDemoSecret0002' }));
    const login = topic('combine/login', PK, 'dev-002').replace('/sys/', '/ext/session/');
    const params = buildSubDeviceLogin({ productKey: SUB_PK, deviceKey: 'sub-007', secret: SUB_SECRET, timestamp: '1700000000123' });
    expect(await request(gateway, login, { id: '1', method: 'combine.login', params: { ...params, sign: '00' } })).toMatchObject({ code: 742 });
    expect(await request(gateway, login, { id: '2', method: 'combine.login', params })).toMatchObject({ code: 200, data: { productKey: SUB_PK, deviceKey: 'sub-007' } });
    expect(hub.sessionList().find((session) => session.deviceKey === 'sub-007')?.via).toBe(`${PK}/dev-002`);
    expect((await request(gateway, topic('thing/measurepoint/post', SUB_PK, 'sub-007'), post('3', { temp: 4 }))).code).toBe(200);
    const batch = { id: '4', method: 'thing.measurepoint.post.batch', params: [{ measurepoints: { temp: 1 } }, { productKey: SUB_PK, deviceKey: 'sub-007', measurepoints: { temp: 2 } }] };
    expect((await request(gateway, topic('thing/measurepoint/post/batch', PK, 'dev-002'), batch)).code).toBe(200);
    expect(hub.messages({ productKey: SUB_PK, deviceKey: 'sub-007' })).toHaveLength(2);
    const logout = login.replace('combine/login', 'combine/logout');
    expect((await request(gateway, logout, { id: '5', method: 'combine.logout', params: { productKey: SUB_PK, deviceKey: 'sub-007' } })).code).toBe(200);
    expect((await request(gateway, topic('thing/measurepoint/post/batch', PK, 'dev-002'), batch)).code).toBe(1212);
    expect(await request(gateway, topic('thing/topo/get', PK, 'dev-002'), { id: '6', method: 'thing.topo.get', params: {} })).toMatchObject({ code: 200, data: [{ productKey: SUB_PK, deviceKey: 'sub-007' }] });
  });

  it('refuses a sub-device login from a gateway it is not under (740)', async () => {
    const { url } = await setup();
    const client = await device(url);
    const params = buildSubDeviceLogin({ productKey: SUB_PK, deviceKey: 'sub-007', secret: SUB_SECRET, timestamp: '1' });
    expect((await request(client, `/ext/session/${PK}/${DK}/combine/login`, { id: '1', method: 'combine.login', params })).code).toBe(740);
  });
});

describe('downstream (§6.2)', () => {
  it('invokes a service and returns the device reply, a numeric-string code included', async () => {
    const { url, hub } = await setup();
    const client = await device(url);
    client.on('message', (received, payload) => {
      if (!received.endsWith('/thing/service/reboot')) return;
      const { id } = JSON.parse(payload.toString());
      client.publish(`${received}_reply`, JSON.stringify({ id, code: '200', data: { done: true } }));
    });
    const result = await hub.invokeService({ device: { productKey: PK, deviceKey: DK }, serviceId: 'reboot', params: { delay: 1 }, timeoutMs: 5000 });
    expect(result).toMatchObject({ ok: true, value: { status: 'replied', code: 200, data: { done: true } } });
    expect(await hub.invokeService({ device: { productKey: PK, deviceKey: DK }, serviceId: 'reboot', params: { delay: 'soon' }, timeoutMs: 100 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await hub.invokeService({ device: { productKey: PK, deviceKey: DK }, serviceId: 'nope', params: {}, timeoutMs: 100 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await hub.invokeService({ device: { productKey: PK, deviceKey: 'ghost' }, serviceId: 'reboot', params: {}, timeoutMs: 100 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await hub.invokeService({ device: { productKey: PK, deviceKey: DK }, serviceId: 'flash', params: {}, timeoutMs: 100 })).toMatchObject({ ok: true, value: { status: 'sent' } });
  });

  it('sets measurepoints, times out a silent device, and refuses an offline one', async () => {
    const { url, hub } = await setup();
    const client = await device(url);
    client.on('message', (received, payload) => {
      if (!received.endsWith('/thing/service/measurepoint/set')) return;
      const { id, params } = JSON.parse(payload.toString());
      if (params.temp === 5) client.publish(`${received}_reply`, JSON.stringify({ id, code: 200 }));
    });
    const target = { productKey: PK, deviceKey: DK };
    expect(await hub.setMeasurepoints({ device: target, values: { temp: 5 }, timeoutMs: 5000 })).toMatchObject({ ok: true, value: { status: 'replied', code: 200 } });
    expect(await hub.setMeasurepoints({ device: target, values: { temp: 6 }, timeoutMs: 100 })).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    expect(await hub.setMeasurepoints({ device: target, values: { temp: 'x' }, timeoutMs: 100 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await hub.setMeasurepoints({ device: { productKey: PK, deviceKey: 'dev-002' }, values: { temp: 5 }, timeoutMs: 100 })).toMatchObject({ ok: false, error: { code: 'DEVICE_OFFLINE' } });
  });

  it('holds a command for an offline device until it logs in, within the TTL', async () => {
    let now = 1_000_000;
    const { url, hub } = await setup({ clock: () => now });
    const target = { productKey: PK, deviceKey: DK };
    const expired = hub.invokeService({ device: target, serviceId: 'reboot', params: { delay: 1 }, timeoutMs: 30, pendingTtlMs: 1000 });
    expect(await expired).toMatchObject({ ok: true, value: { status: 'pending' } });
    now += 2000;
    const held = hub.invokeService({ device: target, serviceId: 'reboot', params: { delay: 2 }, timeoutMs: 5000, pendingTtlMs: 10_000 });
    const delays: number[] = [];
    const client = await connect(url, credentials(), {}, (early) =>
      early.on('message', (received, payload) => {
        const { id, params } = JSON.parse(payload.toString());
        delays.push(params.delay);
        early.publish(`${received}_reply`, JSON.stringify({ id, code: 200, data: { done: true } }));
      }),
    );
    clients.push(client);
    expect(await held).toMatchObject({ ok: true, value: { status: 'replied', code: 200 } });
    expect(delays).toEqual([2]);
  });

  it('tells a device it was disabled and takes it offline', async () => {
    const { url, hub, directory } = await setup();
    const client = await device(url);
    const notice = nextMessage(client, topic('thing/disable'));
    const closed = new Promise((resolve) => client.once('close', () => resolve(undefined)));
    directory.setState({ productKey: PK, deviceKey: DK }, 'disabled');
    expect((await notice).json.method).toBe('thing.disable');
    await closed;
    expect(hub.sessionHistory().at(-1)?.reason).toBe('disabled');
    expect(await refusalCode(connect(url, credentials()))).toBe(5);
  });
});
