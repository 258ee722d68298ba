import { randomBytes } from 'node:crypto';
import type { DeviceRef } from '../directory';

/**
 * `useLark` uploads (protocol reference §8 "File points"): the multipart request carries only the
 * `enos-message`; the hub answers each declared file with `{fileUri, uploadUrl, filename, headers}`
 * and the device PUTs the bytes to `uploadUrl`. An upload URL is a one-time token bound to the
 * device and the stored name it will fill; unused ones expire.
 */

export interface LarkSlot {
  readonly device: DeviceRef;
  /** The stored name inside the device's files folder (the name its fileUri already carries). */
  readonly storedName: string;
  readonly fileName: string;
  /** Lower-case hex, checked against the PUT body when the device declared one. */
  readonly md5: string | null;
  readonly expiresAt: number;
}

const TOKEN_BYTES = 24;

export class LarkUploads {
  private readonly slots = new Map<string, LarkSlot>();

  constructor(
    private readonly clock: () => number,
    private readonly ttlMs: number,
    /** Reserved but never used slots cannot grow without bound: the oldest give way. */
    private readonly maxPending: number,
  ) {}

  reserve(slot: Omit<LarkSlot, 'expiresAt'>): string {
    const now = this.clock();
    for (const [token, held] of this.slots) if (held.expiresAt <= now) this.slots.delete(token);
    while (this.slots.size >= this.maxPending) this.slots.delete(this.slots.keys().next().value!);
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    this.slots.set(token, { ...slot, expiresAt: now + this.ttlMs });
    return token;
  }

  /** The slot of an upload URL, once: used, unknown and expired tokens are null. */
  take(token: string): LarkSlot | null {
    const slot = this.slots.get(token);
    if (!slot) return null;
    this.slots.delete(token);
    return slot.expiresAt > this.clock() ? slot : null;
  }
}
