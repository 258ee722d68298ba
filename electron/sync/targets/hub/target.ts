import { failed, succeeded, type Attempt } from '../../failure';
import { parseJsonAnswer, type PacedHttp } from '../../http';
import type { OutboxItem } from '../../outbox';
import type { DeliveryContext, DeliveryOutcome, SyncTarget } from '../../target';
import { HUB_API_PREFIX, HubConflictSchema, HubListSchema, HubPushAnswerSchema, type HubEntity, type HubPush } from './protocol';

/**
 * A central Commissioner hub as a sync target: outbox rows are pushed to its sync API with their
 * idempotency keys (the hub answers a repeat as a duplicate), and its products and trees pulled.
 */
export class HubTarget implements SyncTarget {
  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly origin: string,
    private readonly http: PacedHttp,
  ) {}

  private endpoint(path: string): URL {
    return new URL(`${HUB_API_PREFIX}/${path}`, this.url);
  }

  /** The hub recognises a repeated push by its idempotency key. */
  needsAttemptRecord(): boolean {
    return false;
  }

  async deliver(item: OutboxItem, context: DeliveryContext): Promise<DeliveryOutcome> {
    const push: HubPush = {
      origin: this.origin,
      force: context.force,
      item: { entity: item.entity, entityId: item.entityId, operation: item.operation, revision: item.revision, idempotencyKey: item.idempotencyKey, payload: item.payload },
    };
    const url = this.endpoint('items');
    const sent = await this.http.send('POST', url, { authorization: `Bearer ${this.token}` }, JSON.stringify(push));
    if (!sent.ok) return { kind: 'failed', failure: sent.failure };
    if (sent.value.status === 401) return { kind: 'failed', failure: { code: 'SYNC_AUTH_FAILED', message: `The hub at ${url.host} refused the registry token.`, retryable: false } };
    const parsed = parseJsonAnswer(sent.value, url.host);
    if (!parsed.ok) return { kind: 'failed', failure: parsed.failure };
    if (sent.value.status === 409) {
      const conflict = HubConflictSchema.safeParse(parsed.value);
      if (conflict.success) return { kind: 'conflict', conflict: 'newer_elsewhere', local: { revision: item.revision, payload: item.payload }, cloud: conflict.data.current };
    }
    if (sent.value.status === 200 && HubPushAnswerSchema.safeParse(parsed.value).success) return { kind: 'sent' };
    if (sent.value.status >= 500 || sent.value.status === 200) return { kind: 'failed', failure: { code: 'SYNC_BAD_RESPONSE', message: `The hub at ${url.host} answered HTTP ${sent.value.status} with an unexpected body.`, retryable: true } };
    return { kind: 'failed', failure: { code: 'SYNC_REJECTED', message: `The hub at ${url.host} refused ${item.entity} ${item.entityId} (HTTP ${sent.value.status}).`, retryable: false } };
  }

  /** The hub's products and its trees with their nodes. */
  async pull(): Promise<Attempt<{ products: HubEntity[]; trees: HubEntity[] }>> {
    const products = await this.list('products');
    if (!products.ok) return products;
    const trees = await this.list('trees');
    if (!trees.ok) return trees;
    return succeeded({ products: products.value, trees: trees.value });
  }

  private async list(path: 'products' | 'trees'): Promise<Attempt<HubEntity[]>> {
    const url = this.endpoint(path);
    const sent = await this.http.send('GET', url, { authorization: `Bearer ${this.token}` }, undefined);
    if (!sent.ok) return sent;
    if (sent.value.status === 401) return failed('SYNC_AUTH_FAILED', `The hub at ${url.host} refused the registry token.`, false);
    const parsed = parseJsonAnswer(sent.value, url.host);
    if (!parsed.ok) return parsed;
    const listed = HubListSchema.safeParse(parsed.value);
    if (sent.value.status !== 200 || !listed.success) return failed('SYNC_BAD_RESPONSE', `The hub at ${url.host} answered its ${path} list with HTTP ${sent.value.status} and an unexpected body.`, true);
    return succeeded(listed.data.items);
  }
}

