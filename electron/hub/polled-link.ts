import type { PublishPacket } from 'aedes';
import type { SessionLink } from './session';

/**
 * The hub's side of a device that holds no connection (HTTP §8, CoAP §7 of the protocol
 * reference): the reply to its current request is taken synchronously, and commands wait in a
 * bounded queue until one of its next requests carries them (HTTP headers `topic` +
 * `command-payload`, CoAP options 2100/2102).
 */

export interface QueuedCommand {
  readonly topic: string;
  readonly payload: Buffer;
}

const CODE_FIELD = Buffer.from('"code":');

/**
 * The code of a reply the hub built (`buildReply`: id, then code): read from the bytes, without a
 * string copy or a second JSON parse on the hot path. A quote inside a JSON string is escaped, so
 * the first `"code":` is the envelope's own.
 */
export function replyCode(reply: Buffer): number | null {
  const at = reply.indexOf(CODE_FIELD);
  if (at === -1) return null;
  let index = at + CODE_FIELD.length;
  const negative = reply[index] === 0x2d;
  if (negative) index++;
  let value = 0;
  const first = index;
  for (; index < reply.length && reply[index]! >= 0x30 && reply[index]! <= 0x39; index++) value = value * 10 + reply[index]! - 0x30;
  if (index === first) return null;
  return negative ? -value : value;
}

/** A device that never polls must not grow the queue without bound; later commands time out instead. */
const MAX_QUEUED = 64;

export class PolledLink implements SessionLink {
  private reply: Buffer | null = null;
  private readonly queue: QueuedCommand[] = [];

  constructor(
    private readonly onClose: () => void,
    /** Which command topics this device accepts (HTTP `acceptCommandTypes`); others are never delivered. */
    private readonly accepts: (topic: string) => boolean = () => true,
  ) {}

  publish(packet: PublishPacket, done?: () => void): void {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    if (packet.topic.endsWith('_reply')) this.reply = payload;
    else if (this.accepts(packet.topic) && this.queue.length < MAX_QUEUED) this.queue.push({ topic: packet.topic, payload });
    done?.();
  }

  /** The reply the hub published during the last `publishFrom`, if any (none for a device's own command replies). */
  takeReply(): Buffer | null {
    const reply = this.reply;
    this.reply = null;
    return reply;
  }

  nextCommand(): QueuedCommand | undefined {
    return this.queue.shift();
  }

  get queued(): number {
    return this.queue.length;
  }

  /** The hub ends the session (taken over, disabled, deleted). */
  close(): void {
    this.onClose();
  }
}
