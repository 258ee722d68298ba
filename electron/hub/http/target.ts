/**
 * The request target of the HTTP endpoint (protocol reference §8), read by hand rather than with
 * `new URL` (every publish passes here): the path is taken as sent, so a topic reaches the hub's
 * ACL verbatim, and only the query parameters asked for are decoded.
 */

export type FileOperation = 'download' | 'download-url' | 'delete';

export type RequestTarget =
  | { route: 'auth'; segments: string[] }
  | { route: 'topic' | 'multipart'; topic: string }
  /** `/multipart/sys/{pk}/{dk}/file/download[/url]`, `/multipart/sys/{pk}/{dk}/file/delete`. */
  | { route: 'file'; operation: FileOperation; productKey: string; deviceKey: string }
  /** A useLark upload URL, `/upload/{token}` (ours: §8 leaves the URL to the server). */
  | { route: 'upload'; token: string }
  | { route: 'unknown' };

export interface ParsedTarget {
  readonly target: RequestTarget;
  readonly query: string;
}

const FILE_OPERATIONS: Readonly<Record<string, FileOperation>> = { download: 'download', 'download/url': 'download-url', delete: 'delete' };

/** RFC 9112 §3.2.2: a server accepts the absolute form too (`http://host/path?query`). */
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i;

/** Null when the target is neither origin-form (`/path?query`, RFC 9112 §3.2.1) nor absolute-form. */
export function parseRequestTarget(target: string): ParsedTarget | null {
  const absolute = ABSOLUTE_FORM.exec(target);
  const url = absolute ? target.slice(absolute[0].length) || '/' : target;
  if (url.charCodeAt(0) !== 0x2f || url.charCodeAt(1) === 0x2f) return null;
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  const query = mark === -1 ? '' : url.slice(mark + 1);
  return { target: routeOf(path), query };
}

function routeOf(path: string): RequestTarget {
  if (path.startsWith('/topic/')) return { route: 'topic', topic: path.slice('/topic'.length) };
  if (path.startsWith('/multipart/')) {
    const segments = path.split('/');
    // ['', 'multipart', 'sys', pk, dk, 'file', operation…]: MQTT topics never have `file` there.
    const operation = segments[2] === 'sys' && segments[5] === 'file' ? FILE_OPERATIONS[segments.slice(6).join('/')] : undefined;
    if (operation && segments[3] && segments[4]) return { route: 'file', operation, productKey: segments[3], deviceKey: segments[4] };
    return { route: 'multipart', topic: path.slice('/multipart'.length) };
  }
  if (path.startsWith('/auth/')) return { route: 'auth', segments: path.split('/') };
  if (path.startsWith('/upload/')) return { route: 'upload', token: path.slice('/upload/'.length) };
  return { route: 'unknown' };
}

/** One query parameter, percent-decoded (`+` is a space); null when absent or badly encoded. Names are matched as sent. */
export function queryParam(query: string, name: string): string | null {
  if (query === '') return null;
  for (const pair of query.split('&')) {
    const equals = pair.indexOf('=');
    if ((equals === -1 ? pair : pair.slice(0, equals)) !== name) continue;
    const value = equals === -1 ? '' : pair.slice(equals + 1);
    if (!value.includes('%') && !value.includes('+')) return value;
    try {
      return decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      return null;
    }
  }
  return null;
}
