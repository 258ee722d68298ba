import { z } from 'zod';
import { AppErrorSchema } from '../result';

/**
 * Frames of the WebSocket bridge. Calls carry a client-chosen id; the server answers each with
 * exactly one result frame of the same id and pushes event frames for the client's subscriptions.
 */
export const CallFrameSchema = z.object({
  type: z.literal('call'),
  id: z.number().int().nonnegative(),
  channel: z.string().min(1).max(200),
  input: z.unknown(),
});

export const SubscribeFrameSchema = z.object({
  type: z.enum(['subscribe', 'unsubscribe']),
  channel: z.string().min(1).max(200),
});

export const ClientFrameSchema = z.discriminatedUnion('type', [CallFrameSchema, SubscribeFrameSchema]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

export const ResultFrameSchema = z.object({
  type: z.literal('result'),
  id: z.number().int().nonnegative().nullable(),
  result: z.union([
    z.object({ ok: z.literal(true), value: z.unknown() }),
    z.object({ ok: z.literal(false), error: AppErrorSchema }),
  ]),
});

export const EventFrameSchema = z.object({
  type: z.literal('event'),
  channel: z.string(),
  payload: z.unknown(),
});

export const ServerFrameSchema = z.discriminatedUnion('type', [ResultFrameSchema, EventFrameSchema]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

/** Close code the bridge uses when a token is missing or wrong (4000–4999 are application codes). */
export const CLOSE_UNAUTHORIZED = 4401;
