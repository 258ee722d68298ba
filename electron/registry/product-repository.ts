import type { AuthScheme, DeviceProtocol, Product } from '../../shared/contract/products';
import type { NamingRule } from '../../shared/model/identifiers';
import type { ThingModel } from '../../shared/model/thing-model';
import type { Db } from './database';

interface ProductRow {
  product_key: string;
  name: string;
  description: string;
  auth_scheme: AuthScheme;
  protocols: string;
  naming_rule: string;
  thing_model: string | null;
  destination: string;
  origin: Product['origin'];
  revision: number;
  created_at: number;
  updated_at: number;
}

const COLUMNS = 'product_key, name, description, auth_scheme, protocols, naming_rule, thing_model, destination, origin, revision, created_at, updated_at';

/** SQL for the `products` table; no transactions, no outbox (the Registry does those). */
export class ProductRepository {
  // Parsed models are cached per row revision: the hub validates every message against them.
  private readonly cache = new Map<string, Product>();
  private readonly byKey;

  constructor(private readonly db: Db) {
    this.byKey = db.prepare<[string], ProductRow>(`SELECT ${COLUMNS} FROM products WHERE product_key = ?`);
  }

  private toProduct(row: ProductRow): Product {
    const cached = this.cache.get(row.product_key);
    if (cached && cached.revision === row.revision) return cached;
    const product: Product = {
      productKey: row.product_key,
      name: row.name,
      description: row.description,
      dataFormat: 'json',
      authScheme: row.auth_scheme,
      dynamicActivation: row.auth_scheme === 'product-secret',
      protocols: JSON.parse(row.protocols) as DeviceProtocol[],
      namingRule: JSON.parse(row.naming_rule) as NamingRule,
      thingModel: row.thing_model === null ? null : (JSON.parse(row.thing_model) as ThingModel),
      destination: row.destination,
      origin: row.origin,
      revision: row.revision,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
    this.cache.set(row.product_key, product);
    return product;
  }

  get(productKey: string): Product | undefined {
    const row = this.byKey.get(productKey);
    return row ? this.toProduct(row) : undefined;
  }

  list(query?: string): Product[] {
    const rows = query
      ? this.db
          .prepare<[string, string], ProductRow>(`SELECT ${COLUMNS} FROM products WHERE instr(lower(product_key), ?) > 0 OR instr(lower(name), ?) > 0 ORDER BY name, product_key`)
          .all(query.toLowerCase(), query.toLowerCase())
      : this.db.prepare<[], ProductRow>(`SELECT ${COLUMNS} FROM products ORDER BY name, product_key`).all();
    return rows.map((row) => this.toProduct(row));
  }

  exists(productKey: string): boolean {
    return this.byKey.get(productKey) !== undefined;
  }

  upsert(product: Product): void {
    this.db
      .prepare(
        `INSERT INTO products (${COLUMNS}) VALUES (@productKey, @name, @description, @authScheme, @protocols, @namingRule, @thingModel, @destination, @origin, @revision, @createdAt, @updatedAt)
         ON CONFLICT (product_key) DO UPDATE SET name = excluded.name, description = excluded.description, auth_scheme = excluded.auth_scheme,
           protocols = excluded.protocols, naming_rule = excluded.naming_rule, thing_model = excluded.thing_model, destination = excluded.destination,
           origin = excluded.origin, revision = excluded.revision, updated_at = excluded.updated_at`,
      )
      .run({
        ...product,
        protocols: JSON.stringify(product.protocols),
        namingRule: JSON.stringify(product.namingRule),
        thingModel: product.thingModel === null ? null : JSON.stringify(product.thingModel),
      });
    this.cache.delete(product.productKey);
  }

  delete(productKey: string): void {
    this.db.prepare('DELETE FROM products WHERE product_key = ?').run(productKey);
    this.cache.delete(productKey);
  }

  deviceCount(productKey: string): number {
    return this.db.prepare<[string], number>('SELECT count(*) FROM devices WHERE product_key = ?').pluck().get(productKey) ?? 0;
  }
}
