import { failed, succeeded, type Attempt } from '../../failure';
import { parseJsonAnswer, type PacedHttp } from '../../http';
import { apimSignature, tokenEncryption } from './signing';

/** What a target needs to call EnOS; the app secret comes from the vault. */
export interface EnosCredentials {
  url: string;
  orgId: string;
  appKey: string;
  appSecret: string;
}

/** Token-service codes (protocol reference §11.1). */
const TOKEN_BAD_CREDENTIALS = new Set([1002, 1003]);
const TOKEN_DUPLICATE_ENCRYPTION = 1001;
const TOKEN_INVALID_PARAMETER = 1004;
/** API codes worth retrying (§11.2 99500 internal, §11.5 17762 tree locked). */
const RETRYABLE_CODES = new Set([99500, 17762]);

/** A non-zero `code` answer: the cloud understood the call and refused it. */
export interface CloudRefusal {
  cloudCode: number;
  msg: string;
}

export type EnosAnswer = { code: 0; data: unknown; pagination?: Record<string, unknown> } | ({ code: 'refused' } & CloudRefusal);

/**
 * The EnOS REST API through the apim gateway: an access token from the token service, refreshed
 * before it expires, and every call signed per §11.1. Answers are read tolerantly (§13 row 20:
 * the token reply's `stauts` spelling).
 */
export class EnosClient {
  private token: { value: string; obtainedAt: number; expiresAt: number } | undefined;
  /** The token request under way: concurrent calls share it instead of each asking for a token. */
  private obtaining: Promise<Attempt<string>> | undefined;

  constructor(
    private readonly credentials: EnosCredentials,
    private readonly http: PacedHttp,
    private readonly clock: () => number,
  ) {}

  get host(): string {
    return new URL(this.credentials.url).host;
  }

  /**
   * Calls `/{path}?action=…&orgId=…&…`; `code` 0 answers come back as data, other codes as a
   * refusal for the caller to interpret (11702 key exists, 17558 already in tree…), transport
   * and format trouble as failures.
   */
  async call(method: 'GET' | 'POST', path: string, query: Record<string, string>, body?: unknown): Promise<Attempt<EnosAnswer>> {
    for (let round = 0; ; round++) {
      const token = await this.accessToken();
      if (!token.ok) return token;
      const url = new URL(path.replace(/^\//, ''), this.credentials.url.endsWith('/') ? this.credentials.url : `${this.credentials.url}/`);
      for (const [name, value] of Object.entries({ ...query, orgId: this.credentials.orgId })) url.searchParams.set(name, value);
      const text = body === undefined ? undefined : JSON.stringify(body);
      const timestamp = this.clock();
      const sent = await this.http.send(method, url, {
        'apim-accesstoken': token.value,
        'apim-timestamp': String(timestamp),
        'apim-signature': apimSignature(token.value, url.searchParams, text, timestamp, this.credentials.appSecret),
      }, text);
      if (!sent.ok) return sent;
      // The gateway refuses an expired or revoked token with 401: take a new one, once.
      if (sent.value.status === 401 && round === 0) {
        // Only the token this call carried is dropped: another call may already have replaced it.
        if (this.token?.value === token.value) this.token = undefined;
        continue;
      }
      const parsed = parseJsonAnswer(sent.value, this.host);
      if (!parsed.ok) return parsed;
      return this.readAnswer(sent.value.status, parsed.value);
    }
  }

  private readAnswer(status: number, json: Record<string, unknown>): Attempt<EnosAnswer> {
    const code = json.code;
    if (typeof code !== 'number' && typeof code !== 'string') {
      return failed('SYNC_BAD_RESPONSE', `${this.host} answered HTTP ${status} without a result code.`, true);
    }
    const number = Number(code);
    const msg = typeof json.msg === 'string' ? json.msg : '';
    if (status === 401 || status === 403) return failed('SYNC_AUTH_FAILED', `${this.host} refused the signed call (HTTP ${status}, code ${number}: ${msg}).`, false);
    if (number === 0) return succeeded({ code: 0, data: json.data, pagination: json.pagination as Record<string, unknown> | undefined });
    if (RETRYABLE_CODES.has(number) || status >= 500) return failed('SYNC_REJECTED', `${this.host} answered code ${number}: ${msg}`, true);
    return succeeded({ code: 'refused', cloudCode: number, msg });
  }

  /** A valid token: the cached one, or the one a single request under way (shared by concurrent calls) brings. */
  private accessToken(): Promise<Attempt<string>> {
    const now = this.clock();
    const margin = this.token ? Math.min(300_000, (this.token.expiresAt - this.token.obtainedAt) / 10) : 0;
    if (this.token && now < this.token.expiresAt - margin) return Promise.resolve(succeeded(this.token.value));
    this.obtaining ??= this.newToken().finally(() => (this.obtaining = undefined));
    return this.obtaining;
  }

  /** A refreshed token shortly before the current one expires, or a new one. */
  private async newToken(): Promise<Attempt<string>> {
    const now = this.clock();
    if (this.token && now < this.token.expiresAt) {
      // Refreshed in the last tenth of the lifetime (at most 5 minutes) so a call never carries a token about to lapse.
      const refreshed = await this.tokenCall('refresh', this.token.value);
      if (refreshed.ok) return refreshed;
      if (refreshed.failure.code === 'SYNC_UNREACHABLE' || refreshed.failure.code === 'SYNC_RATE_LIMITED') return refreshed;
    }
    this.token = undefined;
    return this.tokenCall('get');
  }

  private async tokenCall(kind: 'get' | 'refresh', current?: string): Promise<Attempt<string>> {
    for (let round = 0; round < 2; round++) {
      const timestamp = this.clock();
      const body = { appKey: this.credentials.appKey, encryption: tokenEncryption(this.credentials.appKey, timestamp, this.credentials.appSecret), timestamp, ...(current ? { accessToken: current } : {}) };
      const url = new URL(`apim-token-service/v2.0/token/${kind}`, this.credentials.url.endsWith('/') ? this.credentials.url : `${this.credentials.url}/`);
      const sent = await this.http.send('POST', url, {}, JSON.stringify(body));
      if (!sent.ok) return sent;
      const parsed = parseJsonAnswer(sent.value, this.host);
      if (!parsed.ok) return parsed;
      const json = parsed.value;
      const status = Number(json.status ?? json.stauts);
      const data = json.data as { accessToken?: unknown; expire?: unknown } | null | undefined;
      if (status === 0) {
        if (typeof data?.accessToken !== 'string' || !data.accessToken || typeof data.expire !== 'number') {
          return failed('SYNC_BAD_RESPONSE', `${this.host} token service answered success without a token and lifetime.`, true);
        }
        this.token = { value: data.accessToken, obtainedAt: timestamp, expiresAt: timestamp + data.expire * 1000 };
        return succeeded(data.accessToken);
      }
      const msg = typeof json.msg === 'string' ? json.msg : '';
      if (status === TOKEN_DUPLICATE_ENCRYPTION) continue; // same ms as an earlier call: sign again with a fresh timestamp
      if (TOKEN_BAD_CREDENTIALS.has(status)) return failed('SYNC_AUTH_FAILED', `${this.host} token service refused the app key or secret (status ${status}).`, false);
      if (status === TOKEN_INVALID_PARAMETER && /timestamp/i.test(msg)) return failed('SYNC_CLOCK_SKEW', `${this.host} token service refused the timestamp: ${msg}. Check this computer's clock.`, false);
      return failed('SYNC_REJECTED', `${this.host} token service ${kind} answered status ${Number.isNaN(status) ? 'missing' : status}: ${msg}`, Number.isNaN(status) || status === 1005);
    }
    return failed('SYNC_REJECTED', `${this.host} token service kept answering "duplicate encryption".`, true);
  }
}
