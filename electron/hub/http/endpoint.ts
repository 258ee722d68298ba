import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../../core/logger';
import { buildReply, MAX_PAYLOAD_BYTES, parseReply, ReturnCode } from '../../protocol';
import type { Hub } from '../hub';
import type { Refusal } from '../login-check';
import { replyCode } from '../polled-link';
import { PolledSessions, type PolledSession } from '../polled-sessions';
import type { ListenerKind } from '../session';
import { tlsDetailsOf } from '../tls';
import { commandType, parseHttpAuth, verifyHttpAuth } from './auth';
import { readBody } from './body';
import { commandHeaders } from './command-headers';
import { keepFile, receiveUpload, uploadRequest, type StoredFile, type UploadLimits } from './multipart';

/**
 * The hub's EnOS HTTP endpoint (protocol reference §8): `POST /auth/{pk}/{dk}` gives a session id
 * with a lifetime; `POST /topic<MQTT topic>?sessionId=` is answered synchronously with the MQTT
 * reply envelope; `POST /multipart<MQTT topic>` uploads FILE measurepoints. Pending commands ride
 * in the `topic` + `command-payload` headers of the device's next response. The adapter only
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
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 60_000, idleMs: 30_000 };
const DEFAULT_UPLOAD: UploadLimits = { fileBytes: 16 * 1024 * 1024, files: 16, messageBytes: MAX_PAYLOAD_BYTES };
const SESSION_ID_BYTES = 24;

/** Transport-level answers: the HTTP status and the EnOS code in a reply body. */
const STATUS = { ok: 200, badRequest: 400, unauthorized: 401, forbidden: 403, notFound: 404, method: 405, timeout: 408, tooLarge: 413, tooMany: 429 } as const;

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
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  ports: { http?: number; https?: number } = {};

  constructor(private readonly options: HttpEndpointOptions) {
    this.hub = options.hub;
    this.logger = options.logger;
    this.timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
    this.upload = { ...DEFAULT_UPLOAD, ...options.upload };
    this.plain = new PolledSessions(options.hub, 'http', options.clock);
    this.secure = new PolledSessions(options.hub, 'https', options.clock);
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
        const material = await this.hub.tlsMaterial();
        this.ports.https = await this.listen(createHttpsServer({ ...serverOptions, cert: material.cert, key: material.key, minVersion: 'TLSv1.2' }), 'https', this.options.httpsPort);
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
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://hub');
    } catch {
      return this.refuse(listener, response, STATUS.badRequest, ReturnCode.PARSE_ERROR, 'bad-path', 'malformed path');
    }
    const path = url.pathname;
    const route = path.startsWith('/auth/') ? 'auth' : path.startsWith('/topic/') ? 'topic' : path.startsWith('/multipart/') ? 'multipart' : null;
    if (!route) return this.refuse(listener, response, STATUS.notFound, ReturnCode.TOPIC_NOT_WRITABLE, 'bad-path', 'no such resource');
    // §8: everything is POST (file download, a GET, is not served by the hub).
    if (request.method !== 'POST') return this.refuse(listener, response, STATUS.method, ReturnCode.TOPIC_NOT_WRITABLE, 'bad-method', 'only POST is served');
    if (route === 'auth') return this.auth(listener, request, response, path);
    const found = this.sessions(listener).find(url.searchParams.get('sessionId') ?? '');
    if (!found.ok) return this.refuse(listener, response, STATUS.unauthorized, ReturnCode.TOPIC_NOT_WRITABLE, found.reason, 'log in again: the session id is unknown or expired');
    const topic = path.slice(route === 'topic' ? '/topic'.length : '/multipart'.length);
    // §13 #15: uploads arrive on /multipart and on /topic with a multipart body.
    if (route === 'multipart' || (request.headers['content-type'] ?? '').startsWith('multipart/')) return this.multipart(found.entry, request, response, topic);
    return this.publish(found.entry, request, response, topic);
  }

  private async auth(listener: ListenerKind, request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const parts = path.split('/');
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
    const decision = this.hub.transportLogin(ref, (secret) => verifyHttpAuth(parsed, secret), { listener, address });
    if (!decision.ok) {
      const answer = refusalAnswer(decision);
      return this.send(response, answer.status, buildReply({ id: undefined, code: answer.code, message: 'login refused' }));
    }
    const sessionId = randomBytes(SESSION_ID_BYTES).toString('base64url');
    const accepted = parsed.acceptCommandTypes ? new Set(parsed.acceptCommandTypes) : null;
    const tls = listener === 'https' ? tlsDetailsOf(request.socket as TLSSocket) : null;
    this.sessions(listener).open(sessionId, decision, parsed.lifetimeMs, { address, clientId: ref.deviceKey, tls }, accepted ? (topic) => accepted.has(commandType(topic)) : undefined);
    this.send(response, STATUS.ok, JSON.stringify({ code: ReturnCode.SUCCESS, data: { sessionId }, message: '' }));
  }

  private async publish(entry: PolledSession, request: IncomingMessage, response: ServerResponse, topic: string): Promise<void> {
    const body = await readBody(request, MAX_PAYLOAD_BYTES);
    if (!body.ok) return this.bodyFailure(entry.session.info.listener, response, body.reason, entry);
    this.hub.publishFrom(entry.session, topic, body.body);
    const reply = entry.link.takeReply();
    // A device's answer to one of our commands has no reply of its own (§6.2).
    this.answer(entry, response, reply ?? Buffer.from(JSON.stringify({ code: ReturnCode.SUCCESS, message: '' })));
  }

  private async multipart(entry: PolledSession, request: IncomingMessage, response: ServerResponse, topic: string): Promise<void> {
    const { productKey, deviceKey } = entry.session.device;
    const listener = entry.session.info.listener;
    const upload = await receiveUpload(request, join(this.options.filesDir, '.incoming'), this.upload);
    if (!upload.ok) {
      const tooLarge = upload.reason === 'file-too-large';
      this.logger.debug('upload refused', { productKey, deviceKey, reason: upload.reason, detail: upload.detail });
      return this.refuse(listener, response, tooLarge ? STATUS.tooLarge : STATUS.badRequest, tooLarge ? ReturnCode.PAYLOAD_TOO_LARGE : ReturnCode.MEASUREPOINT_FORMAT, upload.reason, upload.detail, entry);
    }
    const dir = join(this.options.filesDir, productKey, deviceKey);
    const kept: Array<StoredFile & { path: string; uri: string }> = [];
    for (const file of upload.files) {
      const path = await keepFile(file, dir);
      kept.push({ ...file, path, uri: `enos-connect://${productKey}/${deviceKey}/${path.slice(dir.length + 1)}` });
    }
    // The request as MQTT carries it: without the upload's `files` map, `local://` values replaced by the stored files' URIs.
    const message = uploadRequest(upload.message, deviceKey);
    const uris = new Map(kept.map((file) => [`local://${file.fileName}`, file.uri]));
    const rewritten = JSON.stringify(message, (_key, value: unknown) => (typeof value === 'string' && uris.has(value) ? uris.get(value) : value));
    this.hub.publishFrom(entry.session, topic, Buffer.from(rewritten));
    const reply = entry.link.takeReply();
    const parsed = reply ? parseReply(reply) : null;
    if (!parsed || parsed.code !== ReturnCode.SUCCESS) {
      await Promise.all(kept.map((file) => rm(file.path, { force: true })));
      return this.answer(entry, response, reply ?? Buffer.from(buildReply({ id: undefined, code: ReturnCode.TOPIC_NOT_WRITABLE, message: 'not accepted' })));
    }
    const data = Object.fromEntries(kept.map((file) => [file.fileName, { fileUri: file.uri, featureId: file.featureId, size: file.size, sha256: file.sha256 }]));
    this.answer(entry, response, Buffer.from(buildReply({ id: parsed.id, code: parsed.code, message: parsed.message ?? '', data })));
  }

  /** The hub's reply, with the next pending command in the headers (§8); a refused topic is 403. */
  private answer(entry: PolledSession, response: ServerResponse, reply: Buffer): void {
    const code = replyCode(reply);
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

  private send(response: ServerResponse, status: number, body: string | Buffer, entry?: PolledSession): void {
    if (response.headersSent) return void response.end();
    const command = entry?.link.nextCommand();
    if (command) for (const [name, value] of Object.entries(commandHeaders(command))) response.setHeader(name, value);
    response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    response.end(body);
    // A body we refused to read must not be parsed as the next request.
    if (response.getHeader('Connection') === 'close') response.once('finish', () => response.req.socket?.destroy());
  }
}
