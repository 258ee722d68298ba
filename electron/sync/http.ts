import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { failed, succeeded, type Attempt } from './failure';
import { retryAfterMs, TokenBucket } from './pacing';

export interface HttpAnswer {
  status: number;
  contentType: string;
  text: string;
}

export interface PacedHttpOptions {
  bucket: TokenBucket;
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  timeoutMs: number;
}

type Exchange = { ok: true; response: IncomingMessage; text: string } | { ok: false; phase: 'connect' | 'body'; reason: string; status?: number };

/**
 * Every HTTP call to one target goes through here: it waits for a token of the target's bucket,
 * turns transport trouble into retryable failures, and a 429 into SYNC_RATE_LIMITED carrying the
 * Retry-After it named (issue 10: "429 and Retry-After honoured"). Connections are kept alive
 * per target: at the paced rate, a new TLS handshake per call would cost more than the call.
 */
export class PacedHttp {
  private readonly agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  constructor(private readonly options: PacedHttpOptions) {}

  async send(method: 'GET' | 'POST' | 'PUT', url: URL, headers: Record<string, string>, body: string | undefined): Promise<Attempt<HttpAnswer>> {
    const wait = this.options.bucket.reserve();
    if (wait > 0) await this.options.sleep(wait);
    const exchanged = await this.exchange(method, url, body === undefined ? headers : { 'content-type': 'application/json', ...headers }, body);
    if (!exchanged.ok) {
      return exchanged.phase === 'connect'
        ? failed('SYNC_UNREACHABLE', `${url.host} could not be reached: ${exchanged.reason}.`, true)
        : failed('SYNC_BAD_RESPONSE', `${url.host} broke off its answer (HTTP ${exchanged.status}): ${exchanged.reason}.`, true);
    }
    const { response, text } = exchanged;
    if (response.statusCode === 429) {
      this.options.bucket.drain();
      const header = response.headers['retry-after'];
      const after = retryAfterMs(Array.isArray(header) ? header[0] : header, this.options.clock()) ?? 1000;
      return failed('SYNC_RATE_LIMITED', `${url.host} answered 429; retrying after ${after} ms.`, true, after);
    }
    return succeeded({ status: response.statusCode ?? 0, contentType: response.headers['content-type'] ?? '', text });
  }

  /** Idle kept-alive connections are closed; the next call opens a new one. */
  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private exchange(method: string, url: URL, headers: Record<string, string>, body: string | undefined): Promise<Exchange> {
    return new Promise((resolve) => {
      const secure = url.protocol === 'https:';
      const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
      const request = (secure ? httpsRequest : httpRequest)(url, {
        method,
        agent: secure ? this.agents.https : this.agents.http,
        headers: payload ? { ...headers, 'content-length': String(payload.length) } : headers,
        timeout: this.options.timeoutMs,
      });
      let answered = false;
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)));
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (!answered) resolve({ ok: false, phase: 'connect', reason: error.code ?? error.message });
      });
      request.on('response', (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', () => undefined); // reported by 'close' below
        response.on('close', () => {
          // A body shorter than its content-length, or a connection dropped mid-answer.
          if (!response.complete) resolve({ ok: false, phase: 'body', reason: 'the connection closed before the answer was complete', status: response.statusCode });
          else resolve({ ok: true, response, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      request.end(payload);
    });
  }
}

/** Parses a JSON answer; an HTML error page or a truncated body is a clear, retryable failure. */
export function parseJsonAnswer(answer: HttpAnswer, host: string): Attempt<Record<string, unknown>> {
  if (/html/i.test(answer.contentType) || /^\s*</.test(answer.text)) {
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
