import { createHash, createPrivateKey } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { encodeFrame, decodeFrame, encodePacket, FrameSplitter, type Frame } from '../serial/protocol/frame';
import { cobsEncode } from '../serial/protocol/cobs';
import {
  CAPABILITIES,
  DEVICE_STATES,
  HASH_ITEMS,
  LOG_LEVELS,
  nameOf,
  PROTOCOL_VERSION,
  SECRET_KINDS,
  TRANSFER_TARGETS,
  type CommandName,
  type DeviceLogLevel,
  type StatusName,
  type TransferTarget,
} from '../serial/protocol/commands';
import { configBody, endpointFromBody } from '../serial/drivers/framed';
import type { ConnectivityReport, Endpoint } from '../serial/drivers/driver';
import { encodeBody, type Body } from '../serial/protocol/tlv';
import { createCsr, generateDeviceKey, publicKeyDer, type CsrSubject } from './csr';
import type { Faults } from './faults';
import { saveFlash, type Flash } from './flash';

export interface HardwareProfile {
  model: string;
  serial: string;
  mac: Buffer;
  firmware: string;
  maxFrame: number;
  storageBytes: number;
}

/** What the emulated board is wired to: its line, its radio (the cloud runtime), its power. */
export interface Board {
  send(bytes: Buffer): void;
  /** Pull the cable: close the pseudo-terminal. */
  unplug(): void;
  /** Drop what is still on the line (a reboot). */
  resetLine(): void;
  /** The application runs (again) with this flash: after commit and after boot when committed. */
  startApplication(flash: Flash): void;
  stopApplication(): void;
  connectivityTest(flash: Flash, endpoint: Endpoint, samples: number, timeoutMs: number): Promise<ConnectivityReport>;
}

type Answer = { status: StatusName; body?: Body };
const REBOOT_QUIET_MS = 300;
/** Spec §3.4: a host keeps at most this many requests unanswered. */
const MAX_PIPELINED = 8;

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest();

/**
 * The device side of docs/commissioning-protocol.md: the reference a firmware engineer can read
 * next to the spec. RAM state (a transfer in progress, the last answer) is lost on reboot; the
 * flash survives in the state file.
 */
export class FramedFirmware {
  private readonly splitter: FrameSplitter;
  /** The answers to the last requests of this session, by seq (spec §3.3: as many as may be pipelined). */
  private answered = new Map<number, Buffer>();
  private transfer: { target: TransferTarget; total: number; sha256: Buffer; received: Buffer[]; next: number } | null = null;
  private transferBytes = 0;
  private requests = 0;
  private responses = 0;
  private eventSeq = 0;
  private logLevel: DeviceLogLevel = 'info';
  private bootedAt = performance.now();
  private asleepUntil = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly hardware: HardwareProfile,
    private flash: Flash,
    private readonly statePath: string | undefined,
    private readonly faults: Faults,
    private readonly board: Board,
  ) {
    this.splitter = new FrameSplitter(hardware.maxFrame * 2, (block) => this.onBlock(block), () => this.log('warn', 'dropped an oversized frame'));
  }

  boot(): void {
    this.bootedAt = performance.now();
    this.log('info', `boot: ${this.hardware.model} firmware ${this.hardware.firmware}, state ${this.flash.state}`);
    if (this.flash.state === 'committed') this.board.startApplication(this.flash);
  }

  /** Bytes as they arrive from the (throttled) line. */
  receive(bytes: Buffer): void {
    if (performance.now() < this.asleepUntil) return;
    this.splitter.push(bytes);
  }

  log(level: Exclude<DeviceLogLevel, 'off'>, text: string): void {
    if (LOG_LEVELS[level] > LOG_LEVELS[this.logLevel]) return;
    this.eventSeq = (this.eventSeq % 0xffff) + 1;
    const uptimeMs = Math.floor(performance.now() - this.bootedAt) >>> 0;
    this.board.send(encodeFrame({ version: PROTOCOL_VERSION, type: 'event', seq: this.eventSeq, command: 'log.line', status: 'ok', body: { logLevel: LOG_LEVELS[level], uptimeMs, text } }));
  }

  private onBlock(block: Buffer): void {
    const decoded = decodeFrame(block, this.hardware.maxFrame);
    if (!decoded.ok) {
      if (decoded.fault === 'version' && decoded.seq !== undefined) {
        this.reply({ version: PROTOCOL_VERSION, type: 'response', seq: decoded.seq, command: 'hello', status: 'unsupportedVersion', body: { version: [PROTOCOL_VERSION] } });
      }
      return; // spec §2: drop bad frames silently; the host retries
    }
    const { frame } = decoded;
    if (frame.type !== 'request') return;
    this.requests++;
    if (this.faults.dropEvery && this.requests % this.faults.dropEvery === 0) return;
    if (this.faults.silent) return;
    // Requests are handled one at a time, in the order received (spec §3.4).
    this.queue = this.queue.then(() => this.handle(frame));
  }

  private async handle(request: Frame): Promise<void> {
    // Spec §3.1: `hello` opens a new host session whose seq starts again at 1, so answers
    // remembered from the previous session must not be replayed to it (§3.3).
    if (request.command === 'hello') this.answered.clear();
    const again = this.answered.get(request.seq);
    if (again) return this.send(again, false); // spec §3.3: a retry is not executed again
    const answer = await this.execute(request).catch((error: Error) => ({ status: 'failed' as const, body: { detail: error.message } }));
    if (answer === null) return;
    const response: Frame = { version: PROTOCOL_VERSION, type: 'response', seq: request.seq, command: request.command, status: answer.status, body: answer.body ?? {} };
    this.reply(response);
  }

  private reply(response: Frame): void {
    const bytes = encodeFrame(response);
    this.answered.delete(response.seq);
    this.answered.set(response.seq, bytes);
    if (this.answered.size > MAX_PIPELINED) this.answered.delete(this.answered.keys().next().value!);
    this.send(bytes);
  }

  /** `fresh` is false for a re-sent answer: line noise (`corrupt`) strikes first transmissions only. */
  private send(bytes: Buffer, fresh = true): void {
    if (fresh) this.responses++;
    const out = this.misbehave(bytes, fresh);
    if (this.faults.delayMs) setTimeout(() => this.board.send(out), this.faults.delayMs);
    else this.board.send(out);
  }

  /** Response-side faults (sim --fault). */
  private misbehave(bytes: Buffer, fresh: boolean): Buffer {
    const { faults } = this;
    if (faults.garbage) return Buffer.from('\x1b[0m\r\nGuru Meditation Error: Core 0 panic\r\n\xff\xfe');
    if (fresh && faults.corruptEvery && this.responses % faults.corruptEvery === 0) {
      const copy = Buffer.from(bytes);
      const middle = Math.floor(copy.length / 2);
      copy[middle] = copy[middle]! ^ 0x10;
      // A flipped bit must not become the delimiter: that would be two frames, not a corrupt one.
      return copy[middle] === 0 ? bytes : copy;
    }
    if (faults.wrongSeq || faults.version || faults.oversized) {
      const decoded = decodeFrame(bytes.subarray(0, -1), 1 << 20);
      if (!decoded.ok) return bytes;
      const frame = { ...decoded.frame, seq: faults.wrongSeq ? (decoded.frame.seq + 1000) & 0xffff : decoded.frame.seq };
      if (faults.oversized) frame.body = { ...frame.body, detail: 'x'.repeat(3000) };
      const packet = encodePacket(frame);
      if (faults.version) {
        packet[0] = faults.version;
        return Buffer.concat([cobsEncode(reCrc(packet)), Buffer.from([0])]);
      }
      return Buffer.concat([cobsEncode(packet), Buffer.from([0])]);
    }
    return bytes;
  }

  private persist(staged = true): void {
    if (staged && this.flash.state === 'committed') {
      this.flash.state = 'staged';
      this.board.stopApplication();
    } else if (staged && this.flash.state === 'factory') this.flash.state = 'staged';
    saveFlash(this.statePath, this.flash);
  }

  private async execute(request: Frame): Promise<Answer | null> {
    const body = request.body;
    const command: CommandName = request.command;
    switch (command) {
      case 'hello': {
        const versions = (body.version ?? []) as number[];
        if (!versions.includes(PROTOCOL_VERSION)) return { status: 'unsupportedVersion', body: { version: [PROTOCOL_VERSION] } };
        return { status: 'ok', body: { version: [PROTOCOL_VERSION], maxFrame: this.hardware.maxFrame, capabilities: this.capabilities() } };
      }
      case 'identify':
        return {
          status: 'ok',
          body: {
            model: this.hardware.model,
            serial: this.hardware.serial,
            mac: this.hardware.mac,
            firmware: this.hardware.firmware,
            capabilities: this.capabilities(),
            protocols: 1,
            storage: this.hardware.storageBytes,
            state: DEVICE_STATES[this.flash.state],
            maxFrame: this.hardware.maxFrame,
          },
        };
      case 'config.read':
        return { status: 'ok', body: configBody(this.flash.config) };
      case 'config.write': {
        const config = this.flash.config;
        if (typeof body.productKey === 'string') config.productKey = body.productKey;
        if (typeof body.deviceKey === 'string') config.deviceKey = body.deviceKey;
        if (Array.isArray(body.endpoint)) config.endpoints = body.endpoint.map((entry) => endpointFromBody(entry as Body));
        this.persist();
        this.log('info', `config written: productKey=${config.productKey ?? '-'} deviceKey=${config.deviceKey ?? '-'} endpoints=${config.endpoints.length}`);
        return { status: 'ok' };
      }
      case 'secret.write': {
        const kind = nameOf(SECRET_KINDS, Number(body.secretKind));
        if (!kind || !Buffer.isBuffer(body.secret)) return { status: 'badRequest', body: { detail: 'secretKind and secret are required' } };
        this.flash.secrets[kind] = body.secret.toString('utf8');
        this.persist();
        this.log('info', `${kind} written (${body.secret.length} bytes)`);
        return { status: 'ok' };
      }
      case 'secret.forget': {
        const kind = nameOf(SECRET_KINDS, Number(body.secretKind));
        if (!kind) return { status: 'badRequest', body: { detail: 'secretKind is required' } };
        delete this.flash.secrets[kind];
        // A deviceSecret obtained by activation with the forgotten productSecret goes too (spec §6.4).
        if (kind === 'productSecret' && this.flash.activated) {
          delete this.flash.secrets.deviceSecret;
          delete this.flash.activated;
        }
        this.persist();
        this.log('info', `${kind} forgotten`);
        return { status: 'ok' };
      }
      case 'keypair.generate': {
        if (this.faults.refuseCsr) return { status: 'refused', body: { detail: 'key generation refused' } };
        const deviceKey = this.flash.config.deviceKey;
        if (!deviceKey) return { status: 'notReady', body: { detail: 'write the deviceKey first: it is the CSR common name' } };
        const subject = body.subject as Body | undefined;
        const fields = ['country', 'stateOrProvince', 'locality', 'organization', 'organizationalUnit'] as const;
        if (!subject || fields.some((field) => typeof subject[field] !== 'string')) return { status: 'badRequest', body: { detail: 'subject needs C, ST, L, O and OU' } };
        const key = generateDeviceKey();
        const csr = await createCsr(key, subject as unknown as CsrSubject, deviceKey);
        this.flash.onDeviceKey = key.toString('hex');
        delete this.flash.privateKeyPem;
        this.persist();
        this.log('info', `P-256 key generated, CSR for CN=${deviceKey}`);
        return { status: 'ok', body: { csr } };
      }
      case 'hashes.read':
        return { status: 'ok', body: { hash: this.hashes() } };
      case 'transfer.begin':
        return this.beginTransfer(body);
      case 'transfer.chunk':
        return this.chunk(body);
      case 'transfer.end':
        return this.endTransfer(body);
      case 'connectivity.test': {
        const endpoints = ((body.endpoint ?? []) as Body[]).map(endpointFromBody);
        if (endpoints.length === 0) return { status: 'badRequest', body: { detail: 'at least one endpoint' } };
        const report: Body[] = [];
        for (const endpoint of endpoints) {
          this.log('info', `connectivity test: ${endpoint.protocol} ${endpoint.host}:${endpoint.port}`);
          const result = await this.board.connectivityTest(this.flash, endpoint, Number(body.samples ?? 1), Number(body.timeoutMs ?? 5000));
          report.push({
            protocol: 1,
            loggedIn: result.loggedIn ? 1 : 0,
            samplesPosted: result.samplesPosted,
            downstreamAnswered: result.downstreamAnswered ? 1 : 0,
            latencyMs: Math.round(result.latencyMs),
            ...(result.detail ? { detail: result.detail } : {}),
          });
        }
        return { status: 'ok', body: { report } };
      }
      case 'commit':
        this.flash.state = 'committed';
        this.persist(false);
        this.log('info', 'committed');
        this.board.startApplication(this.flash);
        return { status: 'ok' };
      case 'reboot':
        setTimeout(() => this.reboot('reboot requested'), 20);
        return { status: 'ok' };
      case 'factory.reset':
        this.flash = { ...this.flash, config: { endpoints: [] }, secrets: {}, state: 'factory', mfg: {} };
        for (const key of ['onDeviceKey', 'privateKeyPem', 'certificateChain', 'firmwareImage'] as const) delete this.flash[key];
        saveFlash(this.statePath, this.flash);
        this.board.stopApplication();
        setTimeout(() => this.reboot('factory reset'), 20);
        return { status: 'ok' };
      case 'log.config': {
        const level = nameOf(LOG_LEVELS, Number(body.logLevel));
        if (!level) return { status: 'badRequest', body: { detail: 'logLevel 0–4' } };
        this.logLevel = level;
        return { status: 'ok' };
      }
      case 'log.line':
        return { status: 'unknownCommand', body: { detail: 'log.line is an event' } };
    }
  }

  private capabilities(): number {
    return (this.faults.refuseCsr ? 0 : CAPABILITIES.onDeviceKeygen) | CAPABILITIES.certificateStorage | CAPABILITIES.firmwareUpdate | CAPABILITIES.logStream | CAPABILITIES.connectivityTest;
  }

  private hashes(): Body[] {
    const flash = this.flash;
    const items: [keyof typeof HASH_ITEMS, Buffer | undefined][] = [
      ['config', flash.config.productKey || flash.config.deviceKey || flash.config.endpoints.length ? sha256(encodeBody(configBody(flash.config))) : undefined],
      ['deviceSecret', flash.secrets.deviceSecret !== undefined ? sha256(flash.secrets.deviceSecret) : undefined],
      ['productSecret', flash.secrets.productSecret !== undefined ? sha256(flash.secrets.productSecret) : undefined],
      ['certificateChain', flash.certificateChain !== undefined ? sha256(flash.certificateChain) : undefined],
      ['privateKey', flash.privateKeyPem !== undefined ? sha256(flash.privateKeyPem) : undefined],
      ['publicKey', flash.onDeviceKey ? sha256(publicKeyDer(Buffer.from(flash.onDeviceKey, 'hex'))) : undefined],
      ['firmware', flash.firmwareImage ? Buffer.from(flash.firmwareImage.sha256, 'hex') : undefined],
    ];
    return items.filter(([, hash]) => hash).map(([item, hash]) => ({ item: HASH_ITEMS[item], sha256: hash! }));
  }

  private beginTransfer(body: Body): Answer {
    const target = nameOf(TRANSFER_TARGETS, Number(body.target));
    const total = Number(body.totalSize);
    if (!target || !Number.isInteger(total) || !Buffer.isBuffer(body.sha256) || body.sha256.length !== 32) return { status: 'badRequest', body: { detail: 'target, totalSize and a 32-byte sha256 are required' } };
    if (total > this.hardware.storageBytes) return { status: 'storageFull', body: { detail: `${total} bytes do not fit in ${this.hardware.storageBytes}` } };
    this.transfer = { target, total, sha256: body.sha256, received: [], next: 0 };
    this.log('info', `transfer of ${target} begins: ${total} bytes`);
    return { status: 'ok', body: { nextOffset: 0 } };
  }

  private chunk(body: Body): Answer | null {
    const transfer = this.transfer;
    const target = nameOf(TRANSFER_TARGETS, Number(body.target));
    if (!transfer || target !== transfer.target) return { status: 'notReady', body: { detail: 'no transfer of this target in progress' } };
    const offset = Number(body.offset);
    const data = body.data;
    if (!Buffer.isBuffer(data)) return { status: 'badRequest', body: { detail: 'data is required' } };
    if (offset > transfer.next) return { status: 'outOfOrder', body: { nextOffset: transfer.next, detail: `expected offset ${transfer.next}` } };
    if (offset === transfer.next) {
      if (offset + data.length > transfer.total) return { status: 'badRequest', body: { detail: 'data runs past totalSize' } };
      transfer.received.push(data);
      transfer.next += data.length;
      this.transferBytes += data.length;
      if (this.faults.unplugMidWrite !== undefined && this.transferBytes >= this.faults.unplugMidWrite) {
        this.board.unplug();
        return null;
      }
      if (this.faults.rebootMidWrite !== undefined && this.transferBytes >= this.faults.rebootMidWrite) {
        this.faults.rebootMidWrite = undefined;
        this.reboot('watchdog reset during a write');
        return null;
      }
    }
    return { status: 'ok', body: { nextOffset: transfer.next } };
  }

  private endTransfer(body: Body): Answer {
    const transfer = this.transfer;
    if (!transfer || nameOf(TRANSFER_TARGETS, Number(body.target)) !== transfer.target) return { status: 'notReady', body: { detail: 'no transfer of this target in progress' } };
    this.transfer = null;
    const bytes = Buffer.concat(transfer.received);
    if (bytes.length !== transfer.total || !sha256(bytes).equals(transfer.sha256)) return { status: 'hashMismatch', body: { detail: `received ${bytes.length} of ${transfer.total} bytes; sha256 differs` } };
    if (transfer.target === 'certificateChain') this.flash.certificateChain = bytes.toString('utf8');
    if (transfer.target === 'firmware') this.flash.firmwareImage = { size: bytes.length, sha256: transfer.sha256.toString('hex') };
    if (transfer.target === 'privateKey') {
      try {
        createPrivateKey(bytes.toString('utf8'));
      } catch {
        return { status: 'badRequest', body: { detail: 'the private key is not a PEM key' } };
      }
      this.flash.privateKeyPem = bytes.toString('utf8');
      delete this.flash.onDeviceKey;
    }
    this.persist();
    this.log('info', `transfer of ${transfer.target} complete: ${bytes.length} bytes`);
    return { status: 'ok' };
  }

  /** RAM is lost; flash stays. The device is deaf while it restarts. */
  private reboot(reason: string): void {
    this.transfer = null;
    this.answered.clear();
    this.logLevel = 'info';
    this.board.resetLine();
    this.board.stopApplication();
    this.asleepUntil = performance.now() + REBOOT_QUIET_MS;
    setTimeout(() => {
      this.log('warn', `restarted: ${reason}`);
      this.boot();
    }, REBOOT_QUIET_MS);
  }
}

function reCrc(packet: Buffer): Buffer {
  packet.writeUInt32LE(crc32(packet.subarray(0, packet.length - 4)), packet.length - 4);
  return packet;
}
