import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { httpAuthSign } from '../../electron/protocol';
import { curl, run, startTransports } from '../helpers/hub-transports';

/**
 * Issue 6, protocol reference §8 "File points" and "File ops": a device downloads (whole, by
 * `Range`, or as a URL) and deletes the files it uploaded, and uploads with `useLark` by PUTting
 * each file to the URL the hub hands out; every bad input gets its status and EnOS code.
 */

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((hub) => hub.stop()));
});

const FPK = 'pKfile01';
const json = ['-H', 'Content-Type: application/json'];

async function setup(overrides: Parameters<typeof startTransports>[0] = {}) {
  const started = await startTransports(overrides);
  running.push(started);
  const fileModel = { modelId: 'f', name: { defaultValue: 'f' }, attributes: {}, measurepoints: { photo: { identifier: 'photo', dataType: 'FILE' as const, dataDefinition: null } }, services: {}, events: {} };
  started.directory.addProduct({ productKey: FPK, authScheme: 'device-secret', dynamicActivation: false, thingModel: fileModel });
  started.directory.addDevice({ productKey: FPK, deviceKey: 'cam-1', deviceSecret: 'CamSecret0000001' });
  started.directory.addDevice({ productKey: FPK, deviceKey: 'cam-2', deviceSecret: 'CamSecret0000002' });
  return started;
}

async function login(base: string, deviceKey: string, secret: string, lifetime = 300000): Promise<string> {
  const sign = httpAuthSign({ productKey: FPK, deviceKey, lifetime, signMethod: 'sha256', deviceSecret: secret });
  const auth = await curl([...json, '--data-binary', JSON.stringify({ signMethod: 'sha256', lifetime, sign }), `${base}/auth/${FPK}/${deviceKey}`]);
  return (auth.json.data as { sessionId: string }).sessionId;
}

const message = (files: Record<string, { md5?: string }>) =>
  JSON.stringify({
    id: '5',
    version: '1.0',
    method: 'thing.measurepoint.post',
    params: { measurepoints: { photo: `local://${Object.keys(files)[0]}` }, time: 1700000000000 },
    files: Object.fromEntries(Object.entries(files).map(([name, entry]) => [name, { featureId: 'photo', fileName: name, ...entry }])),
  });

/** Uploads `content` in the multipart body as cam-1 and returns its fileUri. */
async function upload(base: string, sessionId: string, dir: string, content: Buffer): Promise<string> {
  const local = join(dir, 'photo.bin');
  writeFileSync(local, content);
  const reply = await curl(['-F', `enos-message=${message({ 'Ab12.bin': {} })};type=application/json`, '-F', `enos-file=@${local};filename=Ab12.bin`, `${base}/multipart/sys/${FPK}/cam-1/thing/measurepoint/post?sessionId=${sessionId}`]);
  expect(reply.status).toBe(200);
  return (reply.json.data as Record<string, { fileUri: string }>)['Ab12.bin']!.fileUri;
}

const fileOp = (base: string, operation: string, query: Record<string, string>, deviceKey = 'cam-1') => `${base}/multipart/sys/${FPK}/${deviceKey}/file/${operation}?${new URLSearchParams(query)}`;

/** curl for a binary body: status, lower-case headers and the raw bytes. */
async function download(args: string[]): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const headerFile = join(mkdtempSync(join(tmpdir(), 'hub-dl-')), 'headers');
  const result = await run('curl', ['-sS', '--max-time', '10', '-D', headerFile, ...args]);
  if (result.code !== 0) throw new Error(`curl failed (${result.code}): ${result.stderr}`);
  const [statusLine, ...lines] = readFileSync(headerFile, 'utf8').trim().split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine!.split(' ')[1]), headers, body: result.stdout };
}

const content = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 13) % 256));

describe('HTTP file download and delete (§8 file ops)', () => {
  it('downloads a stored file whole, by Range (206) and by its URL, then deletes it', async () => {
    const { httpUrl, filesDir } = await setup();
    const sessionId = await login(httpUrl, 'cam-1', 'CamSecret0000001');
    const fileUri = await upload(httpUrl, sessionId, filesDir, content);

    const whole = await download([fileOp(httpUrl, 'download', { sessionId, fileUri, category: 'feature' })]);
    expect(whole.status).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.body.equals(content)).toBe(true);

    const middle = await download(['-H', 'Range: bytes=100-1099', fileOp(httpUrl, 'download', { sessionId, fileUri, category: 'feature' })]);
    expect(middle.status).toBe(206);
    expect(middle.headers['content-range']).toBe(`bytes 100-1099/${content.length}`);
    expect(middle.body.equals(content.subarray(100, 1100))).toBe(true);
    const tail = await download(['-H', 'Range: bytes=-10', fileOp(httpUrl, 'download', { sessionId, fileUri })]);
    expect(tail.body.equals(content.subarray(content.length - 10))).toBe(true);

    const asUrl = await curl([fileOp(httpUrl, 'download/url', { sessionId, fileUri, category: 'feature' })]);
    expect(asUrl.json.code).toBe(200);
    const viaUrl = await download([asUrl.json.data as string]);
    expect(createHash('sha256').update(viaUrl.body).digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));

    const deleted = await curl(['-X', 'POST', fileOp(httpUrl, 'delete', { sessionId, fileUri })]);
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ code: 200, message: '' });
    expect(readdirSync(join(filesDir, FPK, 'cam-1'))).toEqual([]);
    const gone = await curl([fileOp(httpUrl, 'download', { sessionId, fileUri })]);
    expect(gone.status).toBe(404);
    expect(gone.json.code).toBe(1009);
  });

  it('refuses bad file requests with their status and code, and keeps serving', async () => {
    const { httpUrl, filesDir, hub, time } = await setup();
    const sessionId = await login(httpUrl, 'cam-1', 'CamSecret0000001');
    const fileUri = await upload(httpUrl, sessionId, filesDir, content);
    const other = await login(httpUrl, 'cam-2', 'CamSecret0000002');

    // cam-2 names cam-1's file, on its own path and on cam-1's.
    const foreignUri = await curl([fileOp(httpUrl, 'download', { sessionId: other, fileUri }, 'cam-2')]);
    expect([foreignUri.status, foreignUri.json.code]).toEqual([403, 1009]);
    const foreignPath = await curl(['-X', 'POST', fileOp(httpUrl, 'delete', { sessionId: other, fileUri })]);
    expect([foreignPath.status, foreignPath.json.code]).toEqual([403, 1009]);
    for (const bad of ['', 'https://elsewhere/x', `enos-connect://${FPK}/cam-1/../../secret`, `enos-connect://${FPK}/cam-1/.hidden`]) {
      const malformed = await curl([fileOp(httpUrl, 'download', { sessionId, fileUri: bad })]);
      expect([malformed.status, malformed.json.code]).toEqual([400, 1200]);
    }
    const category = await curl([fileOp(httpUrl, 'download', { sessionId, fileUri, category: 'firmware' })]);
    expect([category.status, category.json.code]).toEqual([400, 1200]);
    const ota = await curl([fileOp(httpUrl, 'download', { sessionId, fileUri, category: 'ota' })]);
    expect(ota.status).toBe(404);
    const missing = await curl([fileOp(httpUrl, 'download', { sessionId, fileUri: `enos-connect://${FPK}/cam-1/nothing.bin` })]);
    expect([missing.status, missing.json.code]).toEqual([404, 1009]);
    const beyond = await curl(['-H', `Range: bytes=${content.length}-`, fileOp(httpUrl, 'download', { sessionId, fileUri })]);
    expect([beyond.status, beyond.headers['content-range']]).toEqual([416, `bytes */${content.length}`]);
    const postDownload = await curl(['-X', 'POST', fileOp(httpUrl, 'download', { sessionId, fileUri })]);
    expect(postDownload.status).toBe(405);
    const getDelete = await curl([fileOp(httpUrl, 'delete', { sessionId, fileUri })]);
    expect(getDelete.status).toBe(405);
    const forged = await curl([fileOp(httpUrl, 'download', { sessionId: 'A'.repeat(32), fileUri })]);
    expect([forged.status, forged.json.code]).toEqual([401, 1009]);
    time.now += 300_001;
    const expired = await curl([fileOp(httpUrl, 'download', { sessionId, fileUri })]);
    expect([expired.status, expired.json.code]).toEqual([401, 1009]);
    expect(existsSync(join(filesDir, FPK, 'cam-1'))).toBe(true);
    expect(hub.statsSnapshot().protocols.http!.refusals).toMatchObject({ 'foreign-file': 2, 'malformed-file-uri': 4, 'bad-category': 1, 'file-not-found': 2, 'range-unsatisfiable': 1, 'bad-method': 2, 'session-unknown': 1, 'session-ended': 1 });
  });
});

describe('useLark uploads (§8)', () => {
  it('hands out an upload URL per file; the PUT bytes are stored under the fileUri already published', async () => {
    const { httpUrl, filesDir, hub } = await setup();
    const sessionId = await login(httpUrl, 'cam-1', 'CamSecret0000001');
    const md5 = createHash('md5').update(content).digest('hex');
    const url = `${httpUrl}/multipart/sys/${FPK}/cam-1/thing/measurepoint/post?sessionId=${sessionId}&useLark=true`;
    const reserved = await curl(['-F', `enos-message=${message({ 'Ab12.bin': { md5 } })};type=application/json`, url]);
    expect(reserved.status).toBe(200);
    expect(reserved.json).toMatchObject({ id: '5', code: 200 });
    const slot = (reserved.json.data as Record<string, { fileUri: string; uploadUrl: string; filename: string; headers: Record<string, string> }>)['Ab12.bin']!;
    expect(slot).toMatchObject({ filename: 'Ab12.bin', headers: { 'Content-Type': 'application/octet-stream' } });
    expect(slot.uploadUrl.startsWith(`${httpUrl}/upload/`)).toBe(true);
    expect(hub.messages({ productKey: FPK, deviceKey: 'cam-1' })[0]!.values).toEqual({ photo: slot.fileUri });

    const local = join(filesDir, 'lark.bin');
    writeFileSync(local, content);
    const put = await curl(['-X', 'PUT', '-H', 'Content-Type: application/octet-stream', '--data-binary', `@${local}`, slot.uploadUrl]);
    expect(put.status).toBe(200);
    expect(put.json.data).toEqual({ fileUri: slot.fileUri, size: content.length, sha256: createHash('sha256').update(content).digest('hex') });
    const back = await download([fileOp(httpUrl, 'download', { sessionId, fileUri: slot.fileUri })]);
    expect(back.body.equals(content)).toBe(true);

    // One PUT per URL.
    const again = await curl(['-X', 'PUT', '--data-binary', `@${local}`, slot.uploadUrl]);
    expect([again.status, again.json.code]).toEqual([404, 1009]);
  });

  it('refuses a wrong md5, an oversized or expired PUT and file parts in a useLark request', async () => {
    const { httpUrl, filesDir, hub, time } = await setup({ http: { upload: { fileBytes: 1024 }, larkUploadTtlMs: 60_000 } });
    const sessionId = await login(httpUrl, 'cam-1', 'CamSecret0000001');
    const url = `${httpUrl}/multipart/sys/${FPK}/cam-1/thing/measurepoint/post?sessionId=${sessionId}&useLark=true`;
    const reserve = async (md5?: string) => {
      const reply = await curl(['-F', `enos-message=${message({ 'a.bin': md5 ? { md5 } : {} })}`, url]);
      return (reply.json.data as Record<string, { uploadUrl: string }>)['a.bin']!.uploadUrl;
    };
    const wrongMd5 = await curl(['-X', 'PUT', '--data-binary', 'hello', await reserve('0'.repeat(32))]);
    expect([wrongMd5.status, wrongMd5.json.code]).toEqual([400, 1206]);
    const tooLarge = await curl(['-X', 'PUT', '--data-binary', '@-', await reserve()], Buffer.alloc(4096, 1));
    expect([tooLarge.status, tooLarge.json.code]).toEqual([413, 1008]);
    const late = await reserve();
    time.now += 60_001;
    const expired = await curl(['-X', 'PUT', '--data-binary', 'hello', late]);
    expect([expired.status, expired.json.code]).toEqual([404, 1009]);
    const forged = await curl(['-X', 'PUT', '--data-binary', 'hello', `${httpUrl}/upload/${'B'.repeat(32)}`]);
    expect(forged.status).toBe(404);
    const local = join(filesDir, 'small.bin');
    writeFileSync(local, 'small');
    const withParts = await curl(['-F', `enos-message=${message({ 'a.bin': {} })}`, '-F', `enos-file=@${local};filename=a.bin`, url]);
    expect([withParts.status, withParts.json.code]).toEqual([400, 1206]);
    const postUpload = await curl(['-X', 'POST', '--data-binary', 'hello', `${httpUrl}/upload/${'B'.repeat(32)}`]);
    expect(postUpload.status).toBe(405);
    expect(readdirSync(join(filesDir, '.incoming'))).toEqual([]);
    expect(existsSync(join(filesDir, FPK, 'cam-1'))).toBe(false);
    expect(hub.statsSnapshot().protocols.http!.refusals).toMatchObject({ 'md5-mismatch': 1, 'file-too-large': 1, 'upload-unknown': 2, 'invalid-multipart': 1, 'bad-method': 1 });
  });
});
