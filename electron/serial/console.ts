import type { EventBus } from '../core/event-bus';
import { err, ok, type Result } from '../../shared/result';
import type { ByteChannel } from './channel';
import { LOG_LEVELS, nameOf } from './protocol/commands';
import { decodeFrame, type Frame } from './protocol/frame';
import type { PortRegistry } from './registry';

/** Above any frame a device may send (spec §2), so log lines are never cut. */
const CONSOLE_MAX_FRAME = 65535;
/** Text without a frame delimiter is shown once the line has been quiet this long. */
const TEXT_FLUSH_MS = 40;

/** Device log lines decoded from frames on any link (spec §6.8), as the `ports.device.log` event. */
export function deviceLogEvent(path: string, frame: Frame) {
  return {
    path,
    level: String(nameOf(LOG_LEVELS, Number(frame.body.logLevel)) ?? 'info'),
    uptimeMs: Number(frame.body.uptimeMs ?? 0),
    text: String(frame.body.text ?? ''),
  };
}

/**
 * Separates a console's byte stream into text and protocol frames: a run ending in the frame
 * delimiter that decodes as a frame is a frame; anything else is text, shown at a delimiter or
 * after a quiet moment (an AT module never sends a delimiter).
 */
class ConsoleText {
  private pending: Buffer[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly onText: (text: string) => void,
    private readonly onFrame: (frame: Frame) => void,
  ) {}

  push(bytes: Buffer): void {
    let start = 0;
    for (let zero = bytes.indexOf(0); zero !== -1; zero = bytes.indexOf(0, start)) {
      const block = Buffer.concat([...this.pending, bytes.subarray(start, zero)]);
      this.pending = [];
      const decoded = decodeFrame(block, CONSOLE_MAX_FRAME);
      if (decoded.ok) this.onFrame(decoded.frame);
      else if (block.length > 0) this.onText(block.toString('utf8'));
      start = zero + 1;
    }
    if (start < bytes.length) this.pending.push(bytes.subarray(start));
    if (this.timer) clearTimeout(this.timer);
    this.timer = this.pending.length ? setTimeout(() => this.flush(), TEXT_FLUSH_MS) : null;
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length) this.onText(Buffer.concat(this.pending).toString('utf8'));
    this.pending = [];
  }
}

/**
 * Serial consoles: the raw bytes of a port as text and hex. When the device speaks the framed
 * protocol, its log-line frames are also decoded (a technician sees the log stream, not COBS).
 */
export class SerialConsoles {
  private readonly sessions = new Map<string, { channel: ByteChannel; stop: () => void }>();

  constructor(
    private readonly registry: PortRegistry,
    private readonly events: EventBus,
  ) {}

  async open(path: string, baud: number, takeover: boolean): Promise<Result<{ path: string; baud: number }>> {
    if (this.sessions.has(path)) return ok({ path, baud });
    const acquired = await this.registry.acquire(path, 'console', { baud, takeover });
    if (!acquired.ok) return acquired;
    const channel = acquired.value;
    const text = new ConsoleText(
      (shown) => this.events.emit('ports.console.text', { path, text: shown }),
      (frame) => frame.command === 'log.line' && this.events.emit('ports.device.log', deviceLogEvent(path, frame)),
    );
    const stops = [
      channel.onData((bytes) => {
        this.events.emit('ports.console.data', { path, hex: bytes.toString('hex') });
        text.push(bytes);
      }),
      channel.onClose((reason) => {
        text.flush();
        this.sessions.delete(path);
        this.events.emit('ports.console.closed', { path, reason });
      }),
    ];
    this.sessions.set(path, { channel, stop: () => (stops.forEach((off) => off()), text.flush()) });
    return ok({ path, baud });
  }

  async write(path: string, bytes: Buffer): Promise<Result<{ bytes: number }>> {
    const session = this.sessions.get(path);
    if (!session) return err('NOT_FOUND', `No console is open on ${path}; open one first.`);
    try {
      await session.channel.write(bytes);
      return ok({ bytes: bytes.length });
    } catch (error) {
      return err('SERIAL_PORT_VANISHED', `Console ${path}: writing failed (${(error as Error).message}).`);
    }
  }

  async close(path: string): Promise<Result<{ closed: boolean }>> {
    const session = this.sessions.get(path);
    if (!session) return ok({ closed: false });
    this.sessions.delete(path);
    session.stop();
    await this.registry.release(path, session.channel);
    this.events.emit('ports.console.closed', { path, reason: 'closed' });
    return ok({ closed: true });
  }
}
