import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { coapAuthSign, httpAuthSign } from '../../electron/protocol';
import type { ThingModel } from '../../shared/model/thing-model';
import { connect, credentials, DEVICE_SECRET, DK, PK, request } from '../helpers/hub';
import { coapClient, coapDatagram, curl, freeUdpPort, startTransports, udpExchange } from '../helpers/hub-transports';

const running: Array<{ stop(): Promise<void> }> = [];
const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  await Promise.all(running.splice(0).map((hub) => hub.stop()));
});

async function setup() {
  const started = await startTransports();
  running.push(started);
  return started;
}

/** §7 non-DTLS auth body, signed as test vector C1 (lifetime 3600). */
const authBody = (secret = DEVICE_SECRET, deviceKey = DK, lifetime = 3600) => JSON.stringify({ secureMode: 2, lifetime, sign: coapAuthSign({ productKey: PK, deviceKey, lifetime, secureMode: 2, secret }) });
const post = (id: string, measurepoints: Record<string, unknown>) => JSON.stringify({ id, version: '1.0', method: 'thing.measurepoint.post', params: { measurepoints, time: 1700000000000 } });
const POST = 2;
const GET = 1;
const path = (resource: string): Array<[number, Buffer]> => resource.split('/').filter(Boolean).map((segment) => [11, Buffer.from(segment)] as [number, Buffer]);
const block = (num: number, more: boolean, szx: number) => Buffer.from([(num << 4) | (more ? 8 : 0) | szx]);

/** A model whose TSL template is larger than one 1 KB datagram, so its answer goes block-wise. */
function bigModel(): ThingModel {
  const measurepoints = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`measurepoint_number_${i}`, { identifier: `measurepoint_number_${i}`, dataType: 'DOUBLE' as const, dataDefinition: null }]));
  return { modelId: 'big', name: { defaultValue: 'big' }, attributes: {}, measurepoints, services: {}, events: {} };
}

describe('CoAP endpoint (protocol reference §7)', () => {
  it('coap-client-notls authenticates, posts measurepoints and reads a Block2 answer', async () => {
    const { coapUrl, hub, directory } = await setup();
    const local = await freeUdpPort();
    const auth = await coapClient(local, ['-m', 'post', '-e', authBody(), `${coapUrl}/auth/${PK}/${DK}`]);
    expect(auth.code).toBe(0);
    expect(hub.sessionList()).toMatchObject([{ deviceKey: DK, listener: 'coap', coapWithoutDtls: true }]);
    const posted = await coapClient(local, ['-m', 'post', '-t', 'application/json', '-e', post('3', { temp: 20.5 }), `${coapUrl}/topic/sys/${PK}/${DK}/thing/measurepoint/post`]);
    expect(JSON.parse(posted.stdout.toString())).toMatchObject({ id: '3', code: 200 });
    expect(hub.messages({ productKey: PK, deviceKey: DK })[0]!.values).toEqual({ temp: 20.5 });
    // A non-confirmable request is answered too.
    const non = await coapClient(local, ['-N', '-m', 'post', '-e', post('4', { temp: 21 }), `${coapUrl}/topic/sys/${PK}/${DK}/thing/measurepoint/post`]);
    expect(JSON.parse(non.stdout.toString())).toMatchObject({ id: '4', code: 200 });

    directory.addProduct({ productKey: PK, authScheme: 'device-secret', dynamicActivation: false, thingModel: bigModel() });
    const template = await coapClient(local, ['-m', 'post', '-e', JSON.stringify({ id: '5', version: '1.0', method: 'thing.tsltemplate.get', params: {} }), `${coapUrl}/topic/sys/${PK}/${DK}/thing/tsltemplate/get`]);
    expect(template.stdout.length).toBeGreaterThan(1024);
    const reply = JSON.parse(template.stdout.toString());
    expect(Object.keys(reply.data.tslMeasurepointMap)).toHaveLength(40);
  });

  it('assembles a Block1 upload and refuses the blocks the package would crash or balloon on', async () => {
    const { coapUrl, coapPort, hub } = await setup();
    const local = await freeUdpPort();
    await coapClient(local, ['-m', 'post', '-e', authBody(), `${coapUrl}/auth/${PK}/${DK}`]);
    const long = post('6', { note: 'x'.repeat(900) });
    const posted = await coapClient(local, ['-m', 'post', '-b', '64', '-e', long, `${coapUrl}/topic/sys/${PK}/${DK}/thing/measurepoint/post`]);
    expect(JSON.parse(posted.stdout.toString())).toMatchObject({ id: '6', code: 200 });
    expect(hub.messages({ productKey: PK, deviceKey: DK })[0]!.values).toEqual({ note: 'x'.repeat(900) });

    const resource = path(`/topic/sys/${PK}/${DK}/thing/measurepoint/post`);
    // A last block numbered a million: the package would allocate 16 MB for it; a gap: it would throw.
    const huge = coapDatagram({ type: 0, code: POST, mid: 1, token: Buffer.from([1]), options: [...resource, [27, Buffer.from([0xf4, 0x24, 0x00])]], payload: Buffer.from('{}') });
    const first = coapDatagram({ type: 0, code: POST, mid: 2, token: Buffer.from([2]), options: [...resource, [27, block(0, true, 0)]], payload: Buffer.alloc(16, 0x20) });
    const gap = coapDatagram({ type: 0, code: POST, mid: 3, token: Buffer.from([3]), options: [...resource, [27, block(2, false, 0)]], payload: Buffer.from('{}') });
    const replies = await udpExchange(coapPort, [huge, first, gap]);
    expect(replies.map((reply) => reply.code)).toEqual(['4.08', '2.31', '4.08']);
    expect(hub.statsSnapshot().protocols.coap!.refusals).toMatchObject({ 'block1-incomplete': 2 });
  });

  it('answers garbage, truncated datagrams and unknown critical options with errors and keeps serving', async () => {
    const { coapUrl, coapPort, hub } = await setup();
    const replies = await udpExchange(coapPort, [
      Buffer.from([0x42, 0x02, 0x00]),
      Buffer.from([0x4f, 0x02, 0x12, 0x34, 1, 2]),
      coapDatagram({ type: 0, code: POST, mid: 9, options: [...path('/auth/x/y'), [2101, Buffer.from('x')]], payload: Buffer.from('{}') }),
    ]);
    expect(replies.map((reply) => reply.code)).toEqual(['4.00', '4.00', '4.02']);
    const local = await freeUdpPort();
    const unauthorized = await coapClient(local, ['-m', 'post', '-e', post('1', { temp: 1 }), `${coapUrl}/topic/sys/${PK}/${DK}/thing/measurepoint/post`]);
    expect(unauthorized.stdout.toString() + unauthorized.stderr).toMatch(/4\.01/);
    const wrong = await coapClient(local, ['-m', 'post', '-e', authBody('NotTheSecret0000'), `${coapUrl}/auth/${PK}/${DK}`]);
    expect(wrong.stdout.toString() + wrong.stderr).toMatch(/4\.01/);
    await coapClient(local, ['-m', 'post', '-e', authBody(), `${coapUrl}/auth/${PK}/${DK}`]);
    const other = await coapClient(local, ['-m', 'post', '-e', post('2', { temp: 1 }), `${coapUrl}/topic/sys/${PK}/dev-002/thing/measurepoint/post`]);
    expect(other.stdout.toString() + other.stderr).toMatch(/4\.03/);
    const coap = hub.statsSnapshot().protocols.coap!;
    expect(coap.refusals).toMatchObject({ 'malformed-datagram': 2, 'unknown-critical-option': 1, 'session-unknown': 1, 'bad-signature': 1, 'publish-refused': 1 });
  });

  it('queues a command into options 2100/2102, serves GET of its topic and matches the reply (§13 #13)', async () => {
    const { coapPort, hub } = await setup();
    const auth = coapDatagram({ type: 0, code: POST, mid: 20, token: Buffer.from([20]), options: path(`/auth/${PK}/${DK}`), payload: Buffer.from(authBody()) });
    const { createSocket } = await import('node:dgram');
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    try {
      expect((await udpExchange(coapPort, [auth], socket))[0]!.code).toBe('2.04');
      const command = hub.getMeasurepoints({ device: { productKey: PK, deviceKey: DK }, ids: ['temp'], timeoutMs: 5000 });
      const resource = `/topic/sys/${PK}/${DK}/thing/measurepoint/post`;
      const [answer] = await udpExchange(coapPort, [coapDatagram({ type: 0, code: POST, mid: 21, token: Buffer.from([21]), options: path(resource), payload: Buffer.from(post('1', { temp: 1 })) })], socket);
      const topic = `/sys/${PK}/${DK}/thing/service/measurepoint/get`;
      expect(answer!.options.get(2100)?.toString()).toBe(`/topic${topic}`);
      const inline = JSON.parse(answer!.options.get(2102)!.toString());
      const [fetched] = await udpExchange(coapPort, [coapDatagram({ type: 0, code: GET, mid: 22, token: Buffer.from([22]), options: path(`/topic${topic}`) })], socket);
      expect(fetched!.code).toBe('2.05');
      expect(JSON.parse(fetched!.payload.toString())).toEqual(inline);
      const reply = JSON.stringify({ id: inline.id, code: 200, data: { temp: 22.5 } });
      await udpExchange(coapPort, [coapDatagram({ type: 0, code: POST, mid: 23, token: Buffer.from([23]), options: path(`/topic${topic}_reply`), payload: Buffer.from(reply) })], socket);
      const outcome = await command;
      expect(outcome.ok && outcome.value.status === 'replied' && outcome.value.data).toEqual({ temp: 22.5 });
    } finally {
      socket.close();
    }
  });

  it('answers a retransmitted request again without handling it twice (RFC 7252 §4.5)', async () => {
    const { coapPort, hub } = await setup();
    const { createSocket } = await import('node:dgram');
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    try {
      const auth = coapDatagram({ type: 0, code: POST, mid: 30, token: Buffer.from([30]), options: path(`/auth/${PK}/${DK}`), payload: Buffer.from(authBody()) });
      expect((await udpExchange(coapPort, [auth], socket))[0]!.code).toBe('2.04');
      const resource = path(`/topic/sys/${PK}/${DK}/thing/measurepoint/post`);
      const first = coapDatagram({ type: 0, code: POST, mid: 31, token: Buffer.from([31]), options: resource, payload: Buffer.from(post('1', { temp: 1 })) });
      const next = coapDatagram({ type: 0, code: POST, mid: 32, token: Buffer.from([32]), options: resource, payload: Buffer.from(post('2', { temp: 2 })) });
      const answers = await udpExchange(coapPort, [first, first, next], socket);
      // Piggybacked on the ACK, with the request's message id; the repeat gets the same bytes.
      expect(answers.map((answer) => [answer.type, answer.mid, answer.code])).toEqual([[2, 31, '2.04'], [2, 31, '2.04'], [2, 32, '2.04']]);
      expect(answers[1]!.payload).toEqual(answers[0]!.payload);
      expect(hub.messages({ productKey: PK, deviceKey: DK }).map((message) => message.values)).toEqual([{ temp: 1 }, { temp: 2 }]);
      expect(hub.statsSnapshot().protocols.coap!.messagesIn).toBe(2);

      // A command too large for one datagram: its GET is answered block-wise by the package, and
      // a retransmitted GET gets that first block again (the command was taken by the first).
      void hub.setMeasurepoints({ device: { productKey: PK, deviceKey: DK }, values: { note: 'n'.repeat(1000) }, timeoutMs: 5000 });
      const [announced] = await udpExchange(coapPort, [coapDatagram({ type: 0, code: POST, mid: 33, token: Buffer.from([33]), options: resource, payload: Buffer.from(post('3', { temp: 3 })) })], socket);
      const commandTopic = announced!.options.get(2100)!.toString();
      expect(announced!.options.has(2102)).toBe(false);
      const get = coapDatagram({ type: 0, code: GET, mid: 34, token: Buffer.from([34]), options: path(commandTopic) });
      const [block, again] = await udpExchange(coapPort, [get, get], socket);
      expect([block!.code, again!.code]).toEqual(['2.05', '2.05']);
      expect(block!.options.has(23)).toBe(true);
      expect(again!.payload).toEqual(block!.payload);
    } finally {
      socket.close();
    }
  });

  it('one device key over MQTT, HTTP and CoAP: statistics count each protocol separately', async () => {
    const { url, httpUrl, coapUrl, hub } = await setup();
    const client = await connect(url, credentials());
    clients.push(client);
    expect(await request(client, `/sys/${PK}/${DK}/thing/measurepoint/post`, JSON.parse(post('1', { temp: 1 })))).toMatchObject({ code: 200 });
    await client.endAsync();
    clients.splice(0);

    const sign = httpAuthSign({ productKey: PK, deviceKey: DK, lifetime: 300000, signMethod: 'sha256', deviceSecret: DEVICE_SECRET });
    const sessionId = ((await curl(['-H', 'Content-Type: application/json', '--data-binary', JSON.stringify({ signMethod: 'sha256', lifetime: 300000, sign }), `${httpUrl}/auth/${PK}/${DK}`])).json.data as { sessionId: string }).sessionId;
    for (const id of ['2', '3']) {
      const reply = await curl(['-H', 'Content-Type: application/json', '--data-binary', post(id, { temp: 2 }), `${httpUrl}/topic/sys/${PK}/${DK}/thing/measurepoint/post?sessionId=${sessionId}`]);
      expect(reply.json.code).toBe(200);
    }

    const local = await freeUdpPort();
    await coapClient(local, ['-m', 'post', '-e', authBody(), `${coapUrl}/auth/${PK}/${DK}`]);
    for (const id of ['4', '5', '6']) await coapClient(local, ['-m', 'post', '-e', post(id, { temp: 3 }), `${coapUrl}/topic/sys/${PK}/${DK}/thing/measurepoint/post`]);

    const stats = hub.statsSnapshot();
    expect(stats.protocols.mqtt).toMatchObject({ connects: 1, messagesIn: 1 });
    expect(stats.protocols.http).toMatchObject({ connects: 1, messagesIn: 2, messagesOut: 2 });
    expect(stats.protocols.coap).toMatchObject({ connects: 1, messagesIn: 3, messagesOut: 3 });
    expect(stats.devices.find((device) => device.deviceKey === DK)).toMatchObject({ connects: 3, messagesIn: 6 });
    expect(hub.messages({ productKey: PK, deviceKey: DK })).toHaveLength(6);
  });
});
