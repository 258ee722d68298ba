import { err, ok, type Result } from '../../shared/result';
import type { ErrorCode } from '../../shared/errors';
import type { Logger } from '../core/logger';
import type { ByteChannel, ChannelCloseReason } from './channel';
import { BASELINE_MAX_FRAME, type CommandName, type StatusName } from './protocol/commands';
import { decodeFrame, encodeFrame, frameSize, FrameSplitter, type Frame, type FrameFault } from './protocol/frame';
import type { Body } from './protocol/tlv';

export interface LinkOptions {
  /** Per-attempt answer timeout (spec §3.3); commands with their own budget pass `timeoutMs`. */
  timeoutMs: number;
  attempts: number;
  /** The line speed: a wait also covers the time the bytes ahead of an answer take on the wire. */
  baud: number;
  logger?: Logger;
  /** Device events (log lines, spec §6.8). */
  onEvent?: (frame: Frame) => void;
}

interface Pending {
  step: CommandName;
  resolve: (result: Result<Frame>) => void;
}

const CLOSE_MESSAGES: Record<ChannelCloseReason, string> = {
  vanished: 'the port vanished (device unplugged or reset)',
  'taken-over': 'the port was taken over by the console',
  closed: 'the port was closed',
};

/**
 * The host side of the commissioning link: frames requests, matches responses by sequence
 * number, retries with the same sequence on timeout (idempotent on the device, spec §3.3) and
 * turns every failure into a Result that names the port and the step.
 */
export class Link {
  private seq = 0;
  private maxFrame = BASELINE_MAX_FRAME;
  private readonly pending = new Map<number, Pending>();
  /** Request bytes written and not yet answered (pipelined transfers, spec §3.4). */
  private bytesInFlight = 0;
  private readonly faults: Partial<Record<FrameFault, number>> = {};
  private foreignSeq: number | null = null;
  private foreignVersion: number | null = null;
  /** False until the first delimiter: a port opened mid-frame first sees that frame's tail (spec §2). */
  private inSync = false;
  private readonly splitter: FrameSplitter;
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly channel: ByteChannel,
    private readonly options: LinkOptions,
  ) {
    // Accept blocks a little larger than allowed, so that an oversized frame is named as such.
    this.splitter = new FrameSplitter(64 * 1024, (block) => this.onBlock(block), () => this.countFault('oversized'));
    this.unsubscribe = [channel.onData((bytes) => this.splitter.push(bytes)), channel.onClose((reason) => this.failAll(reason))];
  }

  get path(): string {
    return this.channel.path;
  }

  /** The negotiated frame limit (spec §2), raised after `hello`. */
  setMaxFrame(bytes: number): void {
    this.maxFrame = bytes;
  }

  get frameLimit(): number {
    return this.maxFrame;
  }

  close(): void {
    this.unsubscribe.forEach((off) => off());
    this.failAll('closed');
  }

  /** 8N1: ten bit times per byte. */
  private wireMs(bytes: number): number {
    return (bytes * 10 * 1000) / this.options.baud;
  }

  /** One request and its response frame, whatever its status; failures of the link are errors. */
  async exchange(command: CommandName, body: Body, timeoutMs = this.options.timeoutMs): Promise<Result<Frame>> {
    if (this.channel.closed) return this.closedError(command, this.channel.closed);
    this.seq = (this.seq % 0xffff) + 1;
    const request: Frame = { version: 1, type: 'request', seq: this.seq, command, status: 'ok', body };
    const size = frameSize(request);
    if (size > this.maxFrame) return this.fail('SERIAL_FRAME_TOO_LARGE', command, `request of ${size} bytes exceeds the limit of ${this.maxFrame}`);
    const bytes = encodeFrame(request);
    this.resetStats();
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      const answer = new Promise<Result<Frame>>((resolve) => this.pending.set(request.seq, { step: command, resolve }));
      let timer: NodeJS.Timeout | undefined;
      const budget = timeoutMs + this.wireMs(this.bytesInFlight + bytes.length);
      this.bytesInFlight += bytes.length;
      const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), budget)));
      try {
        await this.channel.write(bytes);
      } catch {
        this.pending.delete(request.seq);
        clearTimeout(timer);
        this.bytesInFlight -= bytes.length;
        return this.fail('SERIAL_PORT_VANISHED', command, 'writing to the port failed');
      }
      const result = await Promise.race([answer, timeout]);
      clearTimeout(timer);
      this.bytesInFlight -= bytes.length;
      this.pending.delete(request.seq);
      if (result) return result;
      this.options.logger?.debug('no answer, retrying', { port: this.path, step: command, attempt });
    }
    return this.noAnswer(command, timeoutMs);
  }

  /** A request whose non-ok statuses become errors (refused, not ready, …). */
  async call(command: CommandName, body: Body = {}, timeoutMs?: number): Promise<Result<Body>> {
    const answered = await this.exchange(command, body, timeoutMs);
    if (!answered.ok) return answered;
    return this.statusResult(command, answered.value);
  }

  statusResult(command: CommandName, frame: Frame): Result<Body> {
    if (frame.status === 'ok') return ok(frame.body);
    const detail = typeof frame.body.detail === 'string' ? `: ${frame.body.detail}` : '';
    const codes: Partial<Record<StatusName, ErrorCode>> = {
      refused: 'DEVICE_REFUSED',
      unknownCommand: 'UNSUPPORTED',
      unsupportedVersion: 'SERIAL_VERSION',
      frameTooLarge: 'SERIAL_FRAME_TOO_LARGE',
    };
    return this.fail(codes[frame.status] ?? 'DEVICE_ERROR', command, `the device answered ${frame.status}${detail}`);
  }

  private fail<T>(code: ErrorCode, step: string, what: string): Result<T> {
    return err(code, `Port ${this.path}, step ${step}: ${what}.`);
  }

  private closedError<T>(step: CommandName, reason: ChannelCloseReason): Result<T> {
    return this.fail(reason === 'taken-over' ? 'SERIAL_PORT_IN_USE' : 'SERIAL_PORT_VANISHED', step, CLOSE_MESSAGES[reason]);
  }

  private noAnswer(command: CommandName, timeoutMs: number): Result<Frame> {
    const tries = `after ${this.options.attempts} attempts of ${timeoutMs} ms`;
    if (this.foreignVersion !== null) return this.fail('SERIAL_VERSION', command, `the device answered in protocol version ${this.foreignVersion}; this host speaks version 1`);
    if (this.foreignSeq !== null) return this.fail('SERIAL_SEQUENCE', command, `the device answered with sequence ${this.foreignSeq} while ${this.seq} was expected, ${tries}`);
    if (this.faults.oversized) return this.fail('SERIAL_FRAME_TOO_LARGE', command, `the device sent ${this.faults.oversized} frame(s) larger than ${this.maxFrame} bytes, ${tries}`);
    const corrupt = Object.entries(this.faults).map(([fault, count]) => `${count} ${fault}`);
    if (this.splitter.pending > 0) corrupt.push(`${this.splitter.pending} bytes without a frame delimiter`);
    if (corrupt.length > 0) return this.fail('SERIAL_CORRUPT_FRAMES', command, `only corrupt frames came back (${corrupt.join(', ')}) ${tries}`);
    return this.fail('SERIAL_NO_ANSWER', command, `no answer ${tries}`);
  }

  private resetStats(): void {
    for (const key of Object.keys(this.faults)) delete this.faults[key as FrameFault];
    this.foreignSeq = null;
    this.foreignVersion = null;
  }

  private countFault(fault: FrameFault): void {
    this.faults[fault] = (this.faults[fault] ?? 0) + 1;
  }

  private onBlock(block: Buffer): void {
    const decoded = decodeFrame(block, this.maxFrame);
    const firstBlock = !this.inSync;
    this.inSync = true;
    if (!decoded.ok && firstBlock) {
      // Spec §2: a receiver out of sync re-synchronises at the next 0x00, so the bytes before the
      // first delimiter are the rest of a frame sent before the port was opened, not an answer.
      this.options.logger?.debug('dropped the partial frame before the first delimiter', { port: this.path, bytes: block.length });
      return;
    }
    if (!decoded.ok) {
      this.countFault(decoded.fault);
      if (decoded.fault === 'version') this.foreignVersion = decoded.version ?? null;
      this.options.logger?.debug('dropped a frame', { port: this.path, fault: decoded.fault, detail: decoded.detail });
      return;
    }
    const { frame } = decoded;
    if (frame.type === 'event') return this.options.onEvent?.(frame);
    if (frame.type !== 'response') return this.countFault('type');
    const pending = this.pending.get(frame.seq);
    if (!pending) {
      this.foreignSeq = frame.seq;
      return;
    }
    this.pending.delete(frame.seq);
    pending.resolve(ok(frame));
  }

  private failAll(reason: ChannelCloseReason): void {
    for (const pending of this.pending.values()) {
      pending.resolve(this.closedError(pending.step, reason));
    }
    this.pending.clear();
  }
}
