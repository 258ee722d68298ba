import { buildRequest, methodFor, parseReply, topicFor, type DownstreamKind, type ReplyEnvelope, type RoutedTopic } from '../protocol';
import { deviceId, type DeviceRef } from './directory';

/**
 * Downstream commands (protocol reference §6.2): each gets a decimal-string id that correlates
 * the device's reply, a timeout, and — when the device is offline and a time-to-live is given —
 * a place in the device's pending queue until its next login.
 */

export type CommandKind = Extract<DownstreamKind, 'service.invoke' | 'measurepoint.set' | 'measurepoint.get' | 'down_raw' | 'thing.enable' | 'thing.disable' | 'thing.delete' | 'combine.enable' | 'combine.disable' | 'combine.delete'>;

export interface CommandRequest {
  /** The device the command is for (a sub-device's commands travel on its gateway's connection). */
  device: DeviceRef;
  kind: CommandKind;
  /** Service id for `service.invoke`. */
  param?: string;
  params: unknown;
  timeoutMs: number;
  /** 0: fail at once when offline; else hold it that long (§6.2 pendingTtl). */
  pendingTtlMs: number;
  /** False for ASYNC services: resolve once sent; the reply arrives later as an event. */
  awaitReply?: boolean;
}

export type CommandOutcome =
  | { status: 'replied'; correlationId: string; code: number; message: string; data: unknown; latencyMs: number }
  | { status: 'sent'; correlationId: string }
  | { status: 'pending'; correlationId: string }
  | { status: 'timeout'; correlationId: string }
  | { status: 'offline'; correlationId: string };

/** What a caller gets back; `timeout` and `offline` become errors. */
export type CommandAnswer = Extract<CommandOutcome, { status: 'replied' | 'sent' | 'pending' }>;

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How a command reaches the device; false when it has no session now. */
export type Deliver = (device: DeviceRef, topic: string, payload: string) => boolean;

interface Outstanding {
  readonly request: CommandRequest;
  readonly correlationId: string;
  readonly id: string;
  readonly topic: string;
  sentAt: number | null;
  expiresAt: number;
  timer: unknown;
  settle(outcome: CommandOutcome): void;
}

export class Commands {
  private sequence = 0;
  /** Sent and awaiting a reply, by `<reply topic>\n<id>`. */
  private readonly awaiting = new Map<string, Outstanding>();
  /** Held for offline devices, by `PK/DK`, oldest first. */
  private readonly pending = new Map<string, Outstanding[]>();

  constructor(
    private readonly deliver: Deliver,
    private readonly clock: () => number,
    private readonly timers: Timers = realTimers,
    private readonly onLateReply: (outcome: CommandOutcome & { device: DeviceRef }) => void = () => undefined,
  ) {}

  /** Sends (or holds) a command and resolves with the device's reply, a timeout, or pending. */
  send(request: CommandRequest): Promise<CommandOutcome> {
    const id = String(++this.sequence);
    const correlationId = `cmd-${id}`;
    const topic = topicFor(request.kind, request.device.productKey, request.device.deviceKey, request.param ?? '');
    return new Promise((resolve) => {
      let settled = false;
      const command: Outstanding = {
        request,
        correlationId,
        id,
        topic,
        sentAt: null,
        expiresAt: this.clock() + request.pendingTtlMs,
        timer: null,
        settle: (outcome) => {
          if (settled) return this.lateReply(command, outcome);
          settled = true;
          resolve(outcome);
        },
      };
      if (this.transmit(command)) {
        command.timer = this.timers.setTimeout(() => this.expire(command), request.timeoutMs);
        if (request.awaitReply === false) command.settle({ status: 'sent', correlationId });
        return;
      }
      if (request.pendingTtlMs <= 0) return command.settle({ status: 'offline', correlationId });
      const queue = this.pending.get(deviceId(request.device)) ?? [];
      queue.push(command);
      this.pending.set(deviceId(request.device), queue);
      // The caller waits at most its timeout; the command stays queued until its TTL.
      command.timer = this.timers.setTimeout(() => command.settle({ status: 'pending', correlationId }), request.timeoutMs);
    });
  }

  /** A reply after the caller stopped waiting (a pending command delivered later). */
  private lateReply(command: Outstanding, outcome: CommandOutcome): void {
    if (outcome.status === 'replied') this.onLateReply({ ...outcome, device: command.request.device });
  }

  private transmit(command: Outstanding): boolean {
    const payload = command.request.kind === 'down_raw' ? String(command.request.params) : buildRequest(command.id, methodFor(command.request.kind, command.request.param ?? ''), command.request.params);
    if (!this.deliver(command.request.device, command.topic, payload)) return false;
    command.sentAt = this.clock();
    this.awaiting.set(this.key(`${command.topic}_reply`, command.request.kind === 'down_raw' ? undefined : command.id), command);
    return true;
  }

  /** Raw replies carry no id (§6.5): they match by topic only. */
  private key(replyTopic: string, id: string | number | undefined): string {
    return `${replyTopic}\n${id === undefined ? '' : String(id)}`;
  }

  private expire(command: Outstanding): void {
    this.awaiting.delete(this.key(`${command.topic}_reply`, command.request.kind === 'down_raw' ? undefined : command.id));
    command.settle({ status: 'timeout', correlationId: command.correlationId });
  }

  /** A device published on a downstream `_reply` topic; true when it answered one of ours. */
  reply(topic: string, routed: RoutedTopic, payload: Buffer): boolean {
    if (routed.kind === 'down_raw') return this.complete(this.key(topic, undefined), { id: undefined, code: 200, data: payload.toString('base64') });
    const reply = parseReply(payload);
    if (!reply) return false;
    return this.complete(this.key(topic, reply.id), reply);
  }

  private complete(key: string, reply: ReplyEnvelope): boolean {
    const command = this.awaiting.get(key);
    if (!command) return false;
    this.awaiting.delete(key);
    this.timers.clearTimeout(command.timer);
    command.settle({
      status: 'replied',
      correlationId: command.correlationId,
      code: reply.code,
      message: reply.message ?? '',
      data: reply.data ?? null,
      latencyMs: this.clock() - (command.sentAt ?? this.clock()),
    });
    return true;
  }

  /** The device logged in: send what is still within its TTL, drop the rest (§6.2 pendingTtl). */
  flush(device: DeviceRef): number {
    const id = deviceId(device);
    const queue = this.pending.get(id);
    if (!queue) return 0;
    this.pending.delete(id);
    const now = this.clock();
    let sent = 0;
    for (const command of queue) {
      if (command.expiresAt < now) continue;
      if (!this.transmit(command)) {
        this.pending.set(id, [...(this.pending.get(id) ?? []), command]);
        continue;
      }
      sent++;
      this.timers.clearTimeout(command.timer);
      command.timer = this.timers.setTimeout(() => this.expire(command), command.request.timeoutMs);
    }
    return sent;
  }

  pendingCount(device?: DeviceRef): number {
    if (device) return this.pending.get(deviceId(device))?.length ?? 0;
    let count = 0;
    for (const queue of this.pending.values()) count += queue.length;
    return count;
  }

  /** Stop: every waiting caller gets its answer now. */
  close(): void {
    for (const command of this.awaiting.values()) {
      this.timers.clearTimeout(command.timer);
      command.settle({ status: 'timeout', correlationId: command.correlationId });
    }
    this.awaiting.clear();
    for (const queue of this.pending.values()) for (const command of queue) command.settle({ status: 'pending', correlationId: command.correlationId });
    this.pending.clear();
  }
}
