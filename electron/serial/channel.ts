/**
 * An open byte stream to one device: what the port registry lends to a console or a driver. The
 * registry owns the real port; a channel is revoked (closed) when the port vanishes or is taken over.
 */
export interface ByteChannel {
  readonly path: string;
  write(bytes: Buffer): Promise<void>;
  /** Subscribes to received bytes; returns the unsubscribe function. */
  onData(listener: (bytes: Buffer) => void): () => void;
  /** Called once when the channel ends; `reason` says why (vanished, taken over, closed). */
  onClose(listener: (reason: ChannelCloseReason) => void): () => void;
  readonly closed: ChannelCloseReason | null;
}

export type ChannelCloseReason = 'vanished' | 'taken-over' | 'closed';
