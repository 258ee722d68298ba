import { z } from 'zod';

/**
 * The versioned sync API a station serves with `--serve-registry` (issue 10): other stations push
 * outbox rows to it and pull its products and trees. Version 1 lives under `/sync/v1`; a client
 * sends the registry token as `Authorization: Bearer <registryToken>`.
 */
export const HUB_API_PREFIX = '/sync/v1';

export const HubPushSchema = z
  .object({
    origin: z.string().min(1).max(100),
    force: z.boolean().default(false),
    item: z.object({
      entity: z.enum(['product', 'device', 'asset_tree', 'asset_node', 'placement', 'topology']),
      entityId: z.string().min(1).max(300),
      operation: z.enum(['create', 'update', 'delete']),
      revision: z.number().int(),
      idempotencyKey: z.string().min(1).max(200),
      payload: z.record(z.string(), z.unknown()),
    }),
  })
  .strict();
export type HubPush = z.infer<typeof HubPushSchema>;

/** A push answer: applied now, or the answer to an earlier push with the same idempotency key. */
export const HubPushAnswerSchema = z.object({ status: z.enum(['applied', 'duplicate']) });

/** A conflict answer (HTTP 409): another station wrote a newer revision of the entity. */
export const HubConflictSchema = z.object({ conflict: z.literal('newer_elsewhere'), current: z.object({ revision: z.number().int(), origin: z.string(), payload: z.unknown(), deleted: z.boolean() }) });

export const HubEntitySchema = z.object({ entity: z.string(), entityId: z.string(), revision: z.number().int(), payload: z.record(z.string(), z.unknown()) });
export type HubEntity = z.infer<typeof HubEntitySchema>;
export const HubListSchema = z.object({ items: z.array(HubEntitySchema) });
