import { createPrivateKey } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { buildMqttCredentials, buildReply, buildRequest, parseRequest, routeTopic, topicFor } from '../protocol';
import type { ThingModel } from '../../shared/model/thing-model';
import type { ConnectivityReport, Endpoint } from '../serial/drivers/driver';
import type { Flash } from './flash';
import { sampleMeasurepoints, sampleValue } from './telemetry';

export interface ApplicationOptions {
  model: ThingModel;
  firmware: string;
  /** Telemetry period once running after commit. */
  postIntervalMs: number;
  log(level: 'info' | 'warn' | 'error', text: string): void;
  /** Persists the flash (the activated deviceSecret). */
  save(): void;
}

export const CONNECT_TIMEOUT_MS = 5000;

/**
 * The device's application firmware: an EnOS device on MQTT (protocol reference §2–§6) with the
 * credentials in its flash. It performs dynamic activation when it holds only a productSecret
 * (§3.7, §13 #10: reply, persist, reconnect in mode 2), reports its firmware (ota.device.inform),
 * posts measurepoints that follow its thing model and answers service invokes and
 * measurepoint set/get. HTTP and CoAP endpoints are not emulated yet.
 */
export class DeviceSession {
  private client: MqttClient | null = null;
  /** Every client this session opened and has not ended: stop() ends them all, even mid-login. */
  private readonly clients = new Set<MqttClient>();
  private timer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private readonly points: Record<string, unknown> = {};
  /** Waiters for the hub's acknowledgement of a post, by message id; woken by the `_reply` itself. */
  private readonly ackWaiters = new Map<string, (acknowledged: boolean) => void>();
  downstreamAnswered = false;
  private downstreamWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly flash: Flash,
    private readonly endpoint: Endpoint,
    private readonly options: ApplicationOptions,
  ) {}

  /** Logs in (activating first when needed); resolves with the login round trip in ms or an error text. */
  async connect(): Promise<{ latencyMs: number } | { error: string }> {
    const { productKey, deviceKey } = this.flash.config;
    if (!productKey || !deviceKey) return { error: 'no productKey/deviceKey configured' };
    const { deviceSecret, productSecret } = this.flash.secrets;
    if (!deviceSecret && productSecret) {
      const activated = await this.activate(productKey, deviceKey, productSecret);
      if ('error' in activated) return activated;
    }
    if (!this.flash.secrets.deviceSecret) return { error: 'no deviceSecret or productSecret in flash' };
    const started = performance.now();
    const client = await this.open(2, this.flash.secrets.deviceSecret, (_client, topic, payload) => this.onDownstream(topic, payload));
    if ('error' in client) return client;
    this.client = client;
    await client.subscribeAsync(`${topicFor('measurepoint.post', productKey, deviceKey)}_reply`, { qos: 1 }).catch(() => undefined);
    if (this.stopped) return { error: 'stopped' };
    this.publish('ota.inform', { version: this.options.firmware });
    this.options.log('info', `online at ${this.endpoint.host}:${this.endpoint.port} as ${productKey}/${deviceKey}`);
    return { latencyMs: performance.now() - started };
  }

  /**
   * Logs in. `onMessage` is attached before the CONNECT goes out: a message the hub pushes right
   * after CONNACK (thing.activate.info, §3.7) can arrive in the same read as the CONNACK.
   */
  private open(secureMode: 2 | 3, secret: string, onMessage: (client: MqttClient, topic: string, payload: Buffer) => void): Promise<MqttClient | { error: string }> {
    if (this.stopped) return Promise.resolve({ error: 'stopped' });
    const { productKey = '', deviceKey = '' } = this.flash.config;
    const credentials = buildMqttCredentials({ productKey, deviceKey, secret, secureMode, timestamp: String(Date.now()) });
    const tls = this.endpoint.tls ? this.tlsOptions() : {};
    const client = mqtt.connect(`${this.endpoint.tls ? 'mqtts' : 'mqtt'}://${this.endpoint.host}:${this.endpoint.port}`, {
      ...credentials,
      protocolVersion: 4,
      clean: true,
      keepalive: 60,
      reconnectPeriod: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      ...tls,
    });
    this.clients.add(client);
    client.on('message', (topic, payload) => onMessage(client, topic, payload));
    return new Promise((resolve) => {
      const failed = (reason: string) => {
        void this.end(client);
        resolve({ error: `login (mode ${secureMode}) failed: ${reason}` });
      };
      client.once('connect', () => (this.stopped ? failed('stopped') : resolve(client)));
      client.on('error', (error) => failed(error.message));
      // Without reconnects a refused or dropped connection may only close.
      client.once('close', () => failed('the connection closed'));
    });
  }

  /** Graceful (the activation reply gets out), but forced once stopping: a device being switched off waits for no acknowledgement. */
  private async end(client: MqttClient): Promise<void> {
    this.clients.delete(client);
    await client.endAsync(this.stopped).catch(() => undefined);
  }

  /** Mutual TLS with the certificate chain and key in flash (protocol reference §4). */
  private tlsOptions(): Record<string, unknown> {
    const key = this.flash.privateKeyPem ?? (this.flash.onDeviceKey ? createPrivateKey({ key: Buffer.from(this.flash.onDeviceKey, 'hex'), format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }) : undefined);
    return { key, cert: this.flash.certificateChain, ca: this.flash.certificateChain, rejectUnauthorized: false };
  }

  /** §3.7: mode-3 login, the hub pushes thing.activate.info, we persist the secret and reply. */
  private async activate(productKey: string, deviceKey: string, productSecret: string): Promise<{ ok: true } | { error: string }> {
    let received: (secret: string | null) => void = () => undefined;
    const pushed = new Promise<string | null>((resolve) => (received = resolve));
    // The reply is a QoS 1 publish: the session ends once the hub has acknowledged it (or the connection is gone).
    let replied: () => void = () => undefined;
    const acknowledged = new Promise<void>((resolve) => (replied = resolve));
    const client = await this.open(3, productSecret, (activating, topic, payload) => {
      const routed = routeTopic(topic);
      const parsed = parseRequest(payload);
      if (routed?.kind !== 'activate.info' || !parsed.ok) return;
      const params = parsed.params as { deviceSecret?: unknown };
      if (typeof params?.deviceSecret !== 'string') return;
      activating.publish(`${topic}_reply`, buildReply({ id: parsed.id, code: 200, data: {} }), { qos: 1 }, () => replied());
      received(params.deviceSecret);
    });
    if ('error' in client) return client;
    client.once('close', () => {
      received(null); // stopped or dropped: no secret will come
      replied();
    });
    const timer = setTimeout(() => {
      received(null);
      replied();
    }, CONNECT_TIMEOUT_MS);
    try {
      const secret = await pushed;
      if (!secret) return { error: 'activation: no thing.activate.info within the timeout' };
      if (this.stopped) return { error: 'stopped' };
      this.flash.secrets.deviceSecret = secret;
      this.flash.activated = true;
      this.options.save();
      this.options.log('info', `activated as ${productKey}/${deviceKey}`);
      // mqtt.js ends a client with a publish in flight 10 ms after its acknowledgement; waiting
      // for the acknowledgement here sends the DISCONNECT as soon as it arrives (§3.7 step 4).
      await acknowledged;
      return { ok: true };
    } finally {
      clearTimeout(timer);
      await this.end(client);
    }
  }

  private publish(kind: 'measurepoint.post' | 'ota.inform', params: unknown): string {
    const { productKey = '', deviceKey = '' } = this.flash.config;
    const id = String(this.nextId++);
    // A connection the hub closed (it stopped) has been ended, and mqtt.js throws on a publish then
    // (its closed store), which ended the sim: the post goes unacknowledged, as on a device whose uplink is down.
    const client = this.client;
    if (client?.connected && !client.disconnecting) client.publish(topicFor(kind, productKey, deviceKey), buildRequest(id, kind === 'ota.inform' ? 'ota.device.inform' : 'thing.measurepoint.post', params), { qos: 1 });
    return id;
  }

  /** Posts one sample; resolves true as soon as the hub acknowledges it with code 200, false at the timeout or on stop. */
  postSample(timeoutMs: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    const id = this.publish('measurepoint.post', { measurepoints: sampleMeasurepoints(this.options.model, this.points), time: Date.now() });
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(false), timeoutMs);
      const settle = (acknowledged: boolean) => {
        clearTimeout(timer);
        this.ackWaiters.delete(id);
        resolve(acknowledged);
      };
      this.ackWaiters.set(id, settle);
    });
  }

  /** Resolves once the device has answered a downstream request, or after `timeoutMs`. */
  downstreamWithin(timeoutMs: number): Promise<boolean> {
    if (this.downstreamAnswered || this.stopped) return Promise.resolve(this.downstreamAnswered);
    return new Promise((resolve) => {
      const woken = () => {
        clearTimeout(timer);
        resolve(this.downstreamAnswered);
      };
      const timer = setTimeout(() => {
        this.downstreamWaiters = this.downstreamWaiters.filter((waiter) => waiter !== woken);
        resolve(this.downstreamAnswered);
      }, timeoutMs);
      this.downstreamWaiters.push(woken);
    });
  }

  startPosting(): void {
    if (this.stopped) return;
    this.timer = setInterval(() => void this.postSample(this.options.postIntervalMs), this.options.postIntervalMs);
  }

  private onDownstream(topic: string, payload: Buffer): void {
    const routed = routeTopic(topic);
    if (topic.endsWith('_reply')) {
      const reply = JSON.parse(payload.toString()) as { id?: unknown; code?: unknown };
      if (Number(reply.code) === 200) this.ackWaiters.get(String(reply.id))?.(true);
      return;
    }
    const parsed = parseRequest(payload);
    if (!routed || !parsed.ok) return;
    const { id, params } = parsed;
    const answer = (code: number, data: unknown) => {
      this.client?.publish(`${topic}_reply`, buildReply({ id, code, data }), { qos: 1 });
      this.downstreamAnswered = true;
      this.wakeDownstreamWaiters();
    };
    const model = this.options.model;
    if (routed.kind === 'measurepoint.set') {
      Object.assign(this.points, params as Record<string, unknown>);
      this.options.log('info', `measurepoint set: ${Object.keys(params as object).join(', ')}`);
      return answer(200, {});
    }
    if (routed.kind === 'measurepoint.get') {
      const all = sampleMeasurepoints(model, this.points);
      const wanted = Array.isArray(params) && params.length > 0 ? (params as string[]) : Object.keys(all);
      return answer(200, Object.fromEntries(wanted.filter((key) => key in all).map((key) => [key, all[key]])));
    }
    if (routed.kind === 'service.invoke') {
      const service = model.services[routed.param ?? ''];
      this.options.log('info', `service ${routed.param ?? '?'} invoked`);
      if (!service) return answer(1101, {}); // Java SDK: no handler
      return answer(200, Object.fromEntries(service.outputData.map((output) => [output.identifier, sampleValue(output)])));
    }
  }

  private wakeDownstreamWaiters(): void {
    const waiters = this.downstreamWaiters;
    this.downstreamWaiters = [];
    for (const wake of waiters) wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const settle of [...this.ackWaiters.values()]) settle(false);
    this.wakeDownstreamWaiters();
    this.client = null;
    await Promise.all([...this.clients].map((client) => this.end(client)));
  }
}

/** The connectivity test of the commissioning protocol (spec §6.6) with one endpoint. */
export async function testConnectivity(flash: Flash, endpoint: Endpoint, samples: number, timeoutMs: number, options: ApplicationOptions): Promise<ConnectivityReport> {
  const report: ConnectivityReport = { protocol: endpoint.protocol, loggedIn: false, samplesPosted: 0, downstreamAnswered: false, latencyMs: 0 };
  if (endpoint.protocol !== 'mqtt') return { ...report, detail: `${endpoint.protocol} is not emulated yet` };
  const session = new DeviceSession(flash, endpoint, options);
  const deadline = performance.now() + timeoutMs;
  try {
    const login = await session.connect();
    if ('error' in login) return { ...report, detail: login.error };
    report.loggedIn = true;
    report.latencyMs = login.latencyMs;
    for (let index = 0; index < samples; index++) if (await session.postSample(Math.max(0, deadline - performance.now()))) report.samplesPosted++;
    // Give the hub the rest of the budget to send one downstream request (architecture §6 step 4);
    // the test ends as soon as it is answered.
    report.downstreamAnswered = await session.downstreamWithin(Math.max(0, deadline - performance.now()));
    return report;
  } finally {
    await session.stop();
  }
}
