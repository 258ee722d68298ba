import { z } from 'zod';
import { events as contractEvents } from '../../shared/contract';
import { IPC } from '../../shared/contract/ipc';
import { err } from '../../shared/result';
import type { Dispatcher } from '../bridge/dispatcher';
import type { EventBus } from '../core/event-bus';

/** The slice of Electron's `ipcMain` the registrar uses, so tests can hand in a fake. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): void;
}

export interface IpcEventLike {
  senderFrame: { url: string } | null;
  sender: { id: number };
}

export interface WebContentsLike {
  id: number;
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

const CallSchema = z.object({ channel: z.string().min(1).max(200), input: z.unknown() });

/**
 * Registers the contract on Electron IPC. Every call is checked: it must come from our own UI
 * frame (a foreign frame is refused), name a contract channel and carry valid input (the
 * dispatcher validates). Events go only to the window, and only for channels it subscribed to.
 */
export function registerIpc(options: {
  ipcMain: IpcMainLike;
  dispatcher: Dispatcher;
  events: EventBus;
  isTrustedFrame: (url: string) => boolean;
  target: () => WebContentsLike | null;
}): () => void {
  const { ipcMain, dispatcher, events, isTrustedFrame, target } = options;
  const wanted = new Set<string>();
  const trusted = (event: IpcEventLike) => event.senderFrame !== null && isTrustedFrame(event.senderFrame.url);

  ipcMain.handle(IPC.call, async (event, frame) => {
    if (!trusted(event)) return err('UNAUTHORIZED', 'Calls are accepted only from the Commissioner window.');
    const parsed = CallSchema.safeParse(frame);
    if (!parsed.success) return err('INVALID_INPUT', 'Malformed IPC call.');
    return dispatcher.dispatch(parsed.data.channel, parsed.data.input, { transport: 'ipc' });
  });
  const subscription = (add: boolean) => (event: IpcEventLike, channel: unknown) => {
    if (!trusted(event) || typeof channel !== 'string' || !contractEvents.has(channel)) return;
    if (add) wanted.add(channel);
    else wanted.delete(channel);
  };
  ipcMain.on(IPC.subscribe, subscription(true));
  ipcMain.on(IPC.unsubscribe, subscription(false));

  return events.subscribe((channel, payload) => {
    const contents = target();
    if (contents && !contents.isDestroyed() && wanted.has(channel)) contents.send(IPC.event, { channel, payload });
  });
}
