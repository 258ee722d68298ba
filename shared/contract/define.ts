import type { z } from 'zod';

/** One request of the contract: its channel name, input and output schemas. */
export interface RequestDef<
  C extends string = string,
  I extends z.ZodType = z.ZodType,
  O extends z.ZodType = z.ZodType,
> {
  readonly kind: 'request';
  readonly channel: C;
  readonly input: I;
  readonly output: O;
}

/** One pushed event of the contract: its channel name and payload schema. */
export interface EventDef<C extends string = string, P extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  readonly channel: C;
  readonly payload: P;
}

export function request<C extends string, I extends z.ZodType, O extends z.ZodType>(
  channel: C,
  input: I,
  output: O,
): RequestDef<C, I, O> {
  return { kind: 'request', channel, input, output };
}

export function event<C extends string, P extends z.ZodType>(channel: C, payload: P): EventDef<C, P> {
  return { kind: 'event', channel, payload };
}
