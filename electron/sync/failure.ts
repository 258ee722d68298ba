import type { ErrorCode } from '../../shared/errors';

/**
 * Why one call or item did not go through. `retryable` failures come back after backoff (or the
 * Retry-After the target named); the others wait for a person (fix and retry, or resolve).
 */
export interface SyncFailure {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  retryAfterMs?: number;
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; failure: SyncFailure };

export function succeeded<T>(value: T): Attempt<T> {
  return { ok: true, value };
}

export function failed<T = never>(code: ErrorCode, message: string, retryable: boolean, retryAfterMs?: number): Attempt<T> {
  return { ok: false, failure: { code, message, retryable, retryAfterMs } };
}
