/**
 * What a USB-serial adapter hands the host at a time: one full-speed bulk packet. Each write's last
 * slice ends with it, so a frame is complete exactly when the line has carried its last byte; larger
 * slices only mean fewer wake-ups (timers, PTY writes) per frame, which a station running many sims
 * on few cores needs.
 */
const SLICE_BYTES = 64;

/**
 * Emulates a serial line's speed on a pseudo-terminal, which moves bytes as fast as memory does:
 * bytes are delivered in slices no earlier than an 8N1 line of `baud` would carry them
 * (10 bit times per byte). The schedule is absolute, so timer jitter does not accumulate.
 */
export class LineThrottle {
  private readonly bytesPerMs: number;
  private readonly queue: Buffer[] = [];
  private lineFreeAt = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    baud: number,
    private readonly deliver: (bytes: Buffer) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.bytesPerMs = baud / 10 / 1000;
  }

  push(bytes: Buffer): void {
    for (let at = 0; at < bytes.length; at += SLICE_BYTES) this.queue.push(bytes.subarray(at, at + SLICE_BYTES));
    this.pump();
  }

  /** Drops what is still on the line (a reboot or an unplug). */
  clear(): void {
    this.queue.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private pump(): void {
    if (this.timer || this.queue.length === 0) return;
    const start = Math.max(this.now(), this.lineFreeAt);
    const arrival = start + this.queue[0]!.length / this.bytesPerMs;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.deliverDue(arrival);
        this.pump();
      },
      Math.max(0, arrival - this.now()),
    );
  }

  /**
   * The head slice has crossed the line at `arrival`. Slices behind it that the line has carried by
   * now too (the timer fired late: a busy machine) go in the same write: never early, one wake-up.
   */
  private deliverDue(arrival: number): void {
    const due = [this.queue.shift()!];
    const now = this.now();
    let freeAt = arrival;
    while (this.queue.length > 0 && freeAt + this.queue[0]!.length / this.bytesPerMs <= now) {
      freeAt += this.queue[0]!.length / this.bytesPerMs;
      due.push(this.queue.shift()!);
    }
    this.lineFreeAt = freeAt;
    this.deliver(due.length === 1 ? due[0]! : Buffer.concat(due));
  }
}
