import { Server, type IncomingMessage, type OutgoingMessage } from 'coap';
import type { ParsedPacket } from 'coap-packet';
import { randomInt } from 'node:crypto';
import { Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../core/logger';
import { MAX_PAYLOAD_BYTES, ReturnCode } from '../../protocol';
import { replyCode } from '../polled-link';
import type { Hub } from '../hub';
import { PolledSessions, type PolledSession } from '../polled-sessions';
import { parseCoapAuth, verifyCoapAuth } from './auth';
import { Block1Assembler, type BlockOption } from './block';
import { answerDatagram, RecentAnswers, uriPath } from './direct';
import { screenOptions, type Screened } from './options';

/**
 * The hub's EnOS CoAP endpoint over UDP without DTLS (protocol reference §7): `POST /auth/{pk}/{dk}`
 * binds the source endpoint to the device for its lifetime; `POST /topic<MQTT topic>` is answered
 * with the MQTT reply (2.04); queued commands ride in options 2100 (topic) and 2102 (payload) of
 * the device's next responses and are also served to `GET /topic<command topic>` (§13 #13).
 * Confirmable and non-confirmable requests, Block2 for large answers, our own Block1 (see
 * block.ts); no Observe. No Node DTLS-PSK server exists, so sessions are marked "without DTLS".
 * A plain topic request is answered directly (direct.ts); logins, block-wise transfers and
 * large answers go through the coap package.
 */

export interface CoapEndpointOptions {
  hub: Hub;
  logger: Logger;
  clock: () => number;
  host: string;
  /** 0: any free port. */
  port: number;
  /** How often expired sessions are swept offline. */
  sweepMs?: number;
}

/** Option numbers of §7 for queued commands. */
const COMMAND_TOPIC = '2100';
const COMMAND_PAYLOAD = '2102';
/** §7: datagrams ≤1 KB; a larger command payload is announced by topic only and fetched with GET. */
const MAX_INLINE_COMMAND = 512;
/** Block2: the package slices answers from 1024 bytes; follow-up requests are answered from here. */
const BLOCK2_FROM = 1024;
const BLOCK2_TTL_MS = 60_000;
/** RFC 7252 §4.8.2 EXCHANGE_LIFETIME: how long a retransmission may still arrive. */
const EXCHANGE_LIFETIME_MS = 247_000;
/** Endpoints whose last answer is kept for retransmissions (about 200 bytes each). */
const RECENT_ENDPOINTS = 50_000;
const SCREENED = Symbol('hub.coap.screened');
const ANSWERED = Symbol('hub.coap.answered');
const CONTENT_FORMAT = 'Content-Format';
/** RFC 7252 §12.3: application/json is 50. */
const JSON_CONTENT_FORMAT = Buffer.from([50]);

/** A Block2 exchange: its large answer is kept under this key for the follow-up requests. */
const exchangeKey = (endpoint: string, method: string, path: string) => `${endpoint} ${method} ${path}`;

/** What the package's parser (coap-packet) hands to `_handle`, with our marks. */
type ScreenedPacket = ParsedPacket & { [SCREENED]?: Screened; [ANSWERED]?: Answer };

/** Answers a screened request itself when it can; false leaves it to the package. */
type DirectHandler = (packet: ScreenedPacket, screened: Screened, rsinfo: AddressInfo) => boolean;

/**
 * The package's server with guards in front of its request handling: options screened
 * (unknown critical ones answered 4.02, Observe dropped, Block1 taken away for our assembler),
 * the common request answered directly, and every datagram it cannot parse counted before its
 * error reply.
 */
class GuardedServer extends Server {
  constructor(
    private readonly onMalformed: (reason: string) => void,
    private readonly direct: DirectHandler,
  ) {
    super({ piggybackReplyMs: 10 });
  }

  override _handle(parsed: Parameters<Server['_handle']>[0], rsinfo: AddressInfo): void {
    const packet = parsed as ScreenedPacket;
    const screened = screenOptions(packet);
    if (this.direct(packet, screened, rsinfo)) return;
    packet[SCREENED] = screened;
    super._handle(packet, rsinfo);
  }

  send(datagram: Buffer, rsinfo: AddressInfo): void {
    if (this._sock instanceof Socket) this._sock.send(datagram, rsinfo.port, rsinfo.address);
  }

  /** The package would answer 5.00 with the parser's message to the sender's port on localhost; ours is 4.00 (§7) to the sender. */
  override _sendError(_payload: Buffer, rsinfo: AddressInfo, packet?: Parameters<Server['_handle']>[0]): void {
    this.onMalformed(packet ? 'rejected-request' : 'malformed-datagram');
    this.send(badRequestDatagram(packet), rsinfo);
  }
}

/** RFC 7252 §3: 4.00 with the request's message id and token when they could be read (an ACK to a CON), else a NON. */
function badRequestDatagram(packet?: { messageId?: number; token?: Buffer; confirmable?: boolean }): Buffer {
  const token = packet?.token ?? Buffer.alloc(0);
  const type = packet?.confirmable ? 2 : 1;
  const messageId = packet?.messageId ?? randomInt(0x10000);
  return Buffer.concat([Buffer.from([0x40 | (type << 4) | token.length, 0x80, messageId >> 8, messageId & 0xff]), token, Buffer.from([0xff]), Buffer.from('bad request')]);
}

interface Answer {
  code: string;
  body?: Buffer;
  json?: boolean;
  /** Options 2100/2102 announcing a queued command. */
  command?: Array<{ name: string; value: Buffer }>;
}

export class CoapEndpoint {
  private readonly hub: Hub;
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly sessions: PolledSessions;
  /** Blocks arrive before the sender is known to be logged in, so at most 64 bodies (32 MiB) are held at once. */
  private readonly assembler = new Block1Assembler({ maxBytes: MAX_PAYLOAD_BYTES, maxPending: 64, maxAgeMs: 60_000 });
  /** Large answers by `endpoint method path`, for Block2 follow-ups that come with a new token. */
  private readonly answered = new Map<string, { answer: Answer; at: number }>();
  /** Commands announced by option 2100, by `endpoint topic`, until the device GETs them. */
  private readonly announced = new Map<string, Buffer>();
  /** The last directly answered request per endpoint, for retransmissions. */
  private readonly recent = new RecentAnswers({ maxEndpoints: RECENT_ENDPOINTS, lifetimeMs: EXCHANGE_LIFETIME_MS });
  private server: GuardedServer | null = null;
  port: number | null = null;

  constructor(private readonly options: CoapEndpointOptions) {
    this.hub = options.hub;
    this.logger = options.logger;
    this.clock = options.clock;
    this.sessions = new PolledSessions(options.hub, 'coap', options.clock);
  }

  async start(): Promise<number> {
    const server: GuardedServer = new GuardedServer(
      (reason) => this.refused(reason, null),
      (packet, screened, rsinfo) => this.direct(server, packet, screened, rsinfo),
    );
    server.on('request', (request: IncomingMessage, response: OutgoingMessage) => this.request(request, response));
    server.on('error', (error: Error) => this.logger.warn('coap socket error', { error: error.message }));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.listen(this.options.port, this.options.host, (error?: Error) => (error ? reject(error) : resolve()));
    });
    const socket = (server as unknown as { _sock: { address(): AddressInfo } })._sock;
    this.port = socket.address().port;
    this.sessions.startSweeping(this.options.sweepMs ?? 1000);
    return this.port;
  }

  async stop(): Promise<void> {
    this.sessions.close();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private refused(reason: string, code: number | null, entry?: PolledSession): void {
    this.hub.countTransportRefusal('coap', reason, code, entry?.session);
    this.logger.debug('coap request refused', { reason, ...(entry ? { productKey: entry.session.device.productKey, deviceKey: entry.session.device.deviceKey } : {}) });
  }

  /**
   * A whole (not block-wise) POST or GET of a topic, answered here. Its answer goes through the
   * package only when it needs Block2; a retransmission gets the answer already sent (the
   * package's own cache repeats the ones it sent).
   */
  private direct(server: GuardedServer, packet: ScreenedPacket, screened: Screened, rsinfo: AddressInfo): boolean {
    if (packet.ack || packet.reset || screened.badOption || screened.block1 || screened.block2) return false;
    const method = packet.code === '0.02' ? 'POST' : packet.code === '0.01' ? 'GET' : null;
    if (!method) return false;
    const path = uriPath(packet);
    if (!path.startsWith('/topic/')) return false;
    const endpoint = `${rsinfo.address}:${rsinfo.port}`;
    const now = this.clock();
    const repeated = this.recent.find(endpoint, packet.messageId, now);
    if (repeated === 'package') return false;
    if (repeated) {
      server.send(repeated, rsinfo);
      return true;
    }
    const answer = this.route(method, path, endpoint, packet.payload);
    if (answer.body && answer.body.length >= BLOCK2_FROM) {
      packet[ANSWERED] = answer;
      this.recent.remember(endpoint, packet.messageId, 'package', now);
      return false;
    }
    const options = answer.json ? [...(answer.command ?? []), { name: CONTENT_FORMAT, value: JSON_CONTENT_FORMAT }] : (answer.command ?? []);
    const datagram = answerDatagram(packet, { code: answer.code, options, payload: answer.body });
    this.recent.remember(endpoint, packet.messageId, datagram, now);
    server.send(datagram, rsinfo);
    return true;
  }

  private request(request: IncomingMessage, response: OutgoingMessage): void {
    const packet = request._packet as ScreenedPacket;
    // A large answer `direct` computed: the package slices it into Block2 blocks.
    const answered = packet[ANSWERED];
    if (answered) {
      this.remember(exchangeKey(`${request.rsinfo.address}:${request.rsinfo.port}`, request.method, uriPath(packet)), answered);
      return this.respond(response, answered);
    }
    const screened = packet[SCREENED];
    const endpoint = `${request.rsinfo.address}:${request.rsinfo.port}`;
    const mark = request.url.indexOf('?');
    const path = mark === -1 ? request.url : request.url.slice(0, mark);
    if (!screened || screened.badOption) {
      this.refused('unknown-critical-option', null);
      return this.respond(response, { code: '4.02' });
    }
    let body = packet.payload ?? Buffer.alloc(0);
    if (screened.block1) {
      const outcome = this.assembler.add(`${endpoint} ${request.method} ${path}`, screened.block1, body, this.clock());
      response.setOption('Block1', screened.block1Raw!);
      if (outcome.status === 'continue') return this.respond(response, { code: '2.31' });
      if (outcome.status !== 'complete') {
        this.refused(`block1-${outcome.status}`, outcome.status === 'too-large' ? ReturnCode.PAYLOAD_TOO_LARGE : null);
        return this.respond(response, { code: outcome.status === 'too-large' ? '4.13' : outcome.status === 'incomplete' ? '4.08' : '4.00' });
      }
      body = outcome.body;
    }
    // Block2 follow-ups and the large answers they slice, by exchange (built only for those).
    const exchange = () => exchangeKey(endpoint, request.method, path);
    if (screened.block2 && screened.block2.num > 0) return this.followUp(exchange(), screened.block2, response);
    const answer = this.route(request.method, path, endpoint, body);
    if (answer.body && answer.body.length >= BLOCK2_FROM) this.remember(exchange(), answer);
    this.respond(response, answer);
  }

  /** A later Block2 request: the package slices the block out of the answer we gave to block 0. */
  private followUp(key: string, block: BlockOption, response: OutgoingMessage): void {
    const held = this.answered.get(key);
    if (!held || this.clock() - held.at > BLOCK2_TTL_MS || block.num * block.size >= (held.answer.body?.length ?? 0)) {
      this.refused('block2-unknown', null);
      return this.respond(response, { code: '4.08' });
    }
    this.respond(response, held.answer);
  }

  private remember(key: string, answer: Answer): void {
    const now = this.clock();
    for (const [held, entry] of this.answered) if (now - entry.at > BLOCK2_TTL_MS) this.answered.delete(held);
    this.answered.set(key, { answer, at: now });
  }

  private route(method: string, path: string, endpoint: string, body: Buffer): Answer {
    if (path.startsWith('/auth/')) return method === 'POST' ? this.auth(path, endpoint, body) : this.badMethod();
    if (!path.startsWith('/topic/')) {
      this.refused('bad-path', null);
      return { code: '4.04' };
    }
    const found = this.sessions.find(endpoint);
    if (!found.ok) {
      this.refused(found.reason, ReturnCode.TOPIC_NOT_WRITABLE);
      return { code: '4.01' };
    }
    const entry = found.entry;
    const topic = path.slice('/topic'.length);
    let answer: Answer;
    if (method === 'POST') answer = this.publish(entry, topic, body);
    else if (method === 'GET') answer = this.fetchCommand(entry, topic);
    else answer = this.badMethod(entry);
    const command = this.announceCommand(entry, endpoint);
    return command ? { ...answer, command } : answer;
  }

  private badMethod(entry?: PolledSession): Answer {
    this.refused('bad-method', null, entry);
    return { code: '4.05' };
  }

  /** §7 non-DTLS auth: mode 2 only (activation is MQTT's, §3.7); the answer is a bare code. */
  private auth(path: string, endpoint: string, body: Buffer): Answer {
    const parts = path.split('/');
    if (parts.length !== 4 || !parts[2] || !parts[3]) {
      this.refused('bad-path', null);
      return { code: '4.04' };
    }
    const ref = { productKey: parts[2], deviceKey: parts[3] };
    const parsed = parseCoapAuth(body);
    if (!parsed) {
      this.refused('malformed-auth', ReturnCode.NOT_JSON);
      return { code: '4.00' };
    }
    const decision = this.hub.transportLogin(ref, (secret) => verifyCoapAuth(parsed, ref, secret), { listener: 'coap', address: endpoint });
    if (!decision.ok) return { code: decision.reason === 'bad-signature' || decision.reason.startsWith('unknown') || decision.reason === 'no-secret' ? '4.01' : '4.03' };
    this.sessions.open(endpoint, decision, parsed.lifetimeS * 1000, { address: endpoint, clientId: ref.deviceKey, tls: null });
    return { code: '2.04' };
  }

  /** The hub's reply as the payload: 2.04, 4.03 for a topic the device may not use, 4.00 for an unreadable body (§7). */
  private publish(entry: PolledSession, topic: string, body: Buffer): Answer {
    this.hub.publishFrom(entry.session, topic, body);
    const reply = entry.link.takeReply();
    if (!reply) return { code: '2.04' };
    const code = replyCode(reply);
    if (code === ReturnCode.TOPIC_NOT_WRITABLE) return { code: '4.03', body: reply, json: true };
    if (code === ReturnCode.NOT_JSON || code === ReturnCode.EMPTY_PAYLOAD || code === ReturnCode.PARSE_ERROR) return { code: '4.00', body: reply, json: true };
    return { code: '2.04', body: reply, json: true };
  }

  /** §13 #13: the device GETs the topic option 2100 named. */
  private fetchCommand(entry: PolledSession, topic: string): Answer {
    const key = `${entry.key} ${topic}`;
    const payload = this.announced.get(key);
    if (!payload) {
      this.refused('no-queued-command', null, entry);
      return { code: '4.04' };
    }
    this.announced.delete(key);
    return { code: '2.05', body: payload, json: true };
  }

  /** One queued command per response (§7: 2100 recurs while more are queued): its options, if one is queued. */
  private announceCommand(entry: PolledSession, endpoint: string): Answer['command'] {
    const command = entry.link.nextCommand();
    if (!command) return undefined;
    // Bounded: a device that never fetches keeps at most its latest few.
    if (this.announced.size > 10_000) this.announced.clear();
    this.announced.set(`${endpoint} ${command.topic}`, command.payload);
    const options: NonNullable<Answer['command']> = [{ name: COMMAND_TOPIC, value: Buffer.from(`/topic${command.topic}`) }];
    if (command.payload.length <= MAX_INLINE_COMMAND) options.push({ name: COMMAND_PAYLOAD, value: command.payload });
    return options;
  }

  private respond(response: OutgoingMessage, answer: Answer): void {
    response.code = answer.code;
    for (const option of answer.command ?? []) response.setOption(option.name, option.value);
    // Appended as encoded; the package's setOption re-spells, filters and converts on every call,
    // and the response has no other Content-Format.
    if (answer.json) (response as unknown as { _packet: { options: Array<{ name: string; value: Buffer }> } })._packet.options.push({ name: CONTENT_FORMAT, value: JSON_CONTENT_FORMAT });
    response.end(answer.body);
  }
}
