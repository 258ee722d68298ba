import { failed, succeeded, type Attempt } from './failure';
import { retryAfterMs, TokenBucket } from './pacing';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export interface PacedHttpOptions {
  bucket: TokenBucket;
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  timeoutMs: number;
}

/**
 * Every HTTP call to one target goes through here: it waits for a token of the target's bucket,
 * turns transport trouble into retryable failures, and a 429 into SYNC_RATE_LIMITED carrying the
 * Retry-After it named (issue 10: "429 and Retry-After honoured").
 */
export class PacedHttp {
  constructor(private readonly options: PacedHttpOptions) {}

  async send(method: 'GET' | 'POST' | 'PUT', url: URL, headers: Record<string, string>, body: string | undefined): Promise<Attempt<HttpAnswer>> {
    const wait = this.options.bucket.reserve();
    if (wait > 0) await this.options.sleep(wait);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { method, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (error) {
      return failed('SYNC_UNREACHABLE', `${url.host} could not be reached: ${describe(error)}.`, true);
    }
    try {
      text = await response.text();
    } catch (error) {
      return failed('SYNC_BAD_RESPONSE', `${url.host} broke off its answer (HTTP ${response.status}): ${describe(error)}.`, true);
    }
    if (response.status === 429) {
      this.options.bucket.drain();
      const after = retryAfterMs(response.headers.get('retry-after'), this.options.clock()) ?? 1000;
      return failed('SYNC_RATE_LIMITED', `${url.host} answered 429; retrying after ${after} ms.`, true, after);
    }
    return succeeded({ status: response.status, headers: response.headers, text });
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

/** Parses a JSON answer; an HTML error page or a truncated body is a clear, retryable failure. */
export function parseJsonAnswer(answer: HttpAnswer, host: string): Attempt<Record<string, unknown>> {
  const type = answer.headers.get('content-type') ?? '';
  if (/html/i.test(type) || /^\s*</.test(answer.text)) {
    return failed('SYNC_BAD_RESPONSE', `${host} answered an HTML page (HTTP ${answer.status}) instead of JSON.`, true);
  }
  try {
    const parsed: unknown = JSON.parse(answer.text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return succeeded(parsed as Record<string, unknown>);
  } catch {
    // reported below
  }
  return failed('SYNC_BAD_RESPONSE', `${host} answered HTTP ${answer.status} with a body that is not a JSON object (${answer.text.length} bytes, truncated or wrong).`, true);
}
