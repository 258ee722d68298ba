/**
 * Block-wise transfer (RFC 7959) for the hub's CoAP endpoint (protocol reference §7, §9: bodies
 * over 1 KB go block-wise). The coap package reassembles Block1 itself, but keeps every body
 * without a size limit, trusts the block number to size its buffer, and throws on a missing
 * block; so the endpoint takes the Block1 option away before the package sees it and assembles
 * here instead: in order only, one body per endpoint and resource, bounded in size, count and age.
 */

export interface BlockOption {
  /** Block number (up to 20 bits). */
  readonly num: number;
  readonly more: boolean;
  /** Block size 2^(szx+4): 16…1024 bytes. */
  readonly size: number;
}

/** RFC 7959 §2.2: a 0–3 byte unsigned integer NUM | M | SZX; SZX 7 is reserved. Null when malformed. */
export function parseBlockOption(value: Buffer): BlockOption | null {
  if (value.length > 3) return null;
  let raw = 0;
  for (const byte of value) raw = (raw << 8) | byte;
  const szx = raw & 7;
  if (szx === 7) return null;
  return { num: raw >> 4, more: (raw & 8) !== 0, size: 1 << (szx + 4) };
}

export interface AssemblerLimits {
  /** Largest assembled body (§9: 512 KiB like any payload). */
  maxBytes: number;
  /** Bodies being assembled at once; the oldest is dropped beyond it. */
  maxPending: number;
  /** A body whose next block does not come within this is dropped. */
  maxAgeMs: number;
}

export type BlockOutcome =
  | { status: 'continue' }
  | { status: 'complete'; body: Buffer }
  /** A block out of order or for a body we do not hold: RFC 7959 §2.9.2, 4.08 Request Entity Incomplete. */
  | { status: 'incomplete' }
  /** 4.13 Request Entity Too Large. */
  | { status: 'too-large' }
  /** A non-final block shorter than its size: 4.00. */
  | { status: 'invalid' };

interface Pending {
  readonly size: number;
  readonly parts: Buffer[];
  bytes: number;
  next: number;
  touched: number;
}

export class Block1Assembler {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly limits: AssemblerLimits) {}

  add(key: string, block: BlockOption, payload: Buffer, now: number): BlockOutcome {
    let entry = this.pending.get(key);
    if (entry && now - entry.touched > this.limits.maxAgeMs) {
      this.pending.delete(key);
      entry = undefined;
    }
    if (block.num === 0) {
      entry = { size: block.size, parts: [], bytes: 0, next: 0, touched: now };
      this.pending.delete(key);
      this.evictOldest();
      this.pending.set(key, entry);
    }
    if (!entry || block.num !== entry.next || block.size !== entry.size) {
      this.pending.delete(key);
      return { status: 'incomplete' };
    }
    if (block.more && payload.length !== block.size) {
      this.pending.delete(key);
      return { status: 'invalid' };
    }
    if (entry.bytes + payload.length > this.limits.maxBytes) {
      this.pending.delete(key);
      return { status: 'too-large' };
    }
    entry.parts.push(payload);
    entry.bytes += payload.length;
    entry.next++;
    entry.touched = now;
    if (block.more) return { status: 'continue' };
    this.pending.delete(key);
    return { status: 'complete', body: Buffer.concat(entry.parts, entry.bytes) };
  }

  get size(): number {
    return this.pending.size;
  }

  private evictOldest(): void {
    while (this.pending.size >= this.limits.maxPending) {
      const oldest = this.pending.keys().next().value;
      if (oldest === undefined) return;
      this.pending.delete(oldest);
    }
  }
}
