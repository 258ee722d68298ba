import type { HubMessage, HubSession, HubStats } from '../../../shared/contract';

/** Newest last, at most `max`: the live view keeps a window, not the stream. */
export function appendMessages(buffer: readonly HubMessage[], batch: readonly HubMessage[], max: number): HubMessage[] {
  return [...buffer, ...batch].slice(-max);
}

/** Messages whose device (`PK/DK`), kind or name contains the text, case-insensitively. */
export function filterMessages(messages: readonly HubMessage[], text: string): readonly HubMessage[] {
  const needle = text.trim().toLowerCase();
  if (!needle) return messages;
  return messages.filter((message) => `${message.productKey}/${message.deviceKey} ${message.kind} ${message.name ?? ''}`.toLowerCase().includes(needle));
}

/** Messages in and out since the previous statistics (counters only grow, except after a hub restart). */
export function messageDelta(previous: HubStats | null, next: HubStats): [number, number] {
  if (!previous) return [0, 0];
  const delta = (a: number, b: number) => Math.max(0, b - a);
  return [delta(previous.totals.messagesIn, next.totals.messagesIn), delta(previous.totals.messagesOut, next.totals.messagesOut)];
}

/** Online sessions per listener (mqtt, mqtts, wss). */
export function sessionsByListener(sessions: readonly HubSession[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const session of sessions) counts[session.listener] = (counts[session.listener] ?? 0) + 1;
  return counts;
}

/** Counts by key, largest first, for the refusal and error tables. */
export function sortedCounts(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
