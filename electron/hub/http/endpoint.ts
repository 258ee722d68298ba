import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../../core/logger';
import { buildReply, MAX_PAYLOAD_BYTES, parseReply, ReturnCode } from '../../protocol';
import type { Hub } from '../hub';
import type { Refusal } from '../login-check';
import { replyCode } from '../polled-link';
import { PolledSessions, type PolledSession } from '../polled-sessions';
import type { ListenerKind } from '../session';
import { clientCertificateOf, secureContextOf, tlsDetailsOf, tlsServerOptions } from '../tls';
import { commandType, parseHttpAuth, verifyHttpAuth } from './auth';
import { readBody } from './body';
import { commandHeaders } from './command-headers';
import { deviceFilesDir, fileUriOf, lookupFileUri, parseRange } from './files';
import { LarkUploads } from './lark-uploads';
import { keepFile, receiveFile, receiveUpload, safeName, storedNameOf, uploadRequest, type UploadLimits } from './multipart';
import { parseRequestTarget, queryParam, type FileOperation } from './target';

/**
 * The hub's EnOS HTTP endpoint (protocol reference §8): `POST /auth/{pk}/{dk}` gives a session id
 * with a lifetime; `POST /topic<MQTT topic>?sessionId=` is answered synchronously with the MQTT
 * reply envelope; `POST /multipart<MQTT topic>` uploads FILE measurepoints (or, with `useLark`,
 * hands out upload URLs the device PUTs to), and `/multipart/sys/{pk}/{dk}/file/…` downloads and
 * deletes them. Pending commands ride in the `topic` + `command-payload` headers of the device's
 * next response. HTTPS asks for a client certificate: certificate products (§4) log in with one
 * and use their session only on a connection that shows the same one. The adapter only
 * translates: login checks, routing, validation, commands and statistics are the hub's.
 */

export interface HttpTimeouts {
  /** Whole header block (slowloris). */
  headersMs: number;
  /** Whole request, body included. */
  requestMs: number;
  /** Keep-alive wait between requests. */
  idleMs: number;
}

export interface HttpEndpointOptions {
  hub: Hub;
  logger: Logger;
  clock: () => number;
  host: string;
  /** null: off; 0: any free port. */
  httpPort: number | null;
  httpsPort: number | null;
  /** Uploaded FILE measurepoints go under `<filesDir>/<pk>/<dk>/`. */
  filesDir: string;
  timeouts?: Partial<HttpTimeouts>;
  upload?: Partial<UploadLimits>;
  /** How often expired sessions are swept offline. */
  sweepMs?: number;
  /** How long a useLark upload URL stays usable. */
  larkUploadTtlMs?: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 60_000, idleMs: 30_000 };
const DEFAULT_UPLOAD: UploadLimits = { fileBytes: 16 * 1024 * 1024, files: 16, messageBytes: MAX_PAYLOAD_BYTES };
const SESSION_ID_BYTES = 24;
const DEFAULT_LARK_TTL_MS = 10 * 60_000;
const MAX_LARK_PENDING = 10_000;
/** A Host header we may echo into an upload or download URL. */
const HOST_HEADER = /^[A-Za-z0-9.:[\]-]{1,255}$/;
const SUCCESS_REPLY = JSON.stringify({ code: ReturnCode.SUCCESS, message: '' });

/** Transport-level answers: the HTTP status and the EnOS code in a reply body. */
const STATUS = { ok: 200, partial: 206, badRequest: 400, unauthorized: 401, forbidden: 403, notFound: 404, method: 405, timeout: 408, tooLarge: 413, rangeUnsatisfiable: 416, tooMany: 429 } as const;

function refusalAnswer(refusal: Refusal): { status: number; code: number } {
  if (refusal.reason === 'connect-guard') return { status: STATUS.tooMany, code: ReturnCode.DEVICE_DISABLED };
  if (refusal.enosCode && refusal.reason !== 'bad-signature') return { status: STATUS.forbidden, code: refusal.enosCode };
  // Unknown device, no secret, bad signature: one answer, so a caller learns nothing about which keys exist.
  return { status: STATUS.unauthorized, code: ReturnCode.SIGNATURE_FAILED };
}

export class HttpEndpoint {
  private readonly hub: Hub;
  private readonly logger: Logger;
  private readonly timeouts: HttpTimeouts;
  private readonly upload: UploadLimits;
  private readonly plain: PolledSessions;
  private readonly secure: PolledSessions;
  private readonly lark: LarkUploads;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private unsubscribeTls: (() => void) | null = null;
  ports: { http?: number; https?: number } = {};

  constructor(private readonly options: HttpEndpointOptions) {
    this.hub = options.hub;
    this.logger = options.logger;
    this.timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
    this.upload = { ...DEFAULT_UPLOAD, ...options.upload };
    this.plain = new PolledSessions(options.hub, 'http', options.clock);
    this.secure = new PolledSessions(options.hub, 'https', options.clock);
    this.lark = new LarkUploads(options.clock, options.larkUploadTtlMs ?? DEFAULT_LARK_TTL_MS, MAX_LARK_PENDING);
  }

  async start(): Promise<{ http?: number; https?: number }> {
    const serverOptions = {
      headersTimeout: this.timeouts.headersMs,
      requestTimeout: this.timeouts.requestMs,
      keepAliveTimeout: this.timeouts.idleMs,
      // Node checks the two timeouts above on this period (default 30 s): short timeouts need a short one.
      connectionsCheckingInterval: Math.max(50, Math.min(this.timeouts.headersMs, this.timeouts.requestMs) / 4),
    };
    try {
      if (this.options.httpPort !== null) {
        this.ports.http = await this.listen(createHttpServer(serverOptions), 'http', this.options.httpPort);
      }
      if (this.options.httpsPort !== null) {
        // §4: a client certificate is asked for but optional at the handshake; certificate products need one at login.
        const server = createHttpsServer({ ...serverOptions, ...tlsServerOptions(await this.hub.tlsMaterial()) });
        this.unsubscribeTls = this.hub.onTlsChanged((material) => server.setSecureContext(secureContextOf(material)));
        this.ports.https = await this.listen(server, 'https', this.options.httpsPort);
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
    const sweepMs = this.options.sweepMs ?? 1000;
    this.plain.startSweeping(sweepMs);
    this.secure.startSweeping(sweepMs);
    return this.ports;
  }

  async stop(): Promise<void> {
    this.unsubscribeTls?.();
    this.unsubscribeTls = null;
    this.plain.close();
    this.secure.close();
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }

  private listen(server: Server, listener: 'http' | 'https', port: number): Promise<number> {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      this.handle(listener, request, response).catch((error: Error) => {
        this.logger.error('http request failed', { error: error.message });
        this.send(response, 500, buildReply({ id: undefined, code: 500, message: 'internal error' }));
      });
    });
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => this.clientError(listener, error, socket));
    if (listener === 'https') server.on('tlsClientError', () => undefined);
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.options.host, port }, () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /** Slow or malformed requests Node itself rejects (header timeout, parse errors): counted, answered, closed. */
  private clientError(listener: ListenerKind, error: NodeJS.ErrnoException, socket: Socket): void {
    // A socket already answered (or gone) may report again: counted once.
    if (!socket.writable) return void socket.destroy();
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const reason = timedOut ? 'request-timeout' : 'malformed-request';
    this.hub.countTransportRefusal(listener, reason, null);
    this.logger.debug('http request rejected', { reason, code: error.code });
    const body = buildReply({ id: undefined, code: timedOut ? STATUS.timeout : STATUS.badRequest, message: timedOut ? 'request too slow' : 'malformed request' });
    const status = timedOut ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }

  private sessions(listener: ListenerKind): PolledSessions {
    return listener === 'https' ? this.secure : this.plain;
  }

  private async handle(listener: ListenerKind, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const parsed = parseRequestTarget(request.url ?? '/');
    if (!parsed) return this.refuse(listener, response, STATUS.badRequest, ReturnCode.PARSE_ERROR, 'bad-path', 'malformed path');
    const { target, query } = parsed;
    if (target.route === 'unknown') return this.refuse(listener, response, STATUS.notFound, ReturnCode.TOPIC_NOT_WRITABLE, 'bad-path', 'no such resource');
    // §8: everything is POST but the file downloads (GET) and our useLark upload URLs (PUT).
    const method = target.route === 'upload' ? 'PUT' : target.route === 'file' && target.operation !== 'delete' ? 'GET' : 'POST';
    if (request.method !== method) return this.refuse(listener, response, STATUS.method, ReturnCode.TOPIC_NOT_WRITABLE, 'bad-method', `only ${method} is served here`);
    if (target.route === 'auth') return this.auth(listener, request, response, target.segments);
    if (target.route === 'upload') return this.larkPut(listener, request, response, target.token);
    const entry = this.session(listener, request, response, query);
    if (!entry) return;
    if (target.route === 'file') return this.fileOperation(entry, request, response, target, query);
    // §13 #15: uploads arrive on /multipart and on /topic with a multipart body.
    if (target.route === 'multipart' || (request.headers['content-type'] ?? '').startsWith('multipart/')) return this.multipart(entry, request, response, target.topic, queryParam(query, 'useLark') === 'true');
    return this.publish(entry, request, response, target.topic);
  }

  /** The live session a request names; refused (401, or 403/746 for a certificate product's session on a connection without its certificate) otherwise. */
  private session(listener: ListenerKind, request: IncomingMessage, response: ServerResponse, query: string): PolledSession | null {
    const found = this.sessions(listener).find(queryParam(query, 'sessionId') ?? '');
    if (!found.ok) {
      this.refuse(listener, response, STATUS.unauthorized, ReturnCode.TOPIC_NOT_WRITABLE, found.reason, 'log in again: the session id is unknown or expired');
      return null;
    }
    const entry = found.entry;
    if (entry.session.product.authScheme === 'certificate' && !this.sameCertificate(entry, request)) {
      this.refuse(listener, response, STATUS.forbidden, ReturnCode.CERTIFICATE_REQUIRED, 'certificate-mismatch', 'this session is bound to the certificate it logged in with');
      return null;
    }
    return entry;
  }

  /** §4: the certificate is a second factor, so a session id alone (leaked, replayed) must not stand in for it. */
  private sameCertificate(entry: PolledSession, request: IncomingMessage): boolean {
    const serial = entry.session.info.tls?.clientCertificate?.serial;
    const shown = clientCertificateOf(request.socket as TLSSocket);
    return Boolean(serial && shown?.authorized && shown.serial === serial);
  }

  private async auth(listener: ListenerKind, request: IncomingMessage, response: ServerResponse, parts: string[]): Promise<void> {
    if (parts.length !== 4 || !parts[2] || !parts[3]) return this.refuse(listener, response, STATUS.notFound, ReturnCode.PARSE_ERROR, 'bad-path', 'POST /auth/{productKey}/{deviceKey}');
    let ref: { productKey: string; deviceKey: string };
    try {
      ref = { productKey: decodeURIComponent(parts[2]), deviceKey: decodeURIComponent(parts[3]) };
    } catch {
      return this.refuse(listener, response, STATUS.badRequest, ReturnCode.PARSE_ERROR, 'bad-path', 'malformed percent-encoding in the path');
    }
    const body = await readBody(request, MAX_PAYLOAD_BYTES);
    if (!body.ok) return this.bodyFailure(listener, response, body.reason);
    const parsed = parseHttpAuth(body.body, ref.productKey, ref.deviceKey);
    if (!parsed) return this.refuse(listener, response, STATUS.badRequest, ReturnCode.NOT_JSON, 'malformed-auth', 'the body must be {signMethod, lifetime, sign}');
    const address = request.socket.remoteAddress ?? null;
    const socket = listener === 'https' ? (request.socket as TLSSocket) : null;
    const certificate = socket ? clientCertificateOf(socket) : null;
    const decision = this.hub.transportLogin(ref, (secret) => verifyHttpAuth(parsed, secret), { listener, address, certificate });
    if (!decision.ok) {
      const answer = refusalAnswer(decision);
      return this.send(response, answer.status, buildReply({ id: undefined, code: answer.code, message: 'login refused' }));
    }
    const sessionId = randomBytes(SESSION_ID_BYTES).toString('base64url');
    const accepted = parsed.acceptCommandTypes ? new Set(parsed.acceptCommandTypes) : null;
    const tls = socket ? tlsDetailsOf(socket) : null;
    this.sessions(listener).open(sessionId, decision, parsed.lifetimeMs, { address, clientId: ref.deviceKey, tls }, accepted ? (topic) => accepted.has(commandType(topic)) : undefined);
    this.send(response, STATUS.ok, JSON.stringify({ code: ReturnCode.SUCCESS, data: { sessionId }, message: '' }));
  }

  private async publish(entry: PolledSession, request: IncomingMessage, response: ServerResponse, topic: string): Promise<void> {
    const body = await readBody(request, MAX_PAYLOAD_BYTES);
    if (!body.ok) return this.bodyFailure(entry.session.info.listener, response, body.reason, entry);
    this.hub.publishFrom(entry.session, topic, body.body);
    // A device's answer to one of our commands has no reply of its own (§6.2).
    this.answer(entry, response, entry.link.takeReply() ?? SUCCESS_REPLY);
  }

  /**
   * §8 file points: the request is published as MQTT carries it, its `local://` values replaced by
   * the files' URIs; files of a refused request are not kept. With `useLark` the files are not in
   * the body: each gets its URI now and an upload URL the device PUTs the bytes to.
   */
  private async multipart(entry: PolledSession, request: IncomingMessage, response: ServerResponse, topic: string, useLark: boolean): Promise<void> {
    const device = entry.session.device;
    const listener = entry.session.info.listener;
    const upload = await receiveUpload(request, join(this.options.filesDir, '.incoming'), this.upload, useLark);
    if (!upload.ok) {
      const tooLarge = upload.reason === 'file-too-large';
      this.logger.debug('upload refused', { productKey: device.productKey, deviceKey: device.deviceKey, reason: upload.reason, detail: upload.detail });
      return this.refuse(listener, response, tooLarge ? STATUS.tooLarge : STATUS.badRequest, tooLarge ? ReturnCode.PAYLOAD_TOO_LARGE : ReturnCode.MEASUREPOINT_FORMAT, upload.reason, upload.detail, entry);
    }
    const dir = deviceFilesDir(this.options.filesDir, device);
    const named = useLark
      ? [...upload.declared].map(([fileName, declared]) => ({ fileName, featureId: declared.featureId, md5: declared.md5, storedName: `${randomBytes(8).toString('hex')}-${safeName(fileName)}`, file: null }))
      : upload.files.map((file) => ({ fileName: file.fileName, featureId: file.featureId, md5: file.md5, storedName: storedNameOf(file), file }));
    const kept: string[] = [];
    for (const item of named) if (item.file) kept.push(await keepFile(item.file.tempPath, dir, item.storedName));
    const uris = new Map(named.map((item) => [`local://${item.fileName}`, fileUriOf(device, item.storedName)]));
    const message = uploadRequest(upload.message, device.deviceKey);
    const rewritten = JSON.stringify(message, (_key, value: unknown) => (typeof value === 'string' && uris.has(value) ? uris.get(value) : value));
    this.hub.publishFrom(entry.session, topic, Buffer.from(rewritten));
    const reply = entry.link.takeReply();
    const parsed = reply ? parseReply(reply) : null;
    if (!parsed || parsed.code !== ReturnCode.SUCCESS) {
      await Promise.all(kept.map((path) => rm(path, { force: true })));
      return this.answer(entry, response, reply ?? buildReply({ id: undefined, code: ReturnCode.TOPIC_NOT_WRITABLE, message: 'not accepted' }));
    }
    const data = Object.fromEntries(
      named.map((item) => {
        const fileUri = uris.get(`local://${item.fileName}`)!;
        if (!item.file) {
          const token = this.lark.reserve({ device, storedName: item.storedName, fileName: item.fileName, md5: item.md5 });
          return [item.fileName, { fileUri, uploadUrl: `${this.origin(listener, request)}/upload/${token}`, filename: item.fileName, featureId: item.featureId, headers: { 'Content-Type': 'application/octet-stream' } }];
        }
        return [item.fileName, { fileUri, featureId: item.featureId, size: item.file.size, sha256: item.file.sha256 }];
      }),
    );
    this.answer(entry, response, buildReply({ id: parsed.id, code: parsed.code, message: parsed.message ?? '', data }));
  }

  /** A useLark upload: the bytes of one declared file, once, checked against its md5 when one was declared. */
  private async larkPut(listener: ListenerKind, request: IncomingMessage, response: ServerResponse, token: string): Promise<void> {
    const slot = this.lark.take(token);
    if (!slot) return this.refuse(listener, response, STATUS.notFound, ReturnCode.TOPIC_NOT_WRITABLE, 'upload-unknown', 'unknown, used or expired upload URL');
    const received = await receiveFile(request, join(this.options.filesDir, '.incoming'), this.upload.fileBytes);
    if (!received.ok) {
      if (received.reason === 'aborted') {
        this.hub.countTransportRefusal(listener, 'aborted-request', null);
        return void response.destroy();
      }
      response.setHeader('Connection', 'close');
      return this.refuse(listener, response, STATUS.tooLarge, ReturnCode.PAYLOAD_TOO_LARGE, 'file-too-large', `the file is larger than ${this.upload.fileBytes} bytes`);
    }
    if (slot.md5 !== null && slot.md5 !== received.md5) {
      await rm(received.tempPath, { force: true });
      return this.refuse(listener, response, STATUS.badRequest, ReturnCode.MEASUREPOINT_FORMAT, 'md5-mismatch', `file "${slot.fileName.slice(0, 80)}" does not match its md5`);
    }
    await keepFile(received.tempPath, deviceFilesDir(this.options.filesDir, slot.device), slot.storedName);
    const data = { fileUri: fileUriOf(slot.device, slot.storedName), size: received.size, sha256: received.sha256 };
    this.send(response, STATUS.ok, JSON.stringify({ code: ReturnCode.SUCCESS, message: '', data }));
  }

  /** §8 file ops on the session's own files: download (`Range` → 206), its URL, delete. */
  private async fileOperation(entry: PolledSession, request: IncomingMessage, response: ServerResponse, target: { operation: FileOperation; productKey: string; deviceKey: string }, query: string): Promise<void> {
    const listener = entry.session.info.listener;
    const device = entry.session.device;
    if (target.productKey !== device.productKey || target.deviceKey !== device.deviceKey) return this.refuse(listener, response, STATUS.forbidden, ReturnCode.TOPIC_NOT_WRITABLE, 'foreign-file', 'another device’s files', entry);
    const category = target.operation === 'delete' ? 'feature' : (queryParam(query, 'category') ?? 'feature');
    if (category !== 'feature' && category !== 'ota') return this.refuse(listener, response, STATUS.badRequest, ReturnCode.PARSE_ERROR, 'bad-category', 'category is feature or ota', entry);
    const found = lookupFileUri(this.options.filesDir, device, queryParam(query, 'fileUri') ?? '');
    if (!found.ok) {
      const foreign = found.reason === 'foreign-file';
      return this.refuse(listener, response, foreign ? STATUS.forbidden : STATUS.badRequest, foreign ? ReturnCode.TOPIC_NOT_WRITABLE : ReturnCode.PARSE_ERROR, found.reason, foreign ? 'another device’s file' : 'fileUri must be an enos-connect:// URI the hub gave', entry);
    }
    // The hub stores FILE measurepoints only; OTA packages are never on it.
    const size = category === 'feature' ? await stat(found.path).then((info) => (info.isFile() ? info.size : null), () => null) : null;
    if (size === null) return this.refuse(listener, response, STATUS.notFound, ReturnCode.TOPIC_NOT_WRITABLE, 'file-not-found', 'no such file', entry);
    if (target.operation === 'delete') {
      await rm(found.path, { force: true });
      return this.send(response, STATUS.ok, SUCCESS_REPLY, entry);
    }
    if (target.operation === 'download-url') {
      const url = `${this.origin(listener, request)}/multipart/sys/${encodeURIComponent(device.productKey)}/${encodeURIComponent(device.deviceKey)}/file/download?${query}`;
      return this.send(response, STATUS.ok, JSON.stringify({ code: ReturnCode.SUCCESS, message: '', data: url }), entry);
    }
    const range = parseRange(request.headers.range, size);
    if (range === 'unsatisfiable') {
      response.setHeader('Content-Range', `bytes */${size}`);
      return this.refuse(listener, response, STATUS.rangeUnsatisfiable, ReturnCode.PARSE_ERROR, 'range-unsatisfiable', 'the range lies outside the file', entry);
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const headers: OutgoingHttpHeaders = { 'Content-Type': 'application/octet-stream', 'Content-Length': size === 0 ? 0 : end - start + 1, 'Accept-Ranges': 'bytes', ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}) };
    this.withCommand(entry, response);
    response.writeHead(range ? STATUS.partial : STATUS.ok, headers);
    if (size === 0) return void response.end();
    createReadStream(found.path, { start, end })
      .on('error', () => response.destroy())
      .pipe(response);
  }

  /** The scheme and host the device reached us at, for URLs it will call back (a Host header we cannot echo falls back to our address). */
  private origin(listener: ListenerKind, request: IncomingMessage): string {
    const host = request.headers.host;
    const authority = host && HOST_HEADER.test(host) ? host : `${request.socket.localAddress}:${request.socket.localPort}`;
    return `${listener === 'https' ? 'https' : 'http'}://${authority}`;
  }

  /** The hub's reply, with the next pending command in the headers (§8); a refused topic is 403. */
  private answer(entry: PolledSession, response: ServerResponse, reply: Buffer | string): void {
    const code = typeof reply === 'string' ? ReturnCode.SUCCESS : replyCode(reply);
    this.send(response, code === ReturnCode.TOPIC_NOT_WRITABLE ? STATUS.forbidden : STATUS.ok, reply, entry);
  }

  private bodyFailure(listener: ListenerKind, response: ServerResponse, reason: 'too-large' | 'aborted', entry?: PolledSession): void {
    if (reason === 'aborted') {
      this.hub.countTransportRefusal(listener, 'aborted-request', null, entry?.session);
      return void response.destroy();
    }
    response.setHeader('Connection', 'close');
    this.refuse(listener, response, STATUS.tooLarge, ReturnCode.PAYLOAD_TOO_LARGE, 'body-too-large', 'the body is larger than 512 KiB', entry);
  }

  private refuse(listener: ListenerKind, response: ServerResponse, status: number, code: number, reason: string, message: string, entry?: PolledSession): void {
    this.hub.countTransportRefusal(listener, reason, code, entry?.session);
    this.logger.debug('http request refused', { reason, status, ...(entry ? { productKey: entry.session.device.productKey, deviceKey: entry.session.device.deviceKey } : {}) });
    this.send(response, status, buildReply({ id: undefined, code, message }), entry);
  }

  /** §8: any response to a device may carry its next pending command. */
  private withCommand(entry: PolledSession | undefined, response: ServerResponse): void {
    const command = entry?.link.nextCommand();
    if (command) for (const [name, value] of Object.entries(commandHeaders(command))) response.setHeader(name, value);
  }

  private send(response: ServerResponse, status: number, body: string | Buffer, entry?: PolledSession): void {
    if (response.headersSent) return void response.end();
    this.withCommand(entry, response);
    // A string body leaves in one write with the headers (Node joins them only for strings): a
    // Buffer goes as latin1 text, which maps each byte to itself.
    const binary = typeof body !== 'string';
    response.writeHead(status, ['Content-Type', 'application/json', 'Content-Length', String(binary ? body.length : Buffer.byteLength(body))]);
    response.end(binary ? body.toString('latin1') : body, binary ? 'latin1' : 'utf8');
    // A body we refused to read must not be parsed as the next request.
    if (response.getHeader('Connection') === 'close') response.once('finish', () => response.req.socket?.destroy());
  }
}
