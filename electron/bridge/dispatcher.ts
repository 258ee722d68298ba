import type { z } from 'zod';
import type { RequestChannel, RequestOutput, Requests } from '../../shared/contract';
import { requests } from '../../shared/contract';
import { err, type Result } from '../../shared/result';
import type { Logger } from '../core/logger';

/** What a handler gets besides its input: who is calling, for logs and audit. */
export interface CallContext {
  transport: 'ipc' | 'websocket' | 'in-process';
}

export type Handler<C extends RequestChannel> = (
  input: z.output<Requests[C]['input']>,
  context: CallContext,
) => Promise<Result<RequestOutput<C>>> | Result<RequestOutput<C>>;

/** One handler per contract request; the compiler refuses a composition root that misses one. */
export type Handlers = { [C in RequestChannel]: Handler<C> };

export interface Dispatcher {
  /** Validates the channel and input against the contract, runs the handler, never throws. */
  dispatch(channel: string, input: unknown, context: CallContext): Promise<Result<unknown>>;
  /** Resolves when every call in flight has answered (the shutdown drain). */
  drain(): Promise<void>;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(input)'}: ${issue.message}`)
    .join('; ');
}

export function createDispatcher(handlers: Partial<Handlers>, logger: Logger): Dispatcher {
  const inFlight = new Set<Promise<unknown>>();

  async function run(channel: string, input: unknown, context: CallContext): Promise<Result<unknown>> {
    const def = requests.get(channel);
    const handler = (handlers as Record<string, Handler<RequestChannel> | undefined>)[channel];
    if (!def || !handler) return err('UNKNOWN_CHANNEL', `Unknown request "${channel.slice(0, 80)}".`);
    const parsed = def.input.safeParse(input ?? {});
    if (!parsed.success) return err('INVALID_INPUT', `Invalid input for ${channel}: ${describeIssues(parsed.error)}`);
    try {
      const result = await handler(parsed.data as never, context);
      if (result.ok && !def.output.safeParse(result.value).success) {
        logger.error('handler answered outside the contract', { channel });
        return err('INVALID_OUTPUT');
      }
      return result;
    } catch (error) {
      logger.error('handler failed', { channel, error });
      return err('INTERNAL');
    }
  }

  return {
    dispatch(channel, input, context) {
      const call = run(channel, input, context);
      inFlight.add(call);
      void call.finally(() => inFlight.delete(call));
      return call;
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
