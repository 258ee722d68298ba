import type { EventChannel, EventPayload } from '../../shared/contract';

type Listener = (channel: string, payload: unknown) => void;

/** The services' outgoing events; every transport subscribes here and forwards what its client asked for. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void {
    for (const listener of this.listeners) listener(channel, payload);
  }

  /** Receives every event; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
