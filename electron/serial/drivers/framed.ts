import { createHash } from 'node:crypto';
import type { DeviceIdentity } from '../../../shared/contract/ports';
import { err, ok, type Result } from '../../../shared/result';
import type { CsrSubject } from '../../sim/csr';
import type { Link } from '../link';
import {
  bitsToNames,
  CAPABILITIES,
  DEVICE_STATES,
  ENDPOINT_PROTOCOLS,
  HASH_ITEMS,
  nameOf,
  PROTOCOL_BITS,
  PROTOCOL_VERSION,
  SECRET_KINDS,
  TRANSFER_TARGETS,
  type EndpointProtocol,
  type HashItem,
  type SecretKind,
  type TransferTarget,
} from '../protocol/commands';
import { encodeBody, type Body } from '../protocol/tlv';
import type { ConnectivityReport, DeviceConfig, DeviceDriver, Endpoint, TransferProgress } from './driver';

/** What this host accepts per packet (spec §2); the device's own limit may be lower. */
export const HOST_MAX_FRAME = 4096;
/** Chunks in flight during a transfer (spec §3.4 allows 8). */
const TRANSFER_WINDOW = 4;
/** `transfer.chunk` overhead besides its data (spec §6.5). */
const CHUNK_OVERHEAD = 24;
const KEYGEN_TIMEOUT_MS = 10_000;

export function endpointToBody(endpoint: Endpoint): Body {
  return { protocol: ENDPOINT_PROTOCOLS[endpoint.protocol], host: endpoint.host, port: endpoint.port, tls: endpoint.tls ? 1 : 0 };
}

export function endpointFromBody(body: Body): Endpoint {
  return { protocol: nameOf(ENDPOINT_PROTOCOLS, Number(body.protocol)) ?? 'mqtt', host: String(body.host ?? ''), port: Number(body.port ?? 0), tls: body.tls === 1 };
}

/** The body `config.read` answers, in table order: its SHA-256 is hash item 1 (spec §6.3). */
export function configBody(config: DeviceConfig): Body {
  const body: Body = {};
  if (config.productKey !== undefined) body.productKey = config.productKey;
  if (config.deviceKey !== undefined) body.deviceKey = config.deviceKey;
  if (config.endpoints?.length) body.endpoint = config.endpoints.map(endpointToBody);
  return body;
}

export function configHash(config: DeviceConfig): string {
  return createHash('sha256').update(encodeBody(configBody(config))).digest('hex');
}

function macText(mac: unknown): string {
  return Buffer.isBuffer(mac) ? [...mac].map((byte) => byte.toString(16).padStart(2, '0')).join(':') : '';
}

/** The commissioning protocol (docs/commissioning-protocol.md) over a Link. */
export class FramedDriver implements DeviceDriver {
  readonly kind = 'framed' as const;
  readonly pipelines = true;
  /** The session's handshake, shared by requests sent together (pipelined) before it is answered; dropped when it failed. */
  private hello: Promise<Result<Body>> | null = null;

  constructor(private readonly link: Link) {}

  /** The handshake (spec §3.1): agree on the version and the frame limit once per session. */
  private session(): Promise<Result<Body>> {
    if (this.hello) return this.hello;
    const hello = this.handshake().then((answered) => {
      if (!answered.ok && this.hello === hello) this.hello = null;
      return answered;
    });
    this.hello = hello;
    return hello;
  }

  private async handshake(): Promise<Result<Body>> {
    const answered = await this.link.call('hello', { version: [PROTOCOL_VERSION], maxFrame: HOST_MAX_FRAME });
    if (!answered.ok) return answered;
    const chosen = answered.value.version;
    const version = Array.isArray(chosen) ? chosen[0] : chosen;
    if (version !== PROTOCOL_VERSION) return err('SERIAL_VERSION', `Port ${this.link.path}, step hello: the device chose protocol version ${String(version)}; this host speaks version ${PROTOCOL_VERSION}.`);
    this.link.setMaxFrame(Math.min(HOST_MAX_FRAME, Number(answered.value.maxFrame ?? 256)));
    return ok(answered.value);
  }

  private async call(command: Parameters<Link['call']>[0], body: Body = {}, timeoutMs?: number): Promise<Result<Body>> {
    const session = await this.session();
    if (!session.ok) return session;
    return this.link.call(command, body, timeoutMs);
  }

  /**
   * A read-only request: at the start of a session it goes out right behind the hello instead of
   * after its answer (spec §3.4: answered in order); what it reads does not depend on the handshake.
   */
  private async read(command: 'identify' | 'config.read' | 'hashes.read'): Promise<Result<Body>> {
    if (this.hello) return this.call(command);
    const [session, answered] = await Promise.all([this.session(), this.link.call(command)]);
    return session.ok ? answered : session;
  }

  private async done(command: Parameters<Link['call']>[0], body: Body = {}): Promise<Result<void>> {
    const answered = await this.call(command, body);
    return answered.ok ? ok(undefined) : answered;
  }

  async identify(): Promise<Result<DeviceIdentity>> {
    const answered = await this.read('identify');
    if (!answered.ok) return answered;
    const body = answered.value;
    return ok({
      driver: 'framed',
      protocolVersion: PROTOCOL_VERSION,
      model: String(body.model ?? ''),
      serial: String(body.serial ?? ''),
      mac: macText(body.mac),
      firmware: String(body.firmware ?? ''),
      capabilities: bitsToNames(CAPABILITIES, Number(body.capabilities ?? 0)).map(String),
      protocols: bitsToNames(PROTOCOL_BITS, Number(body.protocols ?? 0)).map(String),
      storageBytes: typeof body.storage === 'number' ? body.storage : null,
      state: nameOf(DEVICE_STATES, Number(body.state)) ?? 'unknown',
      maxFrame: this.link.frameLimit,
    });
  }

  async readConfig(): Promise<Result<DeviceConfig>> {
    const answered = await this.read('config.read');
    if (!answered.ok) return answered;
    const body = answered.value;
    const endpoints = Array.isArray(body.endpoint) ? body.endpoint.map((entry) => endpointFromBody(entry as Body)) : [];
    return ok({
      ...(typeof body.productKey === 'string' ? { productKey: body.productKey } : {}),
      ...(typeof body.deviceKey === 'string' ? { deviceKey: body.deviceKey } : {}),
      endpoints,
    });
  }

  writeConfig(config: DeviceConfig): Promise<Result<void>> {
    return this.done('config.write', configBody(config));
  }

  writeSecret(kind: SecretKind, secret: string): Promise<Result<void>> {
    return this.done('secret.write', { secretKind: SECRET_KINDS[kind], secret: Buffer.from(secret, 'utf8') });
  }

  forgetSecret(kind: SecretKind): Promise<Result<void>> {
    return this.done('secret.forget', { secretKind: SECRET_KINDS[kind] });
  }

  async generateCsr(subject: CsrSubject): Promise<Result<Buffer>> {
    const answered = await this.call('keypair.generate', { subject: { ...subject } }, KEYGEN_TIMEOUT_MS);
    if (!answered.ok) return answered;
    const csr = answered.value.csr;
    return Buffer.isBuffer(csr) ? ok(csr) : err('DEVICE_ERROR', `Port ${this.link.path}, step keypair.generate: the answer carries no CSR.`);
  }

  writeCertificateChain(pem: string, progress?: TransferProgress): Promise<Result<void>> {
    return this.transfer('certificateChain', Buffer.from(pem, 'utf8'), progress);
  }

  writePrivateKey(pem: string): Promise<Result<void>> {
    return this.transfer('privateKey', Buffer.from(pem, 'utf8'));
  }

  writeFirmware(image: Buffer, progress?: TransferProgress): Promise<Result<void>> {
    return this.transfer('firmware', image, progress);
  }

  /**
   * A chunked transfer (spec §6.5): up to TRANSFER_WINDOW chunks in flight, acknowledged by
   * offset; on `outOfOrder` the host drains the window and resumes at the highest offset acknowledged.
   * Only a successful `transfer.end` (hash verified) makes the item count as written.
   */
  async transfer(target: TransferTarget, bytes: Buffer, progress?: TransferProgress): Promise<Result<void>> {
    const session = await this.session();
    if (!session.ok) return session;
    const sha256 = createHash('sha256').update(bytes).digest();
    const begun = await this.link.call('transfer.begin', { target: TRANSFER_TARGETS[target], totalSize: bytes.length, sha256 });
    if (!begun.ok) return begun;
    const chunkSize = this.link.frameLimit - CHUNK_OVERHEAD;
    const send = (offset: number) => this.link.exchange('transfer.chunk', { target: TRANSFER_TARGETS[target], offset, data: bytes.subarray(offset, offset + chunkSize) });
    // A sliding window: a new chunk goes out as soon as the oldest is acknowledged, so the line never idles.
    const inFlight: ReturnType<Link['exchange']>[] = [];
    let acked = 0;
    let next = 0;
    while (acked < bytes.length) {
      while (inFlight.length < TRANSFER_WINDOW && next < bytes.length) {
        inFlight.push(send(next));
        next = Math.min(next + chunkSize, bytes.length);
      }
      const answer = await inFlight.shift()!;
      if (!answer.ok) return answer;
      const frame = answer.value;
      if (frame.status !== 'ok' && frame.status !== 'outOfOrder') {
        const failed = this.link.statusResult('transfer.chunk', frame);
        if (!failed.ok) return failed;
      }
      // The device's nextOffset only grows; on outOfOrder, drain the window and resume there.
      acked = Math.max(acked, Number(frame.body.nextOffset));
      if (frame.status === 'outOfOrder') {
        for (const rest of await Promise.all(inFlight.splice(0))) if (rest.ok) acked = Math.max(acked, Number(rest.value.body.nextOffset));
        next = acked;
      }
      progress?.(acked, bytes.length);
    }
    const ended = await this.link.call('transfer.end', { target: TRANSFER_TARGETS[target] });
    return ended.ok ? ok(undefined) : ended;
  }

  async readHashes(): Promise<Result<Partial<Record<HashItem, string>>>> {
    const answered = await this.read('hashes.read');
    if (!answered.ok) return answered;
    const hashes: Partial<Record<HashItem, string>> = {};
    for (const entry of (answered.value.hash ?? []) as Body[]) {
      const item = nameOf(HASH_ITEMS, Number(entry.item));
      if (item && Buffer.isBuffer(entry.sha256)) hashes[item] = entry.sha256.toString('hex');
    }
    return ok(hashes);
  }

  async connectivityTest(endpoints: Endpoint[], samples: number, timeoutMs: number): Promise<Result<ConnectivityReport[]>> {
    const answered = await this.call('connectivity.test', { endpoint: endpoints.map(endpointToBody), samples, timeoutMs }, timeoutMs * endpoints.length + 2000);
    if (!answered.ok) return answered;
    return ok(
      ((answered.value.report ?? []) as Body[]).map((report) => ({
        protocol: (nameOf(ENDPOINT_PROTOCOLS, Number(report.protocol)) ?? 'mqtt') as EndpointProtocol,
        loggedIn: report.loggedIn === 1,
        samplesPosted: Number(report.samplesPosted ?? 0),
        downstreamAnswered: report.downstreamAnswered === 1,
        latencyMs: Number(report.latencyMs ?? 0),
        ...(typeof report.detail === 'string' ? { detail: report.detail } : {}),
      })),
    );
  }

  commit(): Promise<Result<void>> {
    return this.done('commit');
  }

  reboot(): Promise<Result<void>> {
    return this.restarting('reboot');
  }

  factoryReset(): Promise<Result<void>> {
    return this.restarting('factory.reset');
  }

  /** Sent in the current session; the device then restarts, so the next command opens a new one (spec §3.1). */
  private async restarting(command: 'reboot' | 'factory.reset'): Promise<Result<void>> {
    const done = await this.done(command);
    this.hello = null;
    return done;
  }

  close(): void {
    this.link.close();
  }
}
