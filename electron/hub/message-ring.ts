import type { DeviceMessage, MessageKind } from './upstream';

/**
 * One device's recent messages (issue 5 "kept in bounded in-memory rings"): the newest `capacity`,
 * oldest first on read. Its slots are made with the ring (on the device's first message) and
 * overwritten in place, times kept as numbers (NaN for "none"), so a message leaves only its
 * values behind: the hub keeps every device's history, and a fresh object (with boxed times) per
 * message held there was what the garbage collector copied on every young-generation pass.
 */

interface Slot {
  receivedAt: number;
  /** NaN: the message carried no device time. */
  time: number;
  kind: MessageKind;
  /** '' when the message has no name. */
  name: string;
  values: unknown;
}

export class MessageRing {
  private readonly slots: Slot[];
  private next = 0;
  private count = 0;

  constructor(
    readonly productKey: string,
    readonly deviceKey: string,
    readonly capacity: number,
  ) {
    this.slots = Array.from({ length: capacity }, (): Slot => ({ receivedAt: NaN, time: NaN, kind: 'measurepoints', name: '', values: null }));
  }

  push(message: DeviceMessage): void {
    const slot = this.slots[this.next]!;
    slot.receivedAt = message.receivedAt;
    slot.time = message.time ?? NaN;
    slot.kind = message.kind;
    slot.name = message.name ?? '';
    slot.values = message.values;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** Oldest first; at most `limit` of the newest. */
  toArray(limit = this.capacity): DeviceMessage[] {
    const count = this.count;
    const take = Math.min(limit, count);
    const out: DeviceMessage[] = [];
    for (let i = count - take; i < count; i++) {
      const slot = this.slots[(this.next - count + i + this.capacity) % this.capacity]!;
      const message: DeviceMessage = { receivedAt: slot.receivedAt, productKey: this.productKey, deviceKey: this.deviceKey, kind: slot.kind, time: Number.isNaN(slot.time) ? null : slot.time, values: slot.values };
      if (slot.name) message.name = slot.name;
      out.push(message);
    }
    return out;
  }
}
