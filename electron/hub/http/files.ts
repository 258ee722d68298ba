import { join } from 'node:path';
import type { DeviceRef } from '../directory';

/**
 * Files devices uploaded over HTTP (protocol reference §8 "File points", "File ops"): each lies in
 * `<filesDir>/<pk>/<dk>/<name>` and is named on the wire `enos-connect://<pk>/<dk>/<name>`. A
 * device reaches only its own folder, and only names the hub itself gives (no separators, no
 * leading dot), so a URI can never point outside it.
 */

const SCHEME = 'enos-connect://';
/** The names `keepFile` and the useLark reservations produce (`safeName` keeps to this set). */
const STORED_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

export type FileLookup = { ok: true; path: string; name: string } | { ok: false; reason: 'malformed-file-uri' | 'foreign-file' };

export function deviceFilesDir(filesDir: string, device: DeviceRef): string {
  return join(filesDir, device.productKey, device.deviceKey);
}

export function fileUriOf(device: DeviceRef, name: string): string {
  return `${SCHEME}${device.productKey}/${device.deviceKey}/${name}`;
}

/** Where a device's `fileUri` lies; another device's URI is `foreign-file`, anything else malformed. */
export function lookupFileUri(filesDir: string, device: DeviceRef, uri: string): FileLookup {
  if (!uri.startsWith(SCHEME)) return { ok: false, reason: 'malformed-file-uri' };
  const parts = uri.slice(SCHEME.length).split('/');
  if (parts.length !== 3 || !parts[0] || !parts[1] || !STORED_NAME.test(parts[2]!)) return { ok: false, reason: 'malformed-file-uri' };
  if (parts[0] !== device.productKey || parts[1] !== device.deviceKey) return { ok: false, reason: 'foreign-file' };
  return { ok: true, path: join(deviceFilesDir(filesDir, device), parts[2]!), name: parts[2]! };
}

/** Inclusive byte positions. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * A single `Range: bytes=…` (RFC 9110 §14.2): null means "send it whole" (no header, another
 * unit, several ranges or a syntax the RFC lets a server ignore); `unsatisfiable` is a 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== '' && Number(match[2]) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}
