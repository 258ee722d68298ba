import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCoapAuth, verifyCoapAuth } from '../../electron/hub/coap/auth';
import { Block1Assembler, parseBlockOption } from '../../electron/hub/coap/block';
import { RecentAnswers, uriPath } from '../../electron/hub/coap/direct';
import { screenOptions } from '../../electron/hub/coap/options';
import { commandType, parseHttpAuth, verifyHttpAuth } from '../../electron/hub/http/auth';
import { commandHeaders } from '../../electron/hub/http/command-headers';
import { lookupFileUri, parseRange } from '../../electron/hub/http/files';
import { LarkUploads } from '../../electron/hub/http/lark-uploads';
import { safeName, uploadRequest } from '../../electron/hub/http/multipart';
import { parseRequestTarget, queryParam } from '../../electron/hub/http/target';
import { replyCode } from '../../electron/hub/polled-link';
import { buildReply } from '../../electron/protocol';

const PK = 'pKdemo01';
const DK = 'dev-001';
const SECRET = 'DsDemoSecret0001';

describe('HTTP auth body (protocol reference §8, §13 #14)', () => {
  it('verifies test vector H1 in either hex case', () => {
    const sign = 'a6f3c32ef250bddeb3abca3d02d2a14ff778d06992a6b34a3ac3a5f29bad67cc';
    for (const variant of [sign, sign.toUpperCase()]) {
      const parsed = parseHttpAuth(Buffer.from(JSON.stringify({ signMethod: 'sha256', lifetime: 300000, sign: variant })), PK, DK)!;
      expect(parsed.lifetimeMs).toBe(300000);
      expect(verifyHttpAuth(parsed, SECRET)).toBe(true);
      expect(verifyHttpAuth(parsed, 'DsDemoSecret0002')).toBe(false);
    }
  });

  it('reads a 40-hex sign without signMethod as sha1 over the fields sent (old doc)', () => {
    const sign = createHash('sha1').update(`deviceKey${DK}lifetime300000productKey${PK}${SECRET}`).digest('hex');
    const parsed = parseHttpAuth(Buffer.from(JSON.stringify({ lifetime: 300000, sign })), PK, DK)!;
    expect(parsed.signMethod.algorithm).toBe('sha1');
    expect(verifyHttpAuth(parsed, SECRET)).toBe(true);
  });

  it('defaults the lifetime to 300000 ms and refuses malformed bodies', () => {
    expect(parseHttpAuth(Buffer.from(JSON.stringify({ signMethod: 'sha256', sign: 'ab'.repeat(32) })), PK, DK)!.lifetimeMs).toBe(300000);
    for (const body of ['not json', '[]', '{}', JSON.stringify({ sign: 'zz'.repeat(32) }), JSON.stringify({ sign: 'ab'.repeat(32), lifetime: 0 }), JSON.stringify({ sign: 'ab'.repeat(32), lifetime: 1.5 }), JSON.stringify({ sign: 'ab'.repeat(32), signMethod: 'sha512' }), JSON.stringify({ sign: 'ab'.repeat(32), acceptCommandTypes: 'CMD_OTA_UPGRADE' })]) {
      expect(parseHttpAuth(Buffer.from(body), PK, DK)).toBeNull();
    }
  });

  it('sorts commands into the §8 command types', () => {
    expect(commandType(`/sys/${PK}/${DK}/ota/device/upgrade`)).toBe('CMD_OTA_UPGRADE');
    expect(commandType(`/sys/${PK}/${DK}/thing/service/reboot`)).toBe('CMD_PENDING_INVOKE');
  });
});

describe('CoAP auth body (protocol reference §7)', () => {
  it('verifies test vector C1', () => {
    const parsed = parseCoapAuth(Buffer.from(JSON.stringify({ secureMode: 2, lifetime: 3600, sign: '32DD8C9AE9307C68619366FCD054370649156FD5C6A2709B8457E1A388E1F344' })))!;
    expect(verifyCoapAuth(parsed, { productKey: PK, deviceKey: DK }, SECRET)).toBe(true);
    expect(verifyCoapAuth(parsed, { productKey: PK, deviceKey: 'dev-002' }, SECRET)).toBe(false);
  });

  it('refuses mode 3, a lifetime outside 30–86400 s and malformed signs', () => {
    const sign = 'AB'.repeat(32);
    for (const body of [{ secureMode: 3, lifetime: 3600, sign }, { secureMode: 2, lifetime: 29, sign }, { secureMode: 2, lifetime: 86401, sign }, { secureMode: 2, lifetime: 3600, sign: 'AB' }, { lifetime: 3600, sign }]) {
      expect(parseCoapAuth(Buffer.from(JSON.stringify(body)))).toBeNull();
    }
    expect(parseCoapAuth(Buffer.from('garbage'))).toBeNull();
  });
});

describe('Block1 (RFC 7959) assembled by the hub', () => {
  const limits = { maxBytes: 64, maxPending: 2, maxAgeMs: 1000 };
  const block = (num: number, more: boolean) => ({ num, more, size: 16 });

  it('parses the option and refuses the reserved size and over-long values', () => {
    expect(parseBlockOption(Buffer.from([0x1a]))).toEqual({ num: 1, more: true, size: 64 });
    expect(parseBlockOption(Buffer.alloc(0))).toEqual({ num: 0, more: false, size: 16 });
    expect(parseBlockOption(Buffer.from([0x07]))).toBeNull();
    expect(parseBlockOption(Buffer.from([1, 2, 3, 4]))).toBeNull();
  });

  it('assembles blocks in order', () => {
    const assembler = new Block1Assembler(limits);
    expect(assembler.add('a', block(0, true), Buffer.alloc(16, 1), 0)).toEqual({ status: 'continue' });
    expect(assembler.add('a', block(1, false), Buffer.from('end'), 1)).toEqual({ status: 'complete', body: Buffer.concat([Buffer.alloc(16, 1), Buffer.from('end')]) });
    expect(assembler.size).toBe(0);
  });

  it('refuses gaps, unknown bodies, short blocks, oversize, stale and evicted bodies', () => {
    const assembler = new Block1Assembler(limits);
    expect(assembler.add('a', block(1, false), Buffer.from('x'), 0).status).toBe('incomplete');
    assembler.add('a', block(0, true), Buffer.alloc(16), 0);
    expect(assembler.add('a', block(2, false), Buffer.from('x'), 0).status).toBe('incomplete');
    assembler.add('a', block(0, true), Buffer.alloc(16), 0);
    expect(assembler.add('a', block(1, true), Buffer.alloc(3), 0).status).toBe('invalid');
    assembler.add('a', block(0, true), Buffer.alloc(16), 0);
    expect(assembler.add('a', { num: 1, more: true, size: 32 }, Buffer.alloc(32), 0).status).toBe('incomplete');
    for (let num = 0; num < 4; num++) expect(assembler.add('b', block(num, true), Buffer.alloc(16), 0).status).toBe('continue');
    expect(assembler.add('b', block(4, false), Buffer.from('x'), 0).status).toBe('too-large');
    assembler.add('c', block(0, true), Buffer.alloc(16), 0);
    expect(assembler.add('c', block(1, false), Buffer.from('x'), 1001).status).toBe('incomplete');
    for (const key of ['d', 'e', 'f']) assembler.add(key, block(0, true), Buffer.alloc(16), 0);
    expect(assembler.size).toBe(2);
    expect(assembler.add('d', block(1, false), Buffer.from('x'), 0).status).toBe('incomplete');
  });
});

describe('CoAP option screening (RFC 7252 §5.4)', () => {
  it('refuses unknown critical options, drops elective ones and Observe, takes Block1 out', () => {
    const packet = { options: [{ name: 'Uri-Path', value: Buffer.from('topic') }, { name: 'Observe', value: Buffer.alloc(0) }, { name: '2102', value: Buffer.from('x') }, { name: 'Block1', value: Buffer.from([0x08]) }] };
    const screened = screenOptions(packet);
    expect(screened).toMatchObject({ badOption: false, block1: { num: 0, more: true, size: 16 } });
    expect(packet.options.map((option) => option.name)).toEqual(['Uri-Path']);
    expect(screenOptions({ options: [{ name: '2101', value: Buffer.from('x') }] }).badOption).toBe(true);
    expect(screenOptions({ options: [{ name: 'If-Match', value: Buffer.from('x') }] }).badOption).toBe(true);
    expect(screenOptions({ options: [{ name: 'Block2', value: Buffer.from([0x0f]) }] }).badOption).toBe(true);
  });
});

describe('CoAP answers kept for retransmissions (RFC 7252 §4.5)', () => {
  it('finds the last answer of an endpoint by message id within the exchange lifetime', () => {
    const recent = new RecentAnswers({ maxEndpoints: 2, lifetimeMs: 1000 });
    const answer = Buffer.from('a');
    recent.remember('127.0.0.1:1', 7, answer, 0);
    expect(recent.find('127.0.0.1:1', 7, 1000)).toBe(answer);
    expect(recent.find('127.0.0.1:1', 7, 1001)).toBeNull();
    expect(recent.find('127.0.0.1:1', 8, 10)).toBeNull();
    expect(recent.find('127.0.0.1:2', 7, 10)).toBeNull();
    recent.remember('127.0.0.1:1', 8, Buffer.from('b'), 10);
    expect(recent.find('127.0.0.1:1', 7, 10)).toBeNull();
    expect(recent.find('127.0.0.1:1', 8, 10)?.toString()).toBe('b');
  });

  it('forgets the endpoint first seen longest ago when full', () => {
    const recent = new RecentAnswers({ maxEndpoints: 2, lifetimeMs: 1000 });
    for (const port of [1, 2, 3]) recent.remember(`127.0.0.1:${port}`, port, Buffer.from([port]), 0);
    expect([1, 2, 3].map((port) => recent.find(`127.0.0.1:${port}`, port, 0)?.[0] ?? null)).toEqual([null, 2, 3]);
  });

  it('spells the path from the Uri-Path options', () => {
    const options = ['topic', 'sys', 'pk', 'dk'].map((segment) => ({ name: 'Uri-Path' as const, value: Buffer.from(segment) }));
    expect(uriPath({ options: [...options, { name: 'Content-Format' as const, value: Buffer.from([50]) }] })).toBe('/topic/sys/pk/dk');
    expect(uriPath({ options: [] })).toBe('/');
  });
});

describe('pending commands in HTTP headers (§8)', () => {
  it('keeps JSON as JSON with non-ASCII escaped, and sends opaque bytes as base64', () => {
    const payload = Buffer.from(JSON.stringify({ id: '1', params: { name: '温度' } }));
    const headers = commandHeaders({ topic: '/sys/p/d/thing/service/x', payload });
    expect(headers['command-payload']).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(headers['command-payload']!)).toEqual({ id: '1', params: { name: '温度' } });
    const raw = commandHeaders({ topic: '/sys/p/d/thing/model/down_raw', payload: Buffer.from([0, 1, 0xff, 10]) });
    expect(raw).toMatchObject({ 'command-payload': Buffer.from([0, 1, 0xff, 10]).toString('base64'), 'command-payload-encoding': 'base64' });
  });

  it('reads the code of a reply the hub built, whatever its id holds', () => {
    expect(replyCode(Buffer.from(buildReply({ id: 'x"code":200', code: 1009, message: 'm' })))).toBe(1009);
    expect(replyCode(Buffer.from('nothing'))).toBeNull();
  });

  it('keeps uploaded file names to a safe character set', () => {
    expect(safeName('../../etc/passwd')).toBe('__.._etc_passwd');
    expect(safeName('Ab12.bin')).toBe('Ab12.bin');
    expect(safeName('')).toBe('file');
  });

  it('turns either upload request form into the device’s measurepoint post (§13 #15)', () => {
    const files = { 'a.bin': { featureId: 'photo' } };
    const java = { id: '1', method: 'thing.measurepoint.post', params: { measurepoints: { photo: 'local://a.bin' } }, files };
    expect(uploadRequest(java, DK)).toEqual({ id: '1', method: 'thing.measurepoint.post', params: { measurepoints: { photo: 'local://a.bin' } } });
    const sample = { id: '2', method: 'integration.measurepoint.post', params: [{ deviceKey: DK, measurepoints: { photo: 'local://a.bin' }, time: 5 }], files };
    expect(uploadRequest(sample, DK)).toEqual({ id: '2', method: 'thing.measurepoint.post', params: { measurepoints: { photo: 'local://a.bin' }, time: 5 } });
    const other = { ...sample, params: [{ deviceKey: 'dev-002', measurepoints: {} }] };
    expect(uploadRequest(other, DK).params).toEqual([{ deviceKey: 'dev-002', measurepoints: {} }]);
  });
});

describe('HTTP request targets (§8)', () => {
  it('routes topics, uploads, file operations and useLark upload URLs; refuses targets that are not origin-form', () => {
    expect(parseRequestTarget(`/topic/sys/${PK}/${DK}/thing/measurepoint/post?sessionId=abc`)).toEqual({ target: { route: 'topic', topic: `/sys/${PK}/${DK}/thing/measurepoint/post` }, query: 'sessionId=abc' });
    expect(parseRequestTarget(`/multipart/sys/${PK}/${DK}/thing/measurepoint/post`)!.target).toEqual({ route: 'multipart', topic: `/sys/${PK}/${DK}/thing/measurepoint/post` });
    expect(parseRequestTarget(`/multipart/sys/${PK}/${DK}/file/download/url?x`)!.target).toEqual({ route: 'file', operation: 'download-url', productKey: PK, deviceKey: DK });
    expect(parseRequestTarget(`/multipart/sys/${PK}/${DK}/file/delete`)!.target).toMatchObject({ route: 'file', operation: 'delete' });
    expect(parseRequestTarget(`/multipart/sys/${PK}/${DK}/file/rename`)!.target).toMatchObject({ route: 'multipart' });
    expect(parseRequestTarget('/upload/tok')!.target).toEqual({ route: 'upload', token: 'tok' });
    expect(parseRequestTarget('/elsewhere')!.target).toEqual({ route: 'unknown' });
    expect(parseRequestTarget('//evil/topic/x')).toBeNull();
    expect(parseRequestTarget('http://hub:8080/topic/x?sessionId=1')).toEqual({ target: { route: 'topic', topic: '/x' }, query: 'sessionId=1' });
    expect(parseRequestTarget('http://hub')!.target).toEqual({ route: 'unknown' });
    expect(parseRequestTarget('ftp://hub/topic/x')).toBeNull();
    expect(parseRequestTarget('*')).toBeNull();
  });

  it('decodes only the query parameter asked for', () => {
    expect(queryParam('a=1&sessionId=x%2By&b', 'sessionId')).toBe('x+y');
    expect(queryParam('fileUri=enos-connect%3A%2F%2Fp%2Fd%2Ff+g', 'fileUri')).toBe('enos-connect://p/d/f g');
    expect(queryParam('b', 'b')).toBe('');
    expect(queryParam('a=%E0%A4%A', 'a')).toBeNull();
    expect(queryParam('', 'a')).toBeNull();
    expect(queryParam('sessionIdX=1', 'sessionId')).toBeNull();
  });
});

describe('HTTP file URIs and ranges (§8 file ops)', () => {
  const device = { productKey: PK, deviceKey: DK };
  it('resolves only the device’s own stored names', () => {
    expect(lookupFileUri('/files', device, `enos-connect://${PK}/${DK}/abc-photo.bin`)).toEqual({ ok: true, path: `/files/${PK}/${DK}/abc-photo.bin`, name: 'abc-photo.bin' });
    expect(lookupFileUri('/files', device, `enos-connect://${PK}/dev-002/abc.bin`)).toEqual({ ok: false, reason: 'foreign-file' });
    for (const bad of [`enos-connect://${PK}/${DK}/..`, `enos-connect://${PK}/${DK}/a/b`, `enos-connect://${PK}/${DK}/.x`, `enos-connect://${PK}/${DK}/`, `file:///etc/passwd`, `enos-connect://${PK}/${DK}/a%2F..`]) {
      expect(lookupFileUri('/files', device, bad)).toEqual({ ok: false, reason: 'malformed-file-uri' });
    }
  });

  it('reads one byte range (RFC 9110 §14.2) and ignores what a server may ignore', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=90-500', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
    for (const ignored of [undefined, 'bytes=5-2', 'bytes=0-1,4-5', 'items=0-1', 'bytes=-', 'bytes=a-b']) expect(parseRange(ignored, 100)).toBeNull();
  });
});

describe('useLark upload URLs (§8)', () => {
  it('are one-time, expire, and are bounded in number', () => {
    const time = { now: 0 };
    const uploads = new LarkUploads(() => time.now, 1000, 2);
    const slot = { device: { productKey: PK, deviceKey: DK }, storedName: 'n-a.bin', fileName: 'a.bin', md5: null };
    const first = uploads.reserve(slot);
    expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(uploads.take(first)).toMatchObject(slot);
    expect(uploads.take(first)).toBeNull();
    const late = uploads.reserve(slot);
    time.now += 1000;
    expect(uploads.take(late)).toBeNull();
    const [a, b, c] = [uploads.reserve(slot), uploads.reserve(slot), uploads.reserve(slot)];
    expect(uploads.take(a)).toBeNull();
    expect(uploads.take(b)).not.toBeNull();
    expect(uploads.take(c)).not.toBeNull();
  });
});

describe('reply codes read from the bytes', () => {
  it('reads negative, absent and non-numeric codes', () => {
    expect(replyCode(Buffer.from('{"id":"1","code":-3}'))).toBe(-3);
    expect(replyCode(Buffer.from('{"id":"1","code":"200"}'))).toBeNull();
    expect(replyCode(Buffer.from('{"code":'))).toBeNull();
  });
});
