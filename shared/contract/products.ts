import { z } from 'zod';
import type { ThingModel, Violation } from '../model/thing-model';
import { event, request } from './define';

/** Domain `products` (issue 4): products, their thing models and secrets. */

export const AuthSchemeSchema = z.enum(['device-secret', 'product-secret', 'certificate']);
export type AuthScheme = z.infer<typeof AuthSchemeSchema>;
export const DeviceProtocolSchema = z.enum(['mqtt', 'http', 'coap']);
export type DeviceProtocol = z.infer<typeof DeviceProtocolSchema>;

export const NamingRuleSchema = z.object({ prefix: z.string().regex(/^[A-Za-z0-9_-]*$/).max(40), source: z.enum(['serial', 'mac', 'random']) }).strict();

/** A stored model was checked by `parseThingModel` on its way in; the wire only needs its shape. */
export const ThingModelSchema = z.custom<ThingModel>((value) => typeof value === 'object' && value !== null && !Array.isArray(value));
export const ViolationSchema = z.object({ path: z.string(), message: z.string() }) satisfies z.ZodType<Violation>;

export const ProductSchema = z.object({
  productKey: z.string(),
  name: z.string(),
  description: z.string(),
  dataFormat: z.literal('json'),
  authScheme: AuthSchemeSchema,
  /** EnOS's dynamicActivateEnabled: true exactly for product-secret products (§3.7). */
  dynamicActivation: z.boolean(),
  protocols: z.array(DeviceProtocolSchema),
  namingRule: NamingRuleSchema,
  thingModel: ThingModelSchema.nullable(),
  /** 'local' (this hub) or the name of a sync target (another hub, EnOS). */
  destination: z.string(),
  origin: z.enum(['local', 'enos']),
  revision: z.number().int(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Product = z.infer<typeof ProductSchema>;

const productKey = z.string().min(1).max(20);
const name = z.string().trim().min(1).max(200);
const destination = z.string().min(1).max(100);

export const ProductCreateSchema = z
  .object({
    name,
    description: z.string().max(2000).default(''),
    authScheme: AuthSchemeSchema,
    protocols: z.array(DeviceProtocolSchema).min(1).default(['mqtt']),
    namingRule: NamingRuleSchema.default({ prefix: '', source: 'random' }),
    /** A model in the EnOS thing-model JSON shape (§10), checked by the registry. */
    thingModel: z.unknown().optional(),
    destination: destination.default('local'),
  })
  .strict();
export type ProductCreate = z.output<typeof ProductCreateSchema>;

export const ProductUpdateSchema = z
  .object({
    productKey,
    name: name.optional(),
    description: z.string().max(2000).optional(),
    protocols: z.array(DeviceProtocolSchema).min(1).optional(),
    namingRule: NamingRuleSchema.optional(),
    /** EnOS thing-model JSON; null removes the model. */
    thingModel: z.unknown().optional(),
    destination: destination.optional(),
  })
  .strict();
export type ProductUpdate = z.output<typeof ProductUpdateSchema>;

export const productsRequests = {
  list: request('products.list', z.object({ query: z.string().max(200).optional() }).strict(), z.array(ProductSchema)),
  get: request('products.get', z.object({ productKey }).strict(), ProductSchema),
  create: request('products.create', ProductCreateSchema, z.object({ product: ProductSchema, productSecret: z.string().nullable() })),
  update: request('products.update', ProductUpdateSchema, ProductSchema),
  delete: request('products.delete', z.object({ productKey }).strict(), z.object({ productKey: z.string() })),
  /** The productSecret from the vault; shown on request only. */
  secret: request('products.secret', z.object({ productKey }).strict(), z.object({ productKey: z.string(), productSecret: z.string() })),
  /** The product's thing model in the EnOS JSON shape (§10). */
  exportModel: request('products.exportModel', z.object({ productKey }).strict(), z.unknown()),
  /** Replaces the product's thing model from EnOS JSON. */
  importModel: request('products.importModel', z.object({ productKey, model: z.unknown() }).strict(), ProductSchema),
};

export const ProductChangeSchema = z.object({ operation: z.enum(['create', 'update', 'delete']), productKey: z.string() });

export const productsEvents = {
  changed: event('products.changed', ProductChangeSchema),
};

/** Domain `model`: checks a payload against a product's thing model (the validator the hub uses). */
export const ModelPayloadKindSchema = z.enum(['measurepoints', 'event', 'attributes', 'service-input', 'service-output']);
export type ModelPayloadKind = z.infer<typeof ModelPayloadKindSchema>;

export const modelRequests = {
  validate: request(
    'model.validate',
    z.object({ productKey, kind: ModelPayloadKindSchema, id: z.string().max(100).optional(), payload: z.unknown() }).strict(),
    z.object({ valid: z.boolean(), violations: z.array(ViolationSchema) }),
  ),
  /** Checks a thing model in the EnOS JSON shape without storing it. */
  check: request('model.check', z.object({ model: z.unknown() }).strict(), z.object({ valid: z.boolean(), violations: z.array(ViolationSchema) })),
};
