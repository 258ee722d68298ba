import { SerialPort } from 'serialport';
import type { PortInfo } from '../../shared/contract/ports';
import { err, ok, type Result } from '../../shared/result';
import type { Logger } from '../core/logger';
import type { ByteChannel, ChannelCloseReason } from './channel';
import { diagnoseOpenError } from './diagnose';
import { expandPatterns, osPortLister, type DiscoveredPort } from './discovery';

export type Holder = 'console' | 'pipeline';

export interface PortRegistryOptions {
  /** Paths and globs of pseudo-terminals and other ports the OS does not list. */
  watch: string[];
  pollMs: number;
  logger: Logger;
  onAdded(port: PortInfo): void;
  onRemoved(port: { path: string; identity: string }): void;
  listOs?: () => Promise<DiscoveredPort[]>;
}

interface OpenPort {
  port: SerialPort;
  holder: Holder;
  channel: LentChannel;
}

/** The view of an open port lent to one holder; revoked on take-over, release or unplug. */
class LentChannel implements ByteChannel {
  private readonly dataListeners = new Set<(bytes: Buffer) => void>();
  private readonly closeListeners = new Set<(reason: ChannelCloseReason) => void>();
  closed: ChannelCloseReason | null = null;

  constructor(
    readonly path: string,
    private readonly port: SerialPort,
  ) {}

  write(bytes: Buffer): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`port ${this.closed}`));
    return new Promise((resolve, reject) => {
      this.port.write(bytes, (error) => (error ? reject(error) : this.port.drain((drained) => (drained ? reject(drained) : resolve()))));
    });
  }

  onData(listener: (bytes: Buffer) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onClose(listener: (reason: ChannelCloseReason) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  deliver(bytes: Buffer): void {
    if (!this.closed) this.dataListeners.forEach((listener) => listener(bytes));
  }

  revoke(reason: ChannelCloseReason): void {
    if (this.closed) return;
    this.closed = reason;
    this.closeListeners.forEach((listener) => listener(reason));
    this.dataListeners.clear();
    this.closeListeners.clear();
  }
}

/**
 * The one owner of every serial port in the process (architecture §2): discovery by the OS list
 * plus watched paths and globs, hot-plug by polling, and lending an open port to exactly one
 * holder at a time — the console or the pipeline — with explicit take-over.
 */
export class PortRegistry {
  private readonly known = new Map<string, DiscoveredPort>();
  private readonly open = new Map<string, OpenPort>();
  private readonly patterns: Set<string>;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;

  private readonly listOs: () => Promise<DiscoveredPort[]>;

  constructor(private readonly options: PortRegistryOptions) {
    this.patterns = new Set(options.watch);
    this.listOs = options.listOs ?? osPortLister();
  }

  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.options.pollMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
    await Promise.all([...this.open.keys()].map((path) => this.closePort(path, 'closed')));
  }

  watch(patterns: readonly string[]): Promise<PortInfo[]> {
    patterns.forEach((pattern) => this.patterns.add(pattern));
    return this.list();
  }

  async list(): Promise<PortInfo[]> {
    await this.poll();
    return [...this.known.values()].map((port) => this.info(port));
  }

  private info(port: DiscoveredPort): PortInfo {
    return { ...port, holder: this.open.get(port.path)?.holder ?? 'free' };
  }

  /** One discovery pass: emits added/removed, and revokes the channel of a port that vanished. */
  poll(): Promise<void> {
    this.polling ??= (async () => {
      const found = [...(await this.listOs()), ...expandPatterns([...this.patterns])];
      const current = new Map(found.map((port) => [port.path, port]));
      for (const [path, port] of this.known) {
        if (current.has(path)) continue;
        this.known.delete(path);
        if (this.open.has(path)) void this.closePort(path, 'vanished');
        this.options.logger.info('port removed', { path, identity: port.identity });
        this.options.onRemoved({ path, identity: port.identity });
      }
      for (const [path, port] of current) {
        if (this.known.has(path)) continue;
        this.known.set(path, port);
        this.options.logger.info('port added', { path, identity: port.identity });
        this.options.onAdded(this.info(port));
      }
    })().finally(() => (this.polling = null));
    return this.polling;
  }

  holderOf(path: string): Holder | null {
    return this.open.get(path)?.holder ?? null;
  }

  /**
   * Lends the port at `path` to `holder`. A port held by the other holder is refused unless
   * `takeover` is set, in which case the current holder's channel is revoked ('taken-over').
   */
  async acquire(path: string, holder: Holder, options: { baud: number; takeover?: boolean }): Promise<Result<ByteChannel>> {
    const held = this.open.get(path);
    if (held) {
      if (held.holder === holder && !held.channel.closed) return err('SERIAL_PORT_IN_USE', `${path} is already open for the ${holder}.`);
      if (held.holder !== holder && !options.takeover) return err('SERIAL_PORT_IN_USE', `${path} is held by the ${held.holder}; take it over explicitly (--takeover) or wait for it.`);
      held.channel.revoke('taken-over');
      this.options.logger.info('port taken over', { path, from: held.holder, to: holder });
      held.holder = holder;
      held.channel = new LentChannel(path, held.port);
      if (held.port.baudRate !== options.baud) await new Promise((resolve) => held.port.update({ baudRate: options.baud }, resolve));
      return ok(held.channel);
    }
    const port = new SerialPort({ path, baudRate: options.baud, autoOpen: false, lock: true });
    const failure = await new Promise<Error | null>((resolve) => port.open(resolve));
    if (failure) return diagnoseOpenError(path, failure);
    const entry: OpenPort = { port, holder, channel: new LentChannel(path, port) };
    this.open.set(path, entry);
    port.on('data', (bytes: Buffer) => this.open.get(path)?.channel.deliver(bytes));
    port.on('error', (error) => this.options.logger.warn('port error', { path, error: error.message }));
    port.on('close', () => {
      if (this.open.get(path) !== entry) return;
      this.open.delete(path);
      entry.channel.revoke('vanished');
    });
    return ok(entry.channel);
  }

  /** Gives the port back; the OS handle is closed so that other programs may use it. */
  async release(path: string, channel: ByteChannel): Promise<void> {
    if (this.open.get(path)?.channel !== channel) return;
    await this.closePort(path, 'closed');
  }

  private async closePort(path: string, reason: ChannelCloseReason): Promise<void> {
    const entry = this.open.get(path);
    if (!entry) return;
    this.open.delete(path);
    entry.channel.revoke(reason);
    if (entry.port.isOpen) await new Promise((resolve) => entry.port.close(resolve));
  }
}
