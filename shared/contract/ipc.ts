/** The only IPC channels between preload and main: one for calls, two for event subscriptions, one push. */
export const IPC = {
  call: 'commissioner:call',
  subscribe: 'commissioner:subscribe',
  unsubscribe: 'commissioner:unsubscribe',
  event: 'commissioner:event',
} as const;

/** What the preload exposes on `window.commissioner`: the contract's client, nothing else. */
export interface PreloadBridge {
  call(channel: string, input: unknown): Promise<unknown>;
  subscribe(channel: string): void;
  unsubscribe(channel: string): void;
  onEvent(listener: (channel: string, payload: unknown) => void): void;
}
