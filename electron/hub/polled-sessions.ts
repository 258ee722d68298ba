import type { DirectoryDevice, DirectoryProduct } from './directory';
import type { Hub } from './hub';
import { PolledLink } from './polled-link';
import type { ListenerKind, OfflineReason, Session, TlsDetails } from './session';

/**
 * Sessions of devices that log in once and then send requests (HTTP session ids §8, CoAP source
 * endpoints §7), each with a lifetime counted from its last request: silent that long, it is
 * offline and its key is refused. Keys that ended are remembered (bounded) so a replayed key is
 * told apart from a forged one in the statistics.
 */

export interface PolledSession {
  readonly key: string;
  readonly session: Session;
  readonly link: PolledLink;
  readonly lifetimeMs: number;
}

export type Lookup = { ok: true; entry: PolledSession } | { ok: false; reason: 'session-unknown' | 'session-ended' };

const REMEMBERED_ENDED = 10_000;

export class PolledSessions {
  private readonly live = new Map<string, PolledSession>();
  private readonly ended = new Set<string>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly hub: Hub,
    private readonly listener: ListenerKind,
    private readonly clock: () => number,
  ) {}

  get size(): number {
    return this.live.size;
  }

  /** Expired sessions go offline even when their device never calls again. */
  startSweeping(everyMs: number): void {
    this.sweeper = setInterval(() => this.sweep(), everyMs);
    this.sweeper.unref();
  }

  open(key: string, admitted: { device: DirectoryDevice; product: DirectoryProduct }, lifetimeMs: number, connection: { address: string | null; clientId: string; tls: TlsDetails | null; listener?: ListenerKind }, accepts?: (topic: string) => boolean): PolledSession {
    let entry: PolledSession | null = null;
    const link = new PolledLink(() => {
      if (entry) this.end(entry, 'disconnected');
    }, accepts);
    const session = this.hub.openSession(admitted, link, { listener: connection.listener ?? this.listener, address: connection.address, clientId: connection.clientId, tls: connection.tls });
    entry = { key, session, link, lifetimeMs };
    this.live.set(key, entry);
    return entry;
  }

  find(key: string): Lookup {
    const entry = this.live.get(key);
    if (!entry) return { ok: false, reason: this.ended.has(key) ? 'session-ended' : 'session-unknown' };
    if (this.expired(entry, this.clock())) {
      this.end(entry, 'keepalive-timeout');
      return { ok: false, reason: 'session-ended' };
    }
    return { ok: true, entry };
  }

  private expired(entry: PolledSession, now: number): boolean {
    return now - entry.session.lastSeen > entry.lifetimeMs;
  }

  sweep(): void {
    const now = this.clock();
    for (const entry of [...this.live.values()]) if (this.expired(entry, now)) this.end(entry, 'keepalive-timeout');
  }

  end(entry: PolledSession, reason: OfflineReason): void {
    if (this.live.get(entry.key) !== entry) return;
    this.live.delete(entry.key);
    if (this.ended.size >= REMEMBERED_ENDED) this.ended.clear();
    this.ended.add(entry.key);
    this.hub.closeSession(entry.session, reason);
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const entry of [...this.live.values()]) this.end(entry, 'hub-stopped');
  }
}
