import type { PublishPacket } from 'aedes';
import { routeTopic, type RoutedTopic } from '../protocol';
import { Ring } from './ring';
import { deviceId, type DeviceRef, type DirectoryDevice, type DirectoryProduct } from './directory';
import type { Counters } from './stats';

/** One logged-in MQTT connection of a device (protocol reference §3.5) and the sub-devices it logged in (§6.4). */

export type ListenerKind = 'mqtt' | 'mqtts' | 'wss' | 'http' | 'https' | 'coap';

/** What the hub needs of a connection: an aedes client, or an HTTP/CoAP adapter's session (`electron/hub/polled-link.ts`). */
export interface SessionLink {
  publish(packet: PublishPacket, done?: () => void): void;
  close(): void;
}

export type OfflineReason = 'disconnected' | 'connection-lost' | 'keepalive-timeout' | 'taken-over' | 'disabled' | 'deleted' | 'logged-out' | 'gateway-offline' | 'revoked' | 'hub-stopped';

export interface TlsDetails {
  protocol: string | null;
  cipher: string | null;
  clientCertificate: { commonName: string | null; serial: string | null } | null;
}

export interface SubscriptionGrant {
  filter: string;
  qos: 0 | 1;
}

export interface SubDeviceEntry {
  device: DirectoryDevice;
  product: DirectoryProduct;
  stats: { device: Counters; product: Counters };
}

/** What a login established about its connection; kept on the session and shown in its view. */
export interface ConnectionFacts {
  clientId: string;
  listener: ListenerKind;
  address: string | null;
  secureMode: 2 | 3;
  tls: TlsDetails | null;
  connectedAt: number;
}

export class Session {
  readonly id: string;
  readonly sysPrefix: string;
  readonly extPrefix: string;
  readonly subscriptions: SubscriptionGrant[] = [];
  /** Sub-devices logged in through this gateway session, by `PK/DK`; null until the first. */
  subDevices: Map<string, SubDeviceEntry> | null = null;
  lastSeen: number;
  offlineReason: OfflineReason | null = null;
  /** CONNACK sent: publishes to the device may follow; until then they wait here. */
  private ready = false;
  private waiting: Array<() => void> | null = null;
  /** The topic last published on and its route: a device posts on a few topics, so most messages route with one string compare. */
  private lastTopic: string | null = null;
  private lastRoute: RoutedTopic | null = null;

  constructor(
    readonly client: SessionLink,
    readonly device: DirectoryDevice,
    /** Replaced when the product (its thing model) changes. */
    public product: DirectoryProduct,
    readonly stats: { device: Counters; product: Counters },
    readonly info: ConnectionFacts & {
      /** Registered with `--monitor`: may subscribe to every device topic of its product, read-only. */
      monitor: boolean;
      /** A mode-3 activation login (§3.7). */
      activation: boolean;
    },
  ) {
    this.id = deviceId(device);
    this.sysPrefix = `/sys/${device.productKey}/${device.deviceKey}/`;
    this.extPrefix = `/ext/session/${device.productKey}/${device.deviceKey}/`;
    this.lastSeen = info.connectedAt;
  }

  /** Runs `send` once CONNACK is out (a PUBLISH must not overtake it). */
  whenReady(send: () => void): void {
    if (this.ready) return send();
    (this.waiting ??= []).push(send);
  }

  markReady(): void {
    this.ready = true;
    const waiting = this.waiting ?? [];
    this.waiting = null;
    for (const send of waiting) send();
  }

  /** The route of a topic this session publishes on (protocol reference §6), null when it has none. */
  route(topic: string): RoutedTopic | null {
    if (topic !== this.lastTopic) {
      this.lastRoute = routeTopic(topic);
      this.lastTopic = topic;
    }
    return this.lastRoute;
  }

  /** The connection may act for this device: itself or a sub-device it logged in. */
  actsFor(productKey: string, deviceKey: string): SubDeviceEntry | 'self' | null {
    if (productKey === this.device.productKey && deviceKey === this.device.deviceKey) return 'self';
    return this.subDevices?.get(`${productKey}/${deviceKey}`) ?? null;
  }
}

export interface SessionView extends ConnectionFacts {
  productKey: string;
  deviceKey: string;
  lastSeen: number;
  /** `PK/DK` of the gateway for a sub-device session, else null. */
  via: string | null;
  subDevices: string[];
  /** Set on CoAP sessions: served without DTLS (no Node DTLS-PSK server exists), so a report must say so. */
  coapWithoutDtls?: true;
}

/** The words a verification report uses for a device checked over plain CoAP (issue 6). */
export const COAP_WITHOUT_DTLS_NOTE = 'CoAP verified without DTLS';

export interface SessionRecord extends SessionView {
  disconnectedAt: number;
  reason: OfflineReason;
}

/** What the UI and CLI show of a session; `device` names a sub-device carried by this gateway session. */
export function sessionView(session: Session, device: DeviceRef = session.device): SessionView {
  const viaGateway = device !== session.device;
  return {
    productKey: device.productKey,
    deviceKey: device.deviceKey,
    clientId: session.info.clientId,
    listener: session.info.listener,
    address: session.info.address,
    secureMode: session.info.secureMode,
    tls: session.info.tls,
    connectedAt: session.info.connectedAt,
    lastSeen: session.lastSeen,
    via: viaGateway ? session.id : null,
    subDevices: viaGateway ? [] : [...(session.subDevices?.keys() ?? [])],
    ...(session.info.listener === 'coap' ? { coapWithoutDtls: true as const } : {}),
  };
}

/**
 * Who is online: one session per device (a second login takes over, §3.5), sub-devices mapped to
 * their gateway's session, and a bounded history of ended sessions with their reasons.
 */
export class SessionTable {
  private readonly byDevice = new Map<string, Session>();
  private readonly subOwner = new Map<string, Session>();
  readonly history: Ring<SessionRecord>;

  constructor(historySize = 1000) {
    this.history = new Ring(historySize);
  }

  get online(): number {
    return this.byDevice.size + this.subOwner.size;
  }

  get(device: DeviceRef): Session | undefined {
    return this.byDevice.get(deviceId(device));
  }

  /** The session that carries this device's traffic: its own, or its gateway's. */
  carrier(device: DeviceRef): Session | undefined {
    const id = deviceId(device);
    return this.byDevice.get(id) ?? this.subOwner.get(id);
  }

  /** Adds a session; returns the one it takes over, if any. */
  add(session: Session): Session | undefined {
    const previous = this.byDevice.get(session.id);
    this.byDevice.set(session.id, session);
    return previous === session ? undefined : previous;
  }

  addSubDevice(gateway: Session, entry: SubDeviceEntry): void {
    const id = deviceId(entry.device);
    const previous = this.subOwner.get(id);
    if (previous && previous !== gateway) previous.subDevices?.delete(id);
    gateway.subDevices ??= new Map();
    gateway.subDevices.set(id, entry);
    this.subOwner.set(id, gateway);
  }

  removeSubDevice(gateway: Session, device: DeviceRef, reason: OfflineReason, now: number): boolean {
    const id = deviceId(device);
    if (this.subOwner.get(id) !== gateway) return false;
    this.subOwner.delete(id);
    gateway.subDevices?.delete(id);
    this.history.push({ ...sessionView(gateway, device), disconnectedAt: now, reason });
    return true;
  }

  /** Ends a session (only if it is still the device's current one) and its sub-devices. */
  remove(session: Session, reason: OfflineReason, now: number): { removed: boolean; subDevices: DeviceRef[] } {
    const subDevices = [...(session.subDevices?.values() ?? [])].map((entry) => entry.device);
    for (const sub of subDevices) this.removeSubDevice(session, sub, 'gateway-offline', now);
    const current = this.byDevice.get(session.id) === session;
    if (current) this.byDevice.delete(session.id);
    this.history.push({ ...sessionView(session), disconnectedAt: now, reason });
    return { removed: current, subDevices };
  }

  list(): SessionView[] {
    const out: SessionView[] = [];
    for (const session of this.byDevice.values()) out.push(sessionView(session));
    for (const [id, gateway] of this.subOwner) {
      const entry = gateway.subDevices?.get(id);
      if (entry) out.push(sessionView(gateway, entry.device));
    }
    return out;
  }

  all(): Session[] {
    return [...this.byDevice.values()];
  }
}
