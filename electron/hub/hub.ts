import { Aedes, type AuthenticateError, type Client, type PublishPacket, type Subscription } from 'aedes';
import type { Duplex } from 'node:stream';
import { validateMeasurepoints, validateServiceInput, type Violation } from '../../shared/model/thing-model';
import { err, ok, type Result } from '../../shared/result';
import type { Logger } from '../core/logger';
import {
  buildReply,
  buildRequest,
  deviceTopicFilters,
  isUpstreamKind,
  MAX_PAYLOAD_BYTES,
  methodMatches,
  parseRequest,
  ReturnCode,
  topicFor,
  type MessageId,
  type ReplyEnvelope,
  type RoutedTopic,
} from '../protocol';
import { grantedQos, maySubscribe } from './acl';
import { Commands, realTimers, type CommandAnswer, type CommandKind, type CommandOutcome, type Timers } from './commands';
import { ConnectGuard, type ConnectGuardOptions } from './connect-guard';
import { deviceId, type DeviceRef, type Directory, type DirectoryChange, type DirectoryDevice, type DirectoryProduct } from './directory';
import { startListeners, type Connection, type ListenerConfig, type ListenerPorts, type Listeners } from './listeners';
import { checkTransportLogin, LoginCheck, type ClientCertificate, type Refusal } from './login-check';
import { MessageRing } from './message-ring';
import { Session, sessionView, SessionTable, type ListenerKind, type OfflineReason, type SessionLink, type SessionRecord, type SessionView, type TlsDetails } from './session';
import { HubStats, type Counters, type StatsSnapshot } from './stats';
import { SubscriberIndex } from './subscriber-index';
import { clientCertificateOf, selfSignedServerCertificate, selfSignedTrust, tlsDetailsOf, type TlsMaterial, type TrustProvider } from './tls';
import { Upstream, type DeviceMessage } from './upstream';

/**
 * The embedded EnOS-compatible MQTT hub (issue 5) on aedes: CONNECT checked per protocol
 * reference §3, every PUBLISH routed through one precompiled topic router, answered per §6 and
 * kept in bounded per-device rings; downstream commands correlated by id. Statistics are counters.
 */

export interface HubOptions {
  directory: Directory;
  logger: Logger;
  clock?: () => number;
  listeners: ListenerConfig;
  /** `PK/DK` of devices allowed to subscribe read-only to every device topic of their product. */
  monitors?: readonly string[];
  connectGuard?: ConnectGuardOptions | null;
  /** §13 #11: allow repeated mode-3 logins (test rigs). */
  allowReactivation?: boolean;
  trust?: TrustProvider;
  /** Messages kept per device. */
  ringSize?: number;
  timers?: Timers;
  /** How often sampled events are emitted. */
  sampleMs?: number;
}

export type HubEvent =
  | { type: 'session'; online: boolean; session: SessionView; reason?: OfflineReason }
  | { type: 'stats'; stats: StatsSnapshot }
  | { type: 'messages'; messages: DeviceMessage[]; dropped: number }
  | { type: 'command'; device: DeviceRef; outcome: CommandOutcome };

export interface CommandInput {
  device: DeviceRef;
  timeoutMs: number;
  pendingTtlMs?: number;
}

const SESSION = Symbol('hub.session');
const CONNECTION = Symbol('hub.connection');
type HubClient = Client & { [SESSION]?: Session; [CONNECTION]?: Connection; _disconnected?: boolean };

/** Where a publish that reaches no subscriber goes (refused, invalid, or unsubscribed): no filter may match it (`$` topics are refused). */
const DROPPED = '$hub/dropped';
const MESSAGE_BATCH = 200;

type PublishDone = (error?: Error | null) => void;

/**
 * aedes routes every PUBLISH it accepts: a Packet, a match in the persistence's and the emitter's
 * topic tries, a promise for QoS 1. A DROPPED packet has no subscriber by construction, so it is
 * completed as aedes completes a publish that matches nothing (at once; the `publish` event it
 * would emit has no listener here). Its PUBACK has already gone out (aedes handlers/publish.js).
 */
function completeDroppedUnrouted(broker: Aedes): void {
  const route = broker.publish.bind(broker) as (packet: PublishPacket, client: Client | PublishDone | null, done?: PublishDone) => void;
  Object.assign(broker, {
    publish(packet: PublishPacket, client: Client | PublishDone | null, done?: PublishDone): void {
      if (packet.topic !== DROPPED) return route(packet, client, done);
      (typeof client === 'function' ? client : done)?.(null);
    },
  });
}
const noop = () => undefined;

function authError(returnCode: Refusal['connack']): AuthenticateError {
  return Object.assign(new Error('login refused'), { returnCode: returnCode as number }) as AuthenticateError;
}

function violationText(violations: Violation[]): string {
  return violations
    .slice(0, 5)
    .map((violation) => `${violation.path}: ${violation.message}`)
    .join('; ');
}

export class Hub {
  private readonly directory: Directory;
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly timers: Timers;
  private readonly loginCheck: LoginCheck;
  private readonly guard: ConnectGuard;
  private readonly monitors: ReadonlySet<string>;
  private readonly trust: TrustProvider;
  readonly sessions = new SessionTable();
  readonly stats = new HubStats();
  private readonly rings = new Map<string, Map<string, MessageRing>>();
  private readonly ringSize: number;
  private readonly commands: Commands;
  private readonly upstream: Upstream;
  private readonly listeners = new Set<(event: HubEvent) => void>();
  private readonly taps = new Set<(message: DeviceMessage) => void>();
  private readonly subscribers = new SubscriberIndex();
  private batch: DeviceMessage[] = [];
  private droppedFromBatch = 0;
  private statsDirty = true;
  private broker: Aedes | null = null;
  private servers: Listeners | null = null;
  private sampler: NodeJS.Timeout | null = null;
  private unsubscribeDirectory: (() => void) | null = null;
  private unsubscribeTrust: (() => void) | null = null;
  private readonly tlsListeners = new Set<(material: TlsMaterial) => void>();
  private readonly refusalLog = new Map<string, { last: number; suppressed: number }>();
  ports: ListenerPorts = {};

  constructor(private readonly options: HubOptions) {
    this.directory = options.directory;
    this.logger = options.logger;
    this.clock = options.clock ?? Date.now;
    this.timers = options.timers ?? realTimers;
    this.trust = options.trust ?? selfSignedTrust;
    this.ringSize = options.ringSize ?? 100;
    this.monitors = new Set(options.monitors ?? []);
    this.loginCheck = new LoginCheck(this.directory, { allowReactivation: options.allowReactivation, isRevoked: (serial) => this.trust.isRevoked(serial) });
    this.guard = new ConnectGuard(options.connectGuard ?? null, this.clock);
    this.commands = new Commands((device, topic, payload) => this.deliver(device, topic, payload), this.clock, this.timers, (outcome) => this.emit({ type: 'command', device: outcome.device, outcome }));
    this.upstream = new Upstream({
      directory: this.directory,
      clock: this.clock,
      record: (message) => this.record(message),
      subDeviceOnline: (gateway, device, product) => this.subDeviceOnline(gateway, device, product),
      subDeviceOffline: (gateway, device) => this.subDeviceOffline(gateway, device, 'logged-out'),
      carrier: (device) => this.sessions.carrier(device),
    });
  }

  // ── lifecycle ───────────────────────────────────────────────────────────

  async start(): Promise<ListenerPorts> {
    const broker = await Aedes.createBroker({
      // §13 #6: the whole ClientId may be up to 256 bytes; the login check enforces it (CONNACK 2).
      maxClientsIdLength: 4096,
      authenticate: (client, username, password, done) => this.authenticate(client as HubClient, username, password, done),
      authorizePublish: (client, packet, done) => this.authorizePublish(client as HubClient | null, packet, done),
      authorizeSubscribe: (client, subscription, done) => this.authorizeSubscribe(client as HubClient, subscription, done),
    });
    this.broker = broker;
    completeDroppedUnrouted(broker);
    // Registered before CONNACK (so a device that has its CONNACK is in the table), served after it.
    broker.on('client', (client) => this.online(client as HubClient));
    broker.on('clientReady', (client) => this.ready(client as HubClient));
    broker.on('clientDisconnect', (client) => this.offline(client as HubClient));
    broker.on('keepaliveTimeout', (client) => this.markOffline(client as HubClient, 'keepalive-timeout'));
    broker.on('clientError', (client, error) => this.clientError(client as HubClient, error));
    broker.on('connectionError', (_client, error) => this.logger.debug('connection error before login', { error: error.message }));
    broker.on('unsubscribe', (filters, client) => this.unsubscribed(client as HubClient, filters));
    this.unsubscribeDirectory = this.directory.onChange((change) => this.directoryChanged(change));
    this.loginCheck.warm();
    try {
      this.servers = await startListeners(this.options.listeners, () => this.tlsMaterial(), (stream, connection) => this.accept(stream, connection));
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.ports = this.servers.ports;
    this.unsubscribeTrust = this.trust.onChanged?.(() => void this.refreshTls()) ?? null;
    for (const { listener, code } of this.servers.skipped) this.logger.error('hub listener not started', { listener, code, host: this.options.listeners.host });
    this.sampler = setInterval(() => this.sample(), this.options.sampleMs ?? 1000);
    this.sampler.unref();
    this.logger.info('hub listening', { ...this.ports, host: this.options.listeners.host });
    return this.ports;
  }

  async stop(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = null;
    this.unsubscribeDirectory?.();
    this.unsubscribeDirectory = null;
    this.unsubscribeTrust?.();
    this.unsubscribeTrust = null;
    for (const session of this.sessions.all()) session.offlineReason ??= 'hub-stopped';
    this.commands.close();
    const broker = this.broker;
    this.broker = null;
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    await this.servers?.close();
    this.servers = null;
  }

  /** The PKI's server certificate and trusted CAs; a generated self-signed one while it has none (or fails). */
  async tlsMaterial(): Promise<TlsMaterial> {
    let issued: { cert: string; key: string } | null = null;
    let ca: string[] = [];
    try {
      issued = await this.trust.serverCredentials();
      ca = this.trust.trustedCas();
    } catch (error) {
      this.logger.warn('the PKI could not supply TLS material; using a self-signed certificate', { error: (error as Error).message });
    }
    if (!issued) this.logger.info('TLS listeners use a generated self-signed certificate until the local CA issues one');
    return { ...(issued ?? (await selfSignedServerCertificate(this.clock()))), ca };
  }

  /**
   * The PKI changed (a CA made or imported, a destination chain added): every TLS listener
   * (MQTTS, WSS, and HTTPS through `onTlsChanged`) takes the new server certificate and trusted
   * CAs for its next connections, so devices given the new chain connect without a hub restart.
   */
  async refreshTls(): Promise<void> {
    const material = await this.tlsMaterial();
    this.servers?.updateTls(material);
    for (const listener of this.tlsListeners) listener(material);
    this.logger.info('TLS listeners took the PKI’s new certificate and trusted CAs', { trustedCas: material.ca.length });
  }

  onTlsChanged(listener: (material: TlsMaterial) => void): () => void {
    this.tlsListeners.add(listener);
    return () => this.tlsListeners.delete(listener);
  }

  private accept(stream: Duplex, connection: Connection): void {
    const broker = this.broker;
    if (!broker) return void stream.destroy();
    const client = broker.handle(stream) as HubClient;
    client[CONNECTION] = connection;
  }

  // ── events ──────────────────────────────────────────────────────────────

  /** Sampled events for the UI (sessions as they change, stats and messages at most once per sample). */
  onEvent(listener: (event: HubEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every accepted message, in-process, unsampled (the app's live views). */
  tap(listener: (message: DeviceMessage) => void): () => void {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  }

  private emit(event: HubEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private sample(): void {
    if (this.batch.length > 0 || this.droppedFromBatch > 0) {
      this.emit({ type: 'messages', messages: this.batch, dropped: this.droppedFromBatch });
      this.batch = [];
      this.droppedFromBatch = 0;
    }
    if (this.statsDirty) {
      this.statsDirty = false;
      this.emit({ type: 'stats', stats: this.statsSnapshot() });
    }
  }

  private record(message: DeviceMessage): void {
    // Keyed by productKey, then deviceKey: the message's own key strings, no `PK/DK` built per message.
    let product = this.rings.get(message.productKey);
    if (!product) {
      product = new Map();
      this.rings.set(message.productKey, product);
    }
    let ring = product.get(message.deviceKey);
    if (!ring) {
      ring = new MessageRing(message.productKey, message.deviceKey, this.ringSize);
      product.set(message.deviceKey, ring);
    }
    ring.push(message);
    if (this.batch.length < MESSAGE_BATCH) this.batch.push(message);
    else this.droppedFromBatch++;
    if (this.taps.size > 0) for (const tap of this.taps) tap(message);
  }

  // ── queries ─────────────────────────────────────────────────────────────

  sessionList(): SessionView[] {
    return this.sessions.list();
  }

  sessionHistory(limit = 100): SessionRecord[] {
    return this.sessions.history.toArray(limit);
  }

  statsSnapshot(limit = 100): StatsSnapshot {
    return this.stats.snapshot(this.clock(), this.sessions.online, limit);
  }

  /** Devices the connect guard currently refuses, with the time of the last refusal. */
  guardBlocked(): Array<{ device: string; at: number }> {
    return [...this.guard.blocked].map(([device, at]) => ({ device, at }));
  }

  messages(device: DeviceRef, limit = 100): DeviceMessage[] {
    return this.rings.get(device.productKey)?.get(device.deviceKey)?.toArray(limit) ?? [];
  }

  // ── login ───────────────────────────────────────────────────────────────

  private authenticate(client: HubClient, username: string | undefined, password: Buffer | undefined, done: (error: AuthenticateError | null, success: boolean | null) => void): void {
    const connection = client[CONNECTION];
    const tlsSocket = connection?.tlsSocket ?? null;
    const decision = this.loginCheck.check({ clientId: client.id, username, password, tls: tlsSocket ? { certificate: clientCertificateOf(tlsSocket) } : null });
    if (!decision.ok) return this.refuseLogin(decision, connection, done);
    const device = decision.device;
    const id = deviceId(device);
    if (!this.guard.allow(id)) return this.refuseLogin({ ok: false, connack: 3, reason: 'connect-guard', device }, connection, done);
    // §3.5: the device's current session (same ClientId or not) ends as taken over.
    const previous = this.sessions.get(device);
    if (previous) previous.offlineReason ??= 'taken-over';
    const stats = this.stats.entry(device.productKey, device.deviceKey, connection?.listener ?? 'mqtt');
    client[SESSION] = new Session(client, device, decision.product, stats, {
      clientId: client.id,
      listener: connection?.listener ?? 'mqtt',
      address: connection?.address ?? null,
      secureMode: decision.secureMode,
      tls: tlsSocket ? tlsDetailsOf(tlsSocket) : null,
      connectedAt: this.clock(),
      monitor: this.monitors.has(id),
      activation: decision.activation,
    });
    done(null, true);
  }

  private refuseLogin(refusal: Refusal, connection: Connection | undefined, done: (error: AuthenticateError | null, success: boolean | null) => void): void {
    this.countRefusal(refusal, connection ?? { listener: 'mqtt', address: null, tlsSocket: null });
    done(authError(refusal.connack), false);
  }

  private countRefusal(refusal: Refusal, connection: Connection): void {
    const known = refusal.device && this.directory.device(refusal.device.productKey, refusal.device.deviceKey) ? refusal.device : null;
    this.stats.refusal(known ? this.stats.entry(known.productKey, known.deviceKey, connection.listener) : null, refusal.reason, connection.listener);
    this.statsDirty = true;
    this.logRefusal(refusal, connection);
  }

  /** A flood of bad logins logs one line per reason per second, with the count it stood for. */
  private logRefusal(refusal: Refusal, connection: Connection | undefined): void {
    const now = this.clock();
    const entry = this.refusalLog.get(refusal.reason) ?? { last: -Infinity, suppressed: 0 };
    this.refusalLog.set(refusal.reason, entry);
    if (now - entry.last < 1000) {
      entry.suppressed++;
      return;
    }
    this.logger.info('login refused', {
      reason: refusal.reason,
      connack: refusal.connack,
      ...(refusal.enosCode ? { enosCode: refusal.enosCode } : {}),
      ...(refusal.device ? { productKey: refusal.device.productKey, deviceKey: refusal.device.deviceKey } : {}),
      listener: connection?.listener,
      address: connection?.address,
      ...(entry.suppressed > 0 ? { alsoRefusedSinceLastLine: entry.suppressed } : {}),
    });
    entry.last = now;
    entry.suppressed = 0;
  }

  private online(client: HubClient): void {
    const session = client[SESSION];
    if (session) this.sessionOnline(session);
  }

  private sessionOnline(session: Session): void {
    const previous = this.sessions.add(session);
    if (previous) {
      previous.offlineReason = 'taken-over';
      previous.client.close();
    }
    this.stats.connect(session.stats);
    this.statsDirty = true;
    if (session.device.state === 'planned' || session.device.state === 'provisioned') this.directory.markActive(session.device);
    this.emit({ type: 'session', online: true, session: sessionView(session) });
  }

  /** CONNACK is out: the activation push and held commands may follow it. */
  private ready(client: HubClient): void {
    const session = client[SESSION];
    if (session) this.sessionReady(session);
  }

  private sessionReady(session: Session): void {
    session.markReady();
    if (session.offlineReason) return;
    if (session.info.activation) this.pushActivation(session);
    this.commands.flush(session.device);
  }

  /** §3.7 step 2: right after CONNACK, unsolicited, the deviceSecret on the activation topic. */
  private pushActivation(session: Session): void {
    const activated = this.directory.activate(session.device);
    if (!activated.ok) {
      this.logger.warn('activation failed', { productKey: session.device.productKey, deviceKey: session.device.deviceKey, code: activated.error.code });
      session.client.close();
      return;
    }
    this.loginCheck.forget(session.device);
    this.guard.exemptNext(session.id);
    const { productKey, deviceKey, assetId } = session.device;
    const params = { assetId, productKey, deviceKey, deviceSecret: activated.value.deviceSecret };
    this.publishTo(session, topicFor('activate.info', productKey, deviceKey), buildRequest('1', 'thing.activate.info', params), 1, session.stats);
    this.logger.info('device activated', { productKey, deviceKey });
  }

  private markOffline(client: HubClient, reason: OfflineReason): void {
    const session = client[SESSION];
    if (session) session.offlineReason ??= reason;
  }

  private clientError(client: HubClient, error: Error): void {
    this.markOffline(client, 'connection-lost');
    this.logger.debug('client error', { clientId: client.id, error: error.message });
  }

  private offline(client: HubClient): void {
    const session = client[SESSION];
    if (!session) return;
    // aedes marks a DISCONNECT packet on the client; anything else is a lost connection.
    this.sessionOffline(session, session.offlineReason ?? (client._disconnected ? 'disconnected' : 'connection-lost'));
  }

  private sessionOffline(session: Session, reason: OfflineReason): void {
    const { removed, subDevices } = this.sessions.remove(session, reason, this.clock());
    this.statsDirty = true;
    for (const sub of subDevices) this.emit({ type: 'session', online: false, session: sessionView(session, sub), reason: 'gateway-offline' });
    if (removed || reason !== 'taken-over') this.emit({ type: 'session', online: false, session: sessionView(session), reason });
  }

  private subDeviceOnline(gateway: Session, device: DirectoryDevice, product: DirectoryProduct): void {
    const stats = this.stats.entry(device.productKey, device.deviceKey);
    this.sessions.addSubDevice(gateway, { device, product, stats });
    this.stats.connect(stats);
    this.statsDirty = true;
    if (device.state === 'planned' || device.state === 'provisioned') this.directory.markActive(device);
    this.emit({ type: 'session', online: true, session: sessionView(gateway, device) });
    this.commands.flush(device);
  }

  private subDeviceOffline(gateway: Session, device: DeviceRef, reason: OfflineReason): boolean {
    if (!this.sessions.removeSubDevice(gateway, device, reason, this.clock())) return false;
    this.statsDirty = true;
    this.emit({ type: 'session', online: false, session: sessionView(gateway, device), reason });
    return true;
  }

  // ── HTTP and CoAP sessions (issue 6): the adapters only translate ───────

  /**
   * A login over HTTP (§8) or CoAP (§7): mode 2, `verify` checks the transport's own signature
   * with the deviceSecret. Same admission checks, connect guard, statistics and log as MQTT;
   * `certificate`: the HTTPS client certificate a certificate product logs in with (§4).
   */
  transportLogin(ref: DeviceRef, verify: (deviceSecret: string) => boolean, connection: { listener: ListenerKind; address: string | null; certificate?: ClientCertificate | null }): { ok: true; device: DirectoryDevice; product: DirectoryProduct } | Refusal {
    const decision = checkTransportLogin(this.directory, ref, verify, (device) => this.loginCheck.certificateMatches(device, connection.certificate));
    const refusal: Refusal | null = !decision.ok ? decision : this.guard.allow(deviceId(ref)) ? null : { ok: false, connack: 3, reason: 'connect-guard', device: ref };
    if (!refusal) return decision;
    this.countRefusal(refusal, { ...connection, tlsSocket: null });
    return refusal;
  }

  /** Puts an admitted HTTP or CoAP session online (a login on any transport takes the device's session over, §3.5) and hands it held commands. */
  openSession(admitted: { device: DirectoryDevice; product: DirectoryProduct }, link: SessionLink, connection: { listener: ListenerKind; address: string | null; clientId: string; tls: TlsDetails | null }): Session {
    const { device, product } = admitted;
    const stats = this.stats.entry(device.productKey, device.deviceKey, connection.listener);
    const session = new Session(link, device, product, stats, { ...connection, secureMode: 2, connectedAt: this.clock(), monitor: false, activation: false });
    // Replies reach only subscribers (§3.5); these devices get each reply with their own request.
    for (const filter of deviceTopicFilters(device.productKey, device.deviceKey)) session.subscriptions.push({ filter, qos: 0 });
    this.sessionOnline(session);
    this.sessionReady(session);
    return session;
  }

  /** One upstream message of an HTTP or CoAP session, handled as an MQTT PUBLISH; its reply reaches the session's link before this returns. */
  publishFrom(session: Session, topic: string, payload: Buffer): void {
    session.lastSeen = this.clock();
    this.handlePublish(session, { cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false });
  }

  /** An HTTP or CoAP session ended (expired, replaced, or closed by the hub). */
  closeSession(session: Session, reason: OfflineReason): void {
    session.offlineReason ??= reason;
    this.sessionOffline(session, session.offlineReason);
  }

  /** A transport-level refusal (bad session id, oversized body, malformed datagram), counted per protocol. */
  countTransportRefusal(listener: ListenerKind, reason: string, code: number | null, session?: Session): void {
    this.stats.refusal(session ? session.stats : null, reason, listener);
    if (code !== null) this.stats.error(session ? session.stats : null, code, listener);
    this.statsDirty = true;
  }

  // ── subscriptions ───────────────────────────────────────────────────────

  private authorizeSubscribe(client: HubClient, subscription: Subscription, done: (error: Error | null, subscription?: Subscription | null) => void): void {
    const session = client[SESSION];
    if (!session || !maySubscribe(session, subscription.topic)) {
      if (session) this.stats.refusal(session.stats, 'subscribe-refused');
      this.statsDirty = true;
      return done(null, null);
    }
    // §2: QoS 0 and 1 only.
    const qos = subscription.qos >= 1 ? 1 : 0;
    const existing = session.subscriptions.find((grant) => grant.filter === subscription.topic);
    if (existing) existing.qos = qos;
    else {
      session.subscriptions.push({ filter: subscription.topic, qos });
      this.subscribers.add(subscription.topic);
    }
    done(null, { ...subscription, qos });
  }

  private unsubscribed(client: HubClient, filters: string[]): void {
    const session = client[SESSION];
    if (!session) return;
    for (const filter of filters) {
      const at = session.subscriptions.findIndex((grant) => grant.filter === filter);
      if (at < 0) continue;
      session.subscriptions.splice(at, 1);
      this.subscribers.remove(filter);
    }
  }

  // ── upstream ────────────────────────────────────────────────────────────

  private authorizePublish(client: HubClient | null, packet: PublishPacket, done: (error?: Error | null) => void): void {
    // The broker's own publishes (heartbeats, our replies) are not checked.
    if (!client) return done(null);
    const session = client[SESSION];
    if (!session) return done(new Error('not logged in'));
    session.lastSeen = this.clock();
    // §2: no retained messages.
    packet.retain = false;
    const forward = this.handlePublish(session, packet);
    if (!forward) packet.topic = DROPPED;
    done(null);
  }

  /** Handles one device PUBLISH; true when it goes on to the subscribers that may receive it (monitors, or the device itself). */
  private handlePublish(session: Session, packet: PublishPacket): boolean {
    const topic = packet.topic;
    const payload = packet.payload as Buffer;
    const routed = session.route(topic);
    const acting = routed ? session.actsFor(routed.productKey, routed.deviceKey) : null;
    if (!routed || !acting) return this.refusePublish(session, topic, routed);
    // A session carries its own device, product and counters, as a sub-device entry does.
    const target = acting === 'self' ? session : acting;
    this.stats.messageIn(target.stats, payload.length);
    this.statsDirty = true;
    if (!isUpstreamKind(routed.kind)) {
      // A device answering one of our commands (or the activation push) on `_reply`.
      if (!routed.reply) return this.refusePublish(session, topic, routed);
      if (routed.kind !== 'activate.info') this.commands.reply(topic, routed, payload);
      return this.subscribers.mayReceive(routed.productKey, routed.deviceKey, topic);
    }
    if (routed.reply) return this.refusePublish(session, topic, routed);
    if (payload.length > MAX_PAYLOAD_BYTES) return this.fail(session, target.stats, topic, undefined, ReturnCode.PAYLOAD_TOO_LARGE, 'payload larger than 512 KiB');
    if (routed.kind === 'up_raw') {
      // §6.5: opaque bytes, no id; the cloud's decoder script is not ours, so the bytes are kept as they are.
      this.record({ receivedAt: this.clock(), productKey: target.device.productKey, deviceKey: target.device.deviceKey, kind: 'raw', time: null, values: payload.toString('base64') });
      return this.subscribers.mayReceive(routed.productKey, routed.deviceKey, topic);
    }
    // The one JSON parse of the message; a Buffer decodes to text without another view on its bytes.
    const parsed = parseRequest(payload.toString('utf8'));
    if (!parsed.ok) return this.fail(session, target.stats, topic, parsed.id, parsed.code, parsed.code === ReturnCode.EMPTY_PAYLOAD ? 'empty payload' : 'payload is not a JSON request');
    const request = parsed;
    if (!methodMatches(routed.kind, request.method, routed.param)) return this.fail(session, target.stats, topic, request.id, ReturnCode.METHOD_MISMATCH, `method ${request.method.slice(0, 100)} does not match the topic`);
    const answer = this.upstream.answer(session, target.device, target.product, routed, request);
    if (session.subscriptions.length > 0) this.sendReply(session, target.stats, `${topic}_reply`, { id: request.id, code: answer.code, data: answer.data, message: answer.message }, false);
    if (answer.code !== ReturnCode.SUCCESS) {
      this.stats.error(target.stats, answer.code);
      return false;
    }
    return this.subscribers.mayReceive(routed.productKey, routed.deviceKey, topic);
  }

  /** An error reply to a request on `topic` (sent on its `_reply` topic when the device subscribed to it). */
  private fail(session: Session, stats: { device: Counters; product: Counters }, topic: string, id: MessageId | undefined, code: number, message: string): false {
    this.stats.error(stats, code);
    this.sendReply(session, stats, `${topic}_reply`, { id, code, message }, false);
    return false;
  }

  /** §3.5: not the device's topic (or not one it may publish on): 1009 on the reply topic, counted. */
  private refusePublish(session: Session, topic: string, routed: RoutedTopic | null): false {
    this.stats.refusal(session.stats, 'publish-refused');
    this.stats.error(session.stats, ReturnCode.TOPIC_NOT_WRITABLE);
    this.statsDirty = true;
    this.logger.debug('publish refused', { productKey: session.device.productKey, deviceKey: session.device.deviceKey, topic: topic.slice(0, 200), known: routed !== null });
    // Delivered even without a subscription: the device could not have subscribed to a topic it does not own.
    if (!topic.startsWith('$')) this.sendReply(session, session.stats, `${topic}_reply`, { id: undefined, code: ReturnCode.TOPIC_NOT_WRITABLE, message: 'topic not writable' }, true);
    return false;
  }

  /** §3.5: replies reach only a session that subscribed to them (refusals excepted). */
  /** The envelope is serialised only when someone will receive it (most posts have no reply subscriber). */
  private sendReply(session: Session, stats: { device: Counters; product: Counters }, topic: string, reply: ReplyEnvelope, force: boolean): void {
    const qos = session.subscriptions.length > 0 ? grantedQos(session, topic) : null;
    const granted = qos ?? (force ? 0 : null);
    if (granted === null) return;
    this.publishTo(session, topic, buildReply(reply), granted, stats);
  }

  private publishTo(session: Session, topic: string, body: string, qos: 0 | 1, stats: { device: Counters; product: Counters }, done: () => void = noop): void {
    const payload = Buffer.from(body);
    this.stats.messageOut(stats, payload.length);
    session.whenReady(() => session.client.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false } as PublishPacket, done));
  }

  // ── downstream ──────────────────────────────────────────────────────────

  private deliver(device: DeviceRef, topic: string, payload: string): boolean {
    const session = this.sessions.carrier(device);
    if (!session) return false;
    const acting = session.actsFor(device.productKey, device.deviceKey);
    const stats = acting && acting !== 'self' ? acting.stats : session.stats;
    this.publishTo(session, topic, payload, 1, stats);
    this.statsDirty = true;
    return true;
  }

  private knownDevice(device: DeviceRef): Result<{ device: DirectoryDevice; product: DirectoryProduct }> {
    const found = this.directory.device(device.productKey, device.deviceKey);
    const product = this.directory.product(device.productKey);
    if (!found || !product) return err('NOT_FOUND', `No device ${deviceId(device)} in the registry.`);
    return ok({ device: found, product });
  }

  /** `thing.service.{id}` (§6.2): SYNC services wait for the reply, ASYNC ones return once sent. */
  async invokeService(input: CommandInput & { serviceId: string; params: Record<string, unknown> }): Promise<Result<CommandAnswer>> {
    const known = this.knownDevice(input.device);
    if (!known.ok) return known;
    const model = known.value.product.thingModel;
    const service = model?.services[input.serviceId];
    if (model && !service) return err('VALIDATION_FAILED', `"${input.serviceId}" is not a service of the thing model of ${input.device.productKey}.`);
    if (model) {
      const violations = validateServiceInput(model, input.serviceId, input.params);
      if (violations.length > 0) return err('VALIDATION_FAILED', `Service input does not match the thing model: ${violationText(violations)}`);
    }
    return this.run('service.invoke', input, input.params, input.serviceId, service?.callType === 'ASYNC');
  }

  /** `thing.service.measurepoint.set` (§6.2), validated against the model. */
  async setMeasurepoints(input: CommandInput & { values: Record<string, unknown> }): Promise<Result<CommandAnswer>> {
    const known = this.knownDevice(input.device);
    if (!known.ok) return known;
    const model = known.value.product.thingModel;
    if (model) {
      const violations = validateMeasurepoints(model, { measurepoints: input.values });
      if (violations.length > 0) return err('VALIDATION_FAILED', `Measurepoint values do not match the thing model: ${violationText(violations)}`);
    }
    return this.run('measurepoint.set', input, input.values);
  }

  /** `thing.service.measurepoint.get` (§6.2): params is the array of ids. */
  async getMeasurepoints(input: CommandInput & { ids: string[] }): Promise<Result<CommandAnswer>> {
    const known = this.knownDevice(input.device);
    if (!known.ok) return known;
    return this.run('measurepoint.get', input, input.ids);
  }

  /** `thing/model/down_raw` (§6.2): opaque bytes; the reply matches by topic. */
  async sendRaw(input: CommandInput & { payload: string }): Promise<Result<CommandAnswer>> {
    const known = this.knownDevice(input.device);
    if (!known.ok) return known;
    return this.run('down_raw', input, input.payload);
  }

  private async run(kind: CommandKind, input: CommandInput, params: unknown, param?: string, fireAndForget = false): Promise<Result<CommandAnswer>> {
    const outcome = await this.commands.send({ device: input.device, kind, params, timeoutMs: input.timeoutMs, pendingTtlMs: input.pendingTtlMs ?? 0, awaitReply: !fireAndForget, ...(param ? { param } : {}) });
    if (outcome.status === 'offline') return err('DEVICE_OFFLINE', `${deviceId(input.device)} is offline. Give a pending TTL to hold the command until it logs in.`);
    if (outcome.status === 'timeout') return err('TIMEOUT', `${deviceId(input.device)} did not answer within ${Math.round(input.timeoutMs / 100) / 10} s (command ${outcome.correlationId}).`);
    return ok(outcome);
  }

  /**
   * Lifecycle notices (§6.2): `thing.{enable,disable,delete}` to a device, `combine.*` to the
   * gateway of a sub-device. After disable or delete the device goes offline.
   */
  notifyLifecycle(device: DeviceRef, action: 'enable' | 'disable' | 'delete'): boolean {
    const session = this.sessions.carrier(device);
    if (!session) return false;
    const goesOffline: OfflineReason | null = action === 'disable' ? 'disabled' : action === 'delete' ? 'deleted' : null;
    if (session.id === deviceId(device)) {
      const topic = topicFor(`thing.${action}`, device.productKey, device.deviceKey);
      if (goesOffline) session.offlineReason = goesOffline;
      this.publishTo(session, topic, buildRequest(`notice-${this.clock()}`, `thing.${action}`, {}), 0, session.stats, () => {
        if (goesOffline) session.client.close();
      });
      return true;
    }
    const topic = topicFor(`combine.${action}`, session.device.productKey, session.device.deviceKey);
    this.publishTo(session, topic, buildRequest(`notice-${this.clock()}`, `combine.${action}`, [{ productKey: device.productKey, deviceKey: device.deviceKey }]), 0, session.stats);
    if (goesOffline) this.subDeviceOffline(session, device, goesOffline);
    return true;
  }

  /** Ends a device's own session now (its certificate was revoked). */
  disconnect(device: DeviceRef, reason: OfflineReason): boolean {
    const session = this.sessions.get(device);
    if (!session) return false;
    session.offlineReason = reason;
    session.client.close();
    return true;
  }

  /** Registry changes: forget cached logins; a disabled or deleted device is told and goes offline. */
  private directoryChanged(change: DirectoryChange): void {
    if (change.kind === 'all') return this.loginCheck.forget();
    if (change.kind === 'product') {
      this.loginCheck.forget();
      const product = this.directory.product(change.productKey);
      for (const session of this.sessions.all()) if (product && session.product.productKey === change.productKey) session.product = product;
      return;
    }
    this.loginCheck.forget(change.device);
    if (!this.sessions.carrier(change.device)) return;
    const current = this.directory.device(change.device.productKey, change.device.deviceKey);
    if (!current || current.state === 'decommissioned') this.notifyLifecycle(change.device, 'delete');
    else if (current.state === 'disabled') this.notifyLifecycle(change.device, 'disable');
  }
}

