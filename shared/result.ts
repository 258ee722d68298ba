import { z } from 'zod';
import { ERROR_MESSAGES, ErrorCodeSchema, type ErrorCode } from './errors';

export const AppErrorSchema = z.object({ code: ErrorCodeSchema, message: z.string() });

/** An expected failure travels as a value: a closed code plus a message safe to show a user. */
export type AppError = z.infer<typeof AppErrorSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err<T = never>(code: ErrorCode, message?: string): Result<T> {
  return { ok: false, error: { code, message: message ?? ERROR_MESSAGES[code] } };
}

/** The wire schema of a result whose value matches `value`. */
export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: AppErrorSchema }),
  ]);
}
