import busboy from 'busboy';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

/**
 * FILE measurepoints over HTTP (protocol reference §8, §13 #15): a `multipart/form-data` body with
 * the request JSON in part `enos-message` (values `"local://<fileName>"`, a top-level `files` map
 * declaring each file with `featureId` and optionally `md5`), then one `enos-file` part per file.
 * Files stream to disk under size limits; each is hashed (SHA-256 recorded, MD5 checked when given).
 */

export interface UploadLimits {
  /** Largest single file. */
  fileBytes: number;
  /** Most files per request. */
  files: number;
  /** Largest `enos-message` part (§9: 512 KiB like any payload). */
  messageBytes: number;
}

export interface StoredFile {
  readonly fileName: string;
  readonly featureId: string;
  readonly size: number;
  readonly sha256: string;
  readonly md5: string;
  /** Where it lies until `keep` moves it (a temporary name under the files folder). */
  readonly tempPath: string;
}

export type UploadFailure = { reason: 'invalid-multipart' | 'file-too-large' | 'undeclared-file' | 'md5-mismatch' | 'message-not-json'; detail: string };
export type Upload = { ok: true; message: Record<string, unknown>; files: StoredFile[]; declared: ReadonlyMap<string, DeclaredFile> } | ({ ok: false } & UploadFailure);

export interface DeclaredFile {
  readonly featureId: string;
  /** Lower-case hex. */
  readonly md5: string | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `files:{name:{featureId, md5?, …}}` in either §13 #15 shape; null when malformed. */
function declaredFiles(message: Record<string, unknown>): Map<string, DeclaredFile> | null {
  if (!isRecord(message.files)) return null;
  const declared = new Map<string, DeclaredFile>();
  for (const [name, entry] of Object.entries(message.files)) {
    if (!isRecord(entry) || typeof entry.featureId !== 'string') return null;
    declared.set(name, { featureId: entry.featureId, md5: typeof entry.md5 === 'string' ? entry.md5.toLowerCase() : null });
  }
  return declared;
}

/** Hashes bytes as they pass. */
function hashing(): Transform & { sha256: ReturnType<typeof createHash>; md5: ReturnType<typeof createHash>; size: number } {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sha256.update(chunk);
      md5.update(chunk);
      (transform as unknown as { size: number }).size += chunk.length;
      callback(null, chunk);
    },
  });
  return Object.assign(transform, { sha256, md5, size: 0 });
}

/**
 * Reads the whole upload; on failure every temporary file is removed. `useLark` (§8): the body is
 * the `enos-message` alone, its files come later by PUT.
 */
export async function receiveUpload(request: IncomingMessage, incomingDir: string, limits: UploadLimits, useLark = false): Promise<Upload> {
  await mkdir(incomingDir, { recursive: true });
  const files: StoredFile[] = [];
  let message: Record<string, unknown> | null = null;
  let declared: Map<string, DeclaredFile> | null = null;
  let failure: UploadFailure | null = null;
  const writes: Promise<void>[] = [];
  const fail = (reason: UploadFailure['reason'], detail: string) => {
    failure ??= { reason, detail };
  };
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: request.headers, limits: { fileSize: limits.fileBytes, files: limits.files, fields: 1, fieldSize: limits.messageBytes, parts: limits.files + 1 } });
  } catch (error) {
    return { ok: false, reason: 'invalid-multipart', detail: (error as Error).message };
  }
  parser.on('field', (name, value, info) => {
    if (name !== 'enos-message') return fail('invalid-multipart', `unexpected field "${name.slice(0, 40)}"`);
    if (info.valueTruncated) return fail('file-too-large', 'enos-message is larger than 512 KiB');
    try {
      const parsed: unknown = JSON.parse(value);
      if (!isRecord(parsed)) return fail('message-not-json', 'enos-message must be a JSON object');
      message = parsed;
      declared = declaredFiles(parsed);
      if (!declared) fail('invalid-multipart', 'enos-message needs files:{<fileName>:{featureId, md5?}}');
    } catch {
      fail('message-not-json', 'enos-message is not JSON');
    }
  });
  parser.on('file', (name, stream, info) => {
    const fileName = info.filename ?? '';
    const entry = declared?.get(fileName);
    if (useLark && !failure) fail('invalid-multipart', 'a useLark upload carries no file parts: PUT each file to its uploadUrl');
    if (name !== 'enos-file' || !entry || failure) {
      if (!failure) fail(declared ? 'undeclared-file' : 'invalid-multipart', declared ? `file "${fileName.slice(0, 80)}" is not declared in files` : 'enos-message must come before the files');
      stream.resume();
      return;
    }
    const tempPath = join(incomingDir, randomBytes(12).toString('hex'));
    const hash = hashing();
    stream.on('limit', () => fail('file-too-large', `file "${fileName.slice(0, 80)}" is larger than ${limits.fileBytes} bytes`));
    writes.push(
      pipeline(stream, hash, createWriteStream(tempPath, { mode: 0o600 })).then(
        () => {
          const md5 = hash.md5.digest('hex');
          if (entry.md5 !== null && entry.md5 !== md5) fail('md5-mismatch', `file "${fileName.slice(0, 80)}" does not match its md5`);
          files.push({ fileName, featureId: entry.featureId, size: hash.size, sha256: hash.sha256.digest('hex'), md5, tempPath });
        },
        (error: Error) => fail('invalid-multipart', error.message),
      ),
    );
  });
  parser.on('filesLimit', () => fail('invalid-multipart', `more than ${limits.files} files`));
  parser.on('partsLimit', () => fail('invalid-multipart', 'too many parts'));
  parser.on('fieldsLimit', () => fail('invalid-multipart', 'more than one enos-message'));
  try {
    await pipeline(request, parser);
  } catch (error) {
    fail('invalid-multipart', (error as Error).message);
  }
  await Promise.allSettled(writes);
  if (!failure && !message) fail('invalid-multipart', 'no enos-message part');
  if (!failure && !useLark && declared && files.length !== (declared as Map<string, DeclaredFile>).size) fail('invalid-multipart', 'a declared file is missing');
  if (failure) {
    await Promise.all(files.map((file) => rm(file.tempPath, { force: true })));
    return { ok: false, ...(failure as UploadFailure) };
  }
  return { ok: true, message: message!, files, declared: declared! };
}

/**
 * The upload's request as MQTT carries it (§13 #15): without the `files` map; the doc sample's
 * `integration.measurepoint.post` with `params:[{deviceKey, measurepoints, time}]` becomes the
 * device's own `thing.measurepoint.post` (its entry for this device, or the params unchanged so
 * the hub answers the format error).
 */
export function uploadRequest(message: Record<string, unknown>, deviceKey: string): Record<string, unknown> {
  const { files: _files, ...request } = message;
  if (request.method !== 'integration.measurepoint.post') return request;
  const entry = Array.isArray(request.params) && request.params.length === 1 ? request.params[0] : null;
  const own = isRecord(entry) && entry.deviceKey === deviceKey ? { measurepoints: entry.measurepoints, ...(entry.time !== undefined ? { time: entry.time } : {}) } : request.params;
  return { ...request, method: 'thing.measurepoint.post', params: own };
}

export type ReceivedFile = { ok: true; size: number; sha256: string; md5: string; tempPath: string } | { ok: false; reason: 'file-too-large' | 'aborted' };

/**
 * A raw request body (a useLark PUT, §8) streamed to a temporary file and hashed, at most `maxBytes`;
 * over that it stops reading (the caller answers 413 and closes) and nothing is left on disk.
 */
export async function receiveFile(request: IncomingMessage, incomingDir: string, maxBytes: number): Promise<ReceivedFile> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, reason: 'file-too-large' };
  await mkdir(incomingDir, { recursive: true });
  const tempPath = join(incomingDir, randomBytes(12).toString('hex'));
  const out = createWriteStream(tempPath, { mode: 0o600 });
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  let size = 0;
  return new Promise((resolve) => {
    const detach = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('aborted', onAborted);
      request.off('error', onAborted);
    };
    const fail = (reason: 'file-too-large' | 'aborted') => {
      detach();
      out.destroy();
      void rm(tempPath, { force: true }).then(() => resolve({ ok: false, reason }));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return fail('file-too-large');
      sha256.update(chunk);
      md5.update(chunk);
      if (!out.write(chunk)) {
        request.pause();
        out.once('drain', () => request.resume());
      }
    };
    const onEnd = () => {
      detach();
      out.end(() => resolve({ ok: true, size, sha256: sha256.digest('hex'), md5: md5.digest('hex'), tempPath }));
    };
    const onAborted = () => fail('aborted');
    out.once('error', onAborted);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('aborted', onAborted);
    request.on('error', onAborted);
  });
}

/** A file uploaded in the multipart body is kept as `<sha256>-<fileName>` (content-addressed: the hash is in the name). */
export function storedNameOf(file: StoredFile): string {
  return `${file.sha256}-${safeName(file.fileName)}`;
}

/** Moves a received temporary file to `<dir>/<name>`. */
export async function keepFile(tempPath: string, dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, name);
  await rename(tempPath, target);
  return target;
}

/** File names come from the device: only a conservative character set reaches the file system. */
export function safeName(fileName: string): string {
  return fileName.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 100) || 'file';
}
