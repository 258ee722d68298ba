import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { httpAuthSign } from '../../electron/protocol';
import { DEVICE_SECRET, DK, PK } from '../helpers/hub';
import { curl, startTransports } from '../helpers/hub-transports';

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((hub) => hub.stop()));
});

async function setup() {
  const started = await startTransports();
  running.push(started);
  return started;
}

const json = ['-H', 'Content-Type: application/json'];

/** Logs in with curl the way the Java SDK does (§8, test vector H1) and returns the session id. */
async function login(base: string, options: { deviceKey?: string; secret?: string; lifetime?: number; accept?: string[]; extra?: string[] } = {}) {
  const deviceKey = options.deviceKey ?? DK;
  const lifetime = options.lifetime ?? 300000;
  const sign = httpAuthSign({ productKey: PK, deviceKey, lifetime, signMethod: 'sha256', deviceSecret: options.secret ?? DEVICE_SECRET }).toLowerCase();
  const body = JSON.stringify({ signMethod: 'sha256', lifetime, sign, ...(options.accept ? { acceptCommandTypes: options.accept } : {}) });
  return curl([...(options.extra ?? []), ...json, '--data-binary', '@-', `${base}/auth/${PK}/${deviceKey}`], body);
}

const post = (id: string, measurepoints: Record<string, unknown>) => JSON.stringify({ id, version: '1.0', method: 'thing.measurepoint.post', params: { measurepoints, time: 1700000000000 } });
const topicUrl = (base: string, sessionId: string, tail = 'thing/measurepoint/post', dk = DK) => `${base}/topic/sys/${PK}/${dk}/${tail}?sessionId=${encodeURIComponent(sessionId)}`;

describe('HTTP endpoint (protocol reference §8)', () => {
  it('curl logs in, posts measurepoints and gets the reply envelope', async () => {
    const { httpUrl, hub } = await setup();
    const auth = await login(httpUrl);
    expect(auth.status).toBe(200);
    expect(auth.json.code).toBe(200);
    const sessionId = (auth.json.data as { sessionId: string }).sessionId;
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const reply = await curl([...json, '--data-binary', '@-', topicUrl(httpUrl, sessionId)], post('7', { temp: 21.5 }));
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ id: '7', code: 200 });
    expect(hub.messages({ productKey: PK, deviceKey: DK }).map((message) => message.values)).toEqual([{ temp: 21.5 }]);
    expect(hub.sessionList()).toMatchObject([{ deviceKey: DK, listener: 'http' }]);
    // The thing model still applies (§10): a string where a DOUBLE belongs is 1204.
    const invalid = await curl([...json, '--data-binary', '@-', topicUrl(httpUrl, sessionId)], post('8', { temp: 'hot' }));
    expect(invalid.json).toMatchObject({ id: '8', code: 1204 });
  });

  it('refuses a wrong signature, a forged, an expired and a replaced session id, and another device’s topic', async () => {
    const { httpUrl, hub, time } = await setup();
    const wrong = await login(httpUrl, { secret: 'NotTheSecret0000' });
    expect(wrong.status).toBe(401);
    expect(wrong.json.code).toBe(742);
    const disabled = await login(httpUrl, { deviceKey: 'dev-off', secret: 'DsDemoSecretOff1' });
    expect(disabled.json.code).toBe(723);
    const forged = await curl([...json, '--data-binary', '@-', topicUrl(httpUrl, 'A'.repeat(32))], post('1', { temp: 1 }));
    expect(forged.status).toBe(401);
    expect(forged.json.code).toBe(1009);

    const sessionId = ((await login(httpUrl, { lifetime: 60_000 })).json.data as { sessionId: string }).sessionId;
    const other = await curl([...json, '--data-binary', '@-', topicUrl(httpUrl, sessionId, 'thing/measurepoint/post', 'dev-002')], post('2', { temp: 1 }));
    expect(other.status).toBe(403);
    expect(other.json.code).toBe(1009);
    time.now += 60_001;
    const expired = await curl([...json, '--data-binary', '@-', topicUrl(httpUrl, sessionId)], post('3', { temp: 1 }));
    expect(expired.status).toBe(401);
    expect(expired.json.code).toBe(1009);
    expect(hub.sessionList()).toEqual([]);

    const first = ((await login(httpUrl)).json.data as { sessionId: string }).sessionId;
    await login(httpUrl);
    const replaced = await curl([...json, '--data-binary', '@-', topicUrl(httpUrl, first)], post('4', { temp: 1 }));
    expect(replaced.json.code).toBe(1009);

    const http = hub.statsSnapshot().protocols.http!;
    expect(http.refusals).toMatchObject({ 'bad-signature': 1, disabled: 1, 'session-unknown': 1, 'session-ended': 2, 'publish-refused': 1 });
    expect(http.connects).toBe(3);
  });

  it('answers bad bodies with the protocol’s codes and keeps serving', async () => {
    const { httpUrl, hub } = await setup();
    const sessionId = ((await login(httpUrl)).json.data as { sessionId: string }).sessionId;
    const notJson = await curl([...json, '--data-binary', '@-', topicUrl(httpUrl, sessionId)], 'not json');
    expect(notJson.json.code).toBe(1220);
    const big = await curl([...json, '--data-binary', '@-', topicUrl(httpUrl, sessionId)], Buffer.alloc(600 * 1024, 0x20));
    expect(big.status).toBe(413);
    expect(big.json.code).toBe(1008);
    const badAuth = await curl([...json, '--data-binary', 'nope', `${httpUrl}/auth/${PK}/${DK}`]);
    expect(badAuth.status).toBe(400);
    const get = await curl([`${httpUrl}/topic/sys/${PK}/${DK}/thing/measurepoint/post`]);
    expect(get.status).toBe(405);
    const unknownPath = await curl(['-X', 'POST', `${httpUrl}/elsewhere`]);
    expect(unknownPath.status).toBe(404);
    expect((await curl([...json, '--data-binary', '@-', topicUrl(httpUrl, sessionId)], post('9', { temp: 2 }))).json.code).toBe(200);
    expect(hub.statsSnapshot().protocols.http!.refusals).toMatchObject({ 'body-too-large': 1, 'malformed-auth': 1, 'bad-method': 1, 'bad-path': 1 });
  });

  it('a slowloris request gets 408 after the header timeout; a garbage request line gets 400', async () => {
    const { httpUrl, hub } = await setup();
    const port = Number(new URL(httpUrl).port);
    const rawExchange = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = connectTcp(port, '127.0.0.1', () => socket.write(text));
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString()));
        socket.on('close', () => resolve(received));
        socket.on('error', () => resolve(received));
      });
    expect(await rawExchange(`POST /auth/${PK}/${DK} HTTP/1.1\r\nHost: x\r\nX-Slow: `)).toMatch(/^HTTP\/1\.1 408/);
    expect(await rawExchange('\x00\x01garbage\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(hub.statsSnapshot().protocols.http!.refusals).toMatchObject({ 'request-timeout': 1, 'malformed-request': 1 });
  });

  it('closes a keep-alive connection left idle past the idle timeout', async () => {
    const started = await startTransports({ http: { timeouts: { headersMs: 300, requestMs: 2000, idleMs: 150 } } });
    running.push(started);
    const port = Number(new URL(started.httpUrl).port);
    const events: string[] = [];
    await new Promise<void>((resolve) => {
      const socket = connectTcp(port, '127.0.0.1', () => socket.write('POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n'));
      socket.on('data', (chunk) => events.push(chunk.toString().split('\r\n')[0]!));
      socket.on('close', () => {
        events.push('closed');
        resolve();
      });
    });
    expect(events).toEqual(['HTTP/1.1 404 Not Found', 'closed']);
  });

  it('stores a multipart FILE upload intact with its hash, and refuses a bad md5 or a broken body', async () => {
    const { httpUrl, hub, filesDir, directory } = await setup();
    directory.addProduct({
      productKey: 'pKfile01',
      authScheme: 'device-secret',
      dynamicActivation: false,
      thingModel: { modelId: 'f', name: { defaultValue: 'f' }, attributes: {}, measurepoints: { photo: { identifier: 'photo', dataType: 'FILE', dataDefinition: null } }, services: {}, events: {} },
    });
    directory.addDevice({ productKey: 'pKfile01', deviceKey: 'cam-1', deviceSecret: 'CamSecret0000001' });
    const sign = httpAuthSign({ productKey: 'pKfile01', deviceKey: 'cam-1', lifetime: 300000, signMethod: 'sha256', deviceSecret: 'CamSecret0000001' });
    const sessionId = ((await curl([...json, '--data-binary', JSON.stringify({ signMethod: 'sha256', lifetime: 300000, sign }), `${httpUrl}/auth/pKfile01/cam-1`])).json.data as { sessionId: string }).sessionId;
    const content = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 256));
    const local = join(filesDir, 'photo.bin');
    writeFileSync(local, content);
    const md5 = createHash('md5').update(content).digest('hex');
    const message = (digest: string) =>
      JSON.stringify({ id: '5', version: '1.0', method: 'thing.measurepoint.post', params: { measurepoints: { photo: 'local://Ab12.bin' }, time: 1700000000000 }, files: { 'Ab12.bin': { featureId: 'photo', fileName: 'Ab12.bin', originalFilename: 'photo.bin', fileLength: content.length, fileExt: '.bin', md5: digest } } });
    const url = `${httpUrl}/multipart/sys/pKfile01/cam-1/thing/measurepoint/post?sessionId=${sessionId}`;
    const upload = await curl(['-F', `enos-message=${message(md5)};type=application/json`, '-F', `enos-file=@${local};filename=Ab12.bin;type=application/octet-stream`, url]);
    expect(upload.status).toBe(200);
    const stored = (upload.json.data as Record<string, { fileUri: string; sha256: string; size: number }>)['Ab12.bin']!;
    const sha256 = createHash('sha256').update(content).digest('hex');
    expect(stored).toMatchObject({ sha256, size: content.length });
    expect(stored.fileUri).toMatch(/^enos-connect:\/\/pKfile01\/cam-1\//);
    const onDisk = readFileSync(join(filesDir, 'pKfile01', 'cam-1', readdirSync(join(filesDir, 'pKfile01', 'cam-1'))[0]!));
    expect(createHash('sha256').update(onDisk).digest('hex')).toBe(sha256);
    expect(hub.messages({ productKey: 'pKfile01', deviceKey: 'cam-1' })[0]!.values).toEqual({ photo: stored.fileUri });

    const badMd5 = await curl(['-F', `enos-message=${message('0'.repeat(32))};type=application/json`, '-F', `enos-file=@${local};filename=Ab12.bin`, url]);
    expect(badMd5.status).toBe(400);
    const broken = await curl(['-H', 'Content-Type: multipart/form-data; boundary=xyz', '--data-binary', '--xyz\r\ngarbage', url]);
    expect(broken.status).toBe(400);
    expect(hub.statsSnapshot().protocols.http!.refusals).toMatchObject({ 'md5-mismatch': 1, 'invalid-multipart': 1 });
    expect(readdirSync(join(filesDir, '.incoming'))).toEqual([]);
  });

  it('refuses an oversized file, an undeclared file and files before the message', async () => {
    const started = await startTransports({ http: { upload: { fileBytes: 1024 } } });
    running.push(started);
    const { httpUrl, hub, filesDir } = started;
    const sessionId = ((await login(httpUrl)).json.data as { sessionId: string }).sessionId;
    const local = join(filesDir, 'big.bin');
    writeFileSync(local, Buffer.alloc(4096, 7));
    const message = JSON.stringify({ id: '1', version: '1.0', method: 'thing.measurepoint.post', params: { measurepoints: { note: 'local://f.bin' } }, files: { 'f.bin': { featureId: 'note' } } });
    const url = `${httpUrl}/multipart/sys/${PK}/${DK}/thing/measurepoint/post?sessionId=${sessionId}`;
    const big = await curl(['-F', `enos-message=${message}`, '-F', `enos-file=@${local};filename=f.bin`, url]);
    expect(big.status).toBe(413);
    expect(big.json.code).toBe(1008);
    const undeclared = await curl(['-F', `enos-message=${message}`, '-F', `enos-file=@${local};filename=other.bin`, url]);
    expect(undeclared.status).toBe(400);
    expect(undeclared.json.code).toBe(1206);
    const fileFirst = await curl(['-F', `enos-file=@${local};filename=f.bin`, '-F', `enos-message=${message}`, url]);
    expect(fileFirst.status).toBe(400);
    expect(hub.statsSnapshot().protocols.http!.refusals).toMatchObject({ 'file-too-large': 1, 'undeclared-file': 1, 'invalid-multipart': 1 });
    expect(hub.messages({ productKey: PK, deviceKey: DK })).toEqual([]);
  });

  it('delivers a pending command in the headers of the next response and matches the reply (§8)', async () => {
    const { httpUrl, hub } = await setup();
    const sessionId = ((await login(httpUrl)).json.data as { sessionId: string }).sessionId;
    const command = hub.setMeasurepoints({ device: { productKey: PK, deviceKey: DK }, values: { temp: 30 }, timeoutMs: 5000 });
    const next = await curl([...json, '--data-binary', '@-', topicUrl(httpUrl, sessionId)], post('10', { temp: 1 }));
    expect(next.headers.topic).toBe(`/sys/${PK}/${DK}/thing/service/measurepoint/set`);
    const request = JSON.parse(next.headers['command-payload']!);
    expect(request).toMatchObject({ method: 'thing.service.measurepoint.set', params: { temp: 30 } });
    await curl([...json, '--data-binary', JSON.stringify({ id: request.id, code: 200, data: {} }), topicUrl(httpUrl, sessionId, 'thing/service/measurepoint/set_reply')]);
    const outcome = await command;
    expect(outcome.ok && outcome.value.status).toBe('replied');

    // A device that accepts only OTA commands never sees a service call.
    const otaOnly = ((await login(httpUrl, { accept: ['CMD_OTA_UPGRADE'] })).json.data as { sessionId: string }).sessionId;
    const ignored = hub.setMeasurepoints({ device: { productKey: PK, deviceKey: DK }, values: { temp: 31 }, timeoutMs: 200 });
    const quiet = await curl([...json, '--data-binary', '@-', topicUrl(httpUrl, otaOnly)], post('11', { temp: 1 }));
    expect(quiet.headers.topic).toBeUndefined();
    expect((await ignored).ok).toBe(false);
  });

  it('hands a command held for an offline device to its next HTTP login (§6.2 pendingTtl)', async () => {
    const { httpUrl, hub } = await setup();
    const held = await hub.getMeasurepoints({ device: { productKey: PK, deviceKey: DK }, ids: ['temp'], timeoutMs: 50, pendingTtlMs: 60_000 });
    expect(held.ok && held.value.status).toBe('pending');
    const sessionId = ((await login(httpUrl)).json.data as { sessionId: string }).sessionId;
    const next = await curl([...json, '--data-binary', '@-', topicUrl(httpUrl, sessionId)], post('13', { temp: 1 }));
    expect(next.headers.topic).toBe(`/sys/${PK}/${DK}/thing/service/measurepoint/get`);
    expect(JSON.parse(next.headers['command-payload']!)).toMatchObject({ method: 'thing.service.measurepoint.get', params: ['temp'] });
  });

  it('serves HTTPS with the hub’s certificate', async () => {
    const { httpsUrl, hub } = await setup();
    const auth = await login(httpsUrl, { extra: ['-k'] });
    const sessionId = (auth.json.data as { sessionId: string }).sessionId;
    const reply = await curl(['-k', ...json, '--data-binary', '@-', topicUrl(httpsUrl, sessionId)], post('12', { temp: 3 }));
    expect(reply.json).toMatchObject({ id: '12', code: 200 });
    expect(hub.sessionList()[0]).toMatchObject({ listener: 'https', tls: { protocol: expect.stringMatching(/^TLSv1\.[23]$/) } });
  });
});
