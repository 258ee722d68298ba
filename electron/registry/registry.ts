import { randomInt } from 'node:crypto';
import type { CsvIssue, Device, DeviceCreate, DeviceImportResult, DeviceListQuery, DevicePage, DeviceState, DeviceUpdate } from '../../shared/contract/devices';
import type { AuthScheme, DeviceProtocol, Product, ProductCreate, ProductUpdate } from '../../shared/contract/products';
import {
  DEFAULT_NAMING_RULE,
  PRODUCT_KEY_LENGTH,
  SECRET_LENGTH,
  checkDeviceKey,
  checkProductKey,
  deriveDeviceKey,
  parseDeviceRef,
  randomString,
  type NamingRule,
} from '../../shared/model/identifiers';
import { formatCsvIssue, formatDeviceCsv, parseDeviceCsv, type CsvDeviceRow } from '../../shared/model/device-csv';
import { validateAttributes, type ThingModel, type Violation } from '../../shared/model/thing-model';
import { parseThingModel } from '../../shared/model/thing-model-json';
import { err, ok, type Result } from '../../shared/result';
import type { ServiceContext } from '../core/module';
import type { Vault } from '../pki/vault';
import { DeviceImportWriter, type NewDeviceFields, type PlannedStart } from './device-import';
import { DeviceRepository, isValidCursor, publicDevice, type StoredDevice } from './device-repository';
import { Outbox, type Change } from './outbox';
import { ProductRepository } from './product-repository';

export type RegistryContext = Pick<ServiceContext, 'db' | 'vault' | 'clock' | 'events' | 'stationId'>;

/** Vault ids of the registry's secrets. */
export const productSecretId = (productKey: string) => `product:${productKey}:secret`;
export const deviceSecretId = (productKey: string, deviceKey: string) => `device:${productKey}/${deviceKey}:secret`;

export const deviceRef = (device: { productKey: string; deviceKey: string }) => `${device.productKey}/${device.deviceKey}`;
/** A destination (architecture §5) is `local`, this Commissioner's own hub, or a sync target's name (EnOS or another hub). */
export const isThisHub = (destination: string) => destination === 'local';

/** Tag keys per protocol reference §9; values are strings. */
const TAG_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

const csprngIndex = (n: number) => randomInt(n);
const newSecret = () => randomString(SECRET_LENGTH, csprngIndex);

/** Lists at most `limit` violations in one message, each with its JSON path. */
export function violationText(violations: readonly Violation[], limit = 20): string {
  const shown = violations.slice(0, limit).map((violation) => `${violation.path}: ${violation.message}`);
  if (violations.length > limit) shown.push(`… and ${violations.length - limit} more`);
  return shown.join('; ');
}

/** Input of `importProduct`: a product pulled from EnOS (origin 'enos', its own productKey). */
export interface EnosProductImport {
  productKey: string;
  name: string;
  description?: string;
  authScheme: AuthScheme;
  productSecret: string;
  /** The thing model in the EnOS JSON shape, or null when the product has none. */
  thingModel: unknown;
  protocols?: DeviceProtocol[];
  namingRule?: NamingRule;
  destination: string;
}

/**
 * The local registry (issue 4): products, devices, their secrets (in the vault), attributes,
 * tags and gateway topology. Every change runs in one transaction together with its outbox row,
 * so nothing is lost between the registry and the sync. Other modules (hub, pki, provisioning,
 * sync) receive this object.
 */
export class Registry {
  readonly products: ProductRepository;
  readonly devices: DeviceRepository;
  readonly outbox: Outbox;
  private readonly importWriter: DeviceImportWriter;

  constructor(private readonly context: RegistryContext) {
    this.products = new ProductRepository(context.db);
    this.devices = new DeviceRepository(context.db);
    this.outbox = new Outbox(context.db, context.stationId, context.clock);
    this.importWriter = new DeviceImportWriter(context.db, context.stationId);
  }

  /** Runs `body` in one transaction; a failed Result rolls it back. */
  transaction<T>(body: () => Result<T>): Result<T> {
    const rollback = Symbol('rollback');
    let failure: Result<T> | undefined;
    try {
      return this.context.db.transaction(() => {
        const result = body();
        if (!result.ok) {
          failure = result;
          throw rollback;
        }
        return result;
      })();
    } catch (error) {
      if (error === rollback && failure) return failure;
      throw error;
    }
  }

  private vault(): Result<Vault> {
    return this.context.vault();
  }

  // ── products ────────────────────────────────────────────────────────────

  getProduct(productKey: string): Product | undefined {
    return this.products.get(productKey);
  }

  listProducts(query?: string): Product[] {
    return this.products.list(query);
  }

  private requireProduct(productKey: string): Result<Product> {
    const product = this.products.get(productKey);
    return product ? ok(product) : err('NOT_FOUND', `No product "${productKey.slice(0, 40)}" in the registry. See \`commissioner product list\`.`);
  }

  /** Checks a model in the EnOS JSON shape; null/undefined means "no model". */
  parseModel(json: unknown): Result<ThingModel | null> {
    if (json === undefined || json === null) return ok(null);
    const parsed = parseThingModel(json);
    return parsed.ok ? ok(parsed.model) : err('THING_MODEL_INVALID', `The thing model is invalid: ${violationText(parsed.violations)}`);
  }

  private recordProduct(product: Omit<Product, 'revision'>, operation: 'create' | 'update'): Product {
    let stored: Product | undefined;
    this.outbox.record({
      entity: 'product',
      entityId: product.productKey,
      operation,
      payload: (revision) => (stored = { ...product, revision }),
    });
    this.products.upsert(stored!);
    return stored!;
  }

  /**
   * A product pulled from the cloud is stored without an outbox row: the cloud has it, so there is
   * nothing to push back (issue 10: products are pulled, never pushed). Its revision still grows.
   */
  private storePulledProduct(product: Omit<Product, 'revision'>, previous: Product | undefined): Product {
    const stored = { ...product, revision: Math.max(this.outbox.nextRevision(), (previous?.revision ?? 0) + 1) };
    this.products.upsert(stored);
    return stored;
  }

  private newProductKey(): string {
    for (;;) {
      const key = randomString(PRODUCT_KEY_LENGTH, csprngIndex);
      if (!this.products.exists(key)) return key;
    }
  }

  /** A product bound to a Commissioner hub: a generated productKey and, for product-secret, a productSecret. */
  createProduct(input: ProductCreate): Result<{ product: Product; productSecret: string | null }> {
    const model = this.parseModel(input.thingModel);
    if (!model.ok) return model;
    const needsSecret = input.authScheme === 'product-secret';
    const vault = needsSecret ? this.vault() : undefined;
    if (vault && !vault.ok) return vault;
    const now = this.context.clock();
    const productKey = this.newProductKey();
    const productSecret = needsSecret ? newSecret() : null;
    const result = this.transaction(() => {
      const product = this.recordProduct(
        {
          productKey,
          name: input.name,
          description: input.description,
          dataFormat: 'json',
          authScheme: input.authScheme,
          dynamicActivation: needsSecret,
          protocols: input.protocols,
          namingRule: input.namingRule,
          thingModel: model.value,
          destination: input.destination,
          origin: 'local',
          createdAt: now,
          updatedAt: now,
        },
        'create',
      );
      if (productSecret && vault?.ok) vault.value.put(productSecretId(productKey), productSecret, 'product-secret');
      return ok({ product, productSecret });
    });
    if (result.ok) this.context.events.emit('products.changed', { operation: 'create', productKey });
    return result;
  }

  /** A product pulled from EnOS by the sync: its productKey and productSecret come from the cloud. */
  importProduct(input: EnosProductImport): Result<Product> {
    const key = checkProductKey(input.productKey);
    if (!key.ok) return key;
    const model = this.parseModel(input.thingModel);
    if (!model.ok) return model;
    const vault = this.vault();
    if (!vault.ok) return vault;
    const existing = this.products.get(input.productKey);
    if (existing && existing.origin !== 'enos') return err('ALREADY_EXISTS', `Product ${input.productKey} exists locally and was not pulled from EnOS.`);
    const now = this.context.clock();
    const result = this.transaction(() => {
      const product = this.storePulledProduct(
        {
          productKey: input.productKey,
          name: input.name,
          description: input.description ?? '',
          dataFormat: 'json',
          authScheme: input.authScheme,
          dynamicActivation: input.authScheme === 'product-secret',
          protocols: input.protocols ?? existing?.protocols ?? ['mqtt'],
          namingRule: input.namingRule ?? existing?.namingRule ?? DEFAULT_NAMING_RULE,
          thingModel: model.value,
          destination: input.destination,
          origin: 'enos',
          createdAt: existing?.createdAt ?? now,
          updatedAt: now,
        },
        existing,
      );
      vault.value.put(productSecretId(input.productKey), input.productSecret, 'product-secret');
      return ok(product);
    });
    if (result.ok) this.context.events.emit('products.changed', { operation: existing ? 'update' : 'create', productKey: input.productKey });
    return result;
  }

  updateProduct(input: ProductUpdate): Result<Product> {
    const current = this.requireProduct(input.productKey);
    if (!current.ok) return current;
    const model = input.thingModel === undefined ? ok(current.value.thingModel) : this.parseModel(input.thingModel);
    if (!model.ok) return model;
    const { revision: _revision, ...rest } = current.value;
    const result = this.transaction(() =>
      ok(
        this.recordProduct(
          {
            ...rest,
            name: input.name ?? rest.name,
            description: input.description ?? rest.description,
            protocols: input.protocols ?? rest.protocols,
            namingRule: input.namingRule ?? rest.namingRule,
            destination: input.destination ?? rest.destination,
            thingModel: model.value,
            updatedAt: this.context.clock(),
          },
          'update',
        ),
      ),
    );
    if (result.ok) this.context.events.emit('products.changed', { operation: 'update', productKey: input.productKey });
    return result;
  }

  /** Refused while the product has devices; its productSecret leaves the vault with it. */
  deleteProduct(productKey: string): Result<{ productKey: string }> {
    const current = this.requireProduct(productKey);
    if (!current.ok) return current;
    const devices = this.products.deviceCount(productKey);
    if (devices > 0) return err('CONFLICT', `Product ${productKey} still has ${devices} device(s); delete them first.`);
    const vault = current.value.authScheme === 'product-secret' ? this.vault() : undefined;
    if (vault && !vault.ok) return vault;
    const result = this.transaction(() => {
      this.outbox.record({ entity: 'product', entityId: productKey, operation: 'delete', payload: (revision) => ({ productKey, revision }) });
      this.products.delete(productKey);
      if (vault?.ok) vault.value.delete(productSecretId(productKey));
      return ok({ productKey });
    });
    if (result.ok) this.context.events.emit('products.changed', { operation: 'delete', productKey });
    return result;
  }

  productSecret(productKey: string): Result<string> {
    const product = this.requireProduct(productKey);
    if (!product.ok) return product;
    const vault = this.vault();
    if (!vault.ok) return vault;
    const secret = vault.value.get(productSecretId(productKey));
    return secret ? ok(secret) : err('NOT_FOUND', `Product ${productKey} (${product.value.authScheme}) has no productSecret.`);
  }

  // ── devices ─────────────────────────────────────────────────────────────

  getDevice(productKey: string, deviceKey: string): Device | undefined {
    const device = this.devices.get(productKey, deviceKey);
    return device ? publicDevice(device) : undefined;
  }

  /** Devices with this exact serial, or this MAC written with or without the usual separators (the plan step's lookup). */
  devicesWithIdentity(serial: string, mac: string): Device[] {
    return this.devices.withIdentity(serial, mac).map(publicDevice);
  }

  /** What a login check needs of a device (the hub's connect path), without reading the whole row. */
  getDeviceState(productKey: string, deviceKey: string): DeviceState | undefined {
    return this.devices.state(productKey, deviceKey);
  }

  /** The same for every device (at most `limit`), read in one query when the hub starts. */
  deviceStates(limit: number): Array<{ productKey: string; deviceKey: string; state: DeviceState }> {
    return this.devices.states(limit);
  }

  private findDevice(ref: string): Result<StoredDevice> {
    const { productKey, deviceKey } = parseDeviceRef(ref);
    if (productKey !== undefined) {
      const device = this.devices.get(productKey, deviceKey);
      return device ? ok(device) : err('NOT_FOUND', `No device ${productKey}/${deviceKey} in the registry.`);
    }
    const matches = this.devices.withDeviceKey(deviceKey);
    if (matches.length === 0) return err('NOT_FOUND', `No device with deviceKey "${deviceKey.slice(0, 64)}" in the registry.`);
    if (matches.length > 1) return err('CONFLICT', `deviceKey "${deviceKey}" exists in several products; address it as PK/DK.`);
    return ok(matches[0]!);
  }

  /** `PK/DK`, or a bare deviceKey when it is unique in the registry (architecture §5). */
  resolveDevice(ref: string): Result<Device> {
    const found = this.findDevice(ref);
    return found.ok ? ok(publicDevice(found.value)) : found;
  }

  listDevices(query: DeviceListQuery): Result<DevicePage> {
    if (query.after !== undefined && !isValidCursor(query.after)) return err('INVALID_INPUT', 'The paging cursor is not one this registry issued; start from the first page.');
    return ok(this.devices.list(query));
  }

  /** Writes the device row at a new revision with its outbox row (inside the caller's transaction). */
  private saveDevice(device: StoredDevice | (Omit<Device, 'revision'> & { id?: number }), operation: 'create' | 'update'): StoredDevice {
    let stored: Device | undefined;
    this.outbox.record({
      entity: 'device',
      entityId: deviceRef(device),
      operation,
      dependsOn: [`product:${device.productKey}`],
      payload: (revision) => {
        const { id: _id, ...rest } = device as StoredDevice;
        stored = { ...rest, revision };
        return stored;
      },
    });
    if (operation === 'create') return { ...stored!, id: this.devices.insert(stored!) };
    const id = (device as StoredDevice).id;
    this.devices.update(id, stored!);
    return { ...stored!, id };
  }

  /** Whether devices of this scheme get a deviceSecret at creation (architecture §5). */
  static secretAtCreation(scheme: AuthScheme): boolean {
    return scheme !== 'product-secret';
  }

  createDevice(input: DeviceCreate): Result<{ device: Device; deviceSecret: string | null }> {
    const product = this.requireProduct(input.productKey);
    if (!product.ok) return product;
    const key = input.deviceKey ? checkDeviceKey(input.deviceKey) : deriveDeviceKey(product.value.namingRule, input, csprngIndex);
    if (!key.ok) return key;
    if (this.devices.get(input.productKey, key.value)) return err('ALREADY_EXISTS', `Device ${input.productKey}/${key.value} already exists.`);
    const deviceSecret = input.deviceSecret ?? (Registry.secretAtCreation(product.value.authScheme) ? newSecret() : null);
    const vault = deviceSecret ? this.vault() : undefined;
    if (vault && !vault.ok) return vault;
    const now = this.context.clock();
    const result = this.transaction(() => {
      const device = this.saveDevice(
        plannedDevice({ ...input, deviceKey: key.value }, product.value.destination, input.deviceSecret ? 'imported' : deviceSecret ? 'generated' : 'none', now),
        'create',
      );
      if (deviceSecret && vault?.ok) vault.value.put(deviceSecretId(device.productKey, device.deviceKey), deviceSecret, 'device-secret');
      return ok({ device: publicDevice(device), deviceSecret: input.deviceSecret ? null : deviceSecret });
    });
    if (result.ok) this.context.events.emit('devices.changed', { operation: 'create', productKey: input.productKey, deviceKey: key.value });
    return result;
  }

  /**
   * Imports devices from CSV text as `planned` (the factory MES list of architecture §6 step 2).
   * Every bad row is reported with its line; nothing is written unless every row is valid.
   */
  importDevices(csv: string, options: { productKey?: string; dryRun: boolean }): Result<DeviceImportResult> {
    const parsed = parseDeviceCsv(csv, options.productKey);
    const issues = [...parsed.issues];
    const rows = this.resolveCsvRows(parsed.rows, issues);
    const total = parsed.rows.length + parsed.issues.filter((issue) => issue.line > 1).length;
    if (options.dryRun) return ok({ dryRun: true, rows: total, imported: 0, issues: issues.sort((a, b) => a.line - b.line) });
    if (issues.length > 0) return err('CSV_INVALID', `Nothing was imported: ${issues.sort((a, b) => a.line - b.line).slice(0, 20).map(formatCsvIssue).join('; ')}${issues.length > 20 ? `; … ${issues.length - 20} more` : ''}`);
    const withSecrets = rows.some((row) => row.deviceSecret);
    const vault = withSecrets ? this.vault() : undefined;
    if (vault && !vault.ok) return vault;
    const now = this.context.clock();
    const destinations = new Map([...new Set(rows.map((row) => row.productKey))].map((productKey) => [productKey, this.products.get(productKey)!.destination]));
    const devices = rows.map((row) => newDeviceFields(row, destinations.get(row.productKey)!, row.deviceSecret ? 'imported' : 'none'));
    const secrets = rows.flatMap((row) => (row.deviceSecret ? [{ id: deviceSecretId(row.productKey, row.deviceKey), secret: row.deviceSecret }] : []));
    const result = this.transaction(() => {
      this.importWriter.createAll(devices, plannedStart(now), this.outbox.nextRevision());
      if (vault?.ok) vault.value.putMany(secrets, 'device-secret');
      return ok({ dryRun: false, rows: rows.length, imported: rows.length, issues: [] });
    });
    if (result.ok && rows.length > 0) {
      const productKeys = new Set(rows.map((row) => row.productKey));
      for (const productKey of productKeys) this.context.events.emit('devices.changed', { operation: 'import', productKey, count: rows.filter((row) => row.productKey === productKey).length });
    }
    return result;
  }

  /** Checks rows against the registry: known products, free keys, naming rules. */
  private resolveCsvRows(rows: CsvDeviceRow[], issues: CsvIssue[]): CsvDeviceRow[] {
    const resolved: CsvDeviceRow[] = [];
    // The file's own keys, for rows whose key the naming rule derives (built only when one does).
    let taken: Set<string> | undefined;
    const products = new Map<string, Product | undefined>();
    const existing = new Map<string, Set<string>>();
    for (const row of rows) {
      if (!products.has(row.productKey)) products.set(row.productKey, this.products.get(row.productKey));
      const product = products.get(row.productKey);
      if (!product) {
        issues.push({ line: row.line, column: 'productKey', message: `no product "${row.productKey}" in the registry` });
        continue;
      }
      let deviceKey = row.deviceKey;
      if (!deviceKey) {
        const key = deriveDeviceKey(product.namingRule, row, csprngIndex);
        if (!key.ok) {
          issues.push({ line: row.line, column: 'deviceKey', message: `empty, and ${key.error.message}` });
          continue;
        }
        deviceKey = key.value;
        taken ??= new Set(rows.filter((other) => other.deviceKey).map((other) => `${other.productKey}/${other.deviceKey}`));
        if (taken.has(`${row.productKey}/${deviceKey}`)) {
          issues.push({ line: row.line, column: 'deviceKey', message: `the naming rule gives ${deviceKey}, which another row of this file uses` });
          continue;
        }
        taken.add(`${row.productKey}/${deviceKey}`);
      }
      if (!existing.has(row.productKey)) existing.set(row.productKey, this.devices.deviceKeys(row.productKey));
      if (existing.get(row.productKey)!.has(deviceKey)) {
        issues.push({ line: row.line, column: 'deviceKey', message: `device ${row.productKey}/${deviceKey} already exists` });
        continue;
      }
      resolved.push(deviceKey === row.deviceKey ? row : { ...row, deviceKey });
    }
    return resolved;
  }

  /** The devices in the import's CSV format, without secrets. */
  exportDevices(productKey?: string): Result<{ csv: string; rows: number }> {
    if (productKey !== undefined && !this.products.exists(productKey)) return err('NOT_FOUND', `No product "${productKey.slice(0, 40)}" in the registry.`);
    const devices = this.devices.all(productKey);
    const csv = formatDeviceCsv(
      devices.map((device) => ({
        productKey: device.productKey,
        deviceKey: device.deviceKey,
        name: device.name,
        serial: device.serial ?? undefined,
        mac: device.mac ?? undefined,
        firmware: device.firmware ?? undefined,
        timezone: device.timezone,
      })),
    );
    return ok({ csv, rows: devices.length });
  }

  /** Applies `change` to the device found by `ref` in one transaction with its outbox row. */
  private changeDevice(ref: string, change: (device: StoredDevice, product: Product) => Result<StoredDevice>): Result<Device> {
    const found = this.findDevice(ref);
    if (!found.ok) return found;
    const product = this.requireProduct(found.value.productKey);
    if (!product.ok) return product;
    const result = this.transaction(() => {
      const changed = change(found.value, product.value);
      if (!changed.ok) return changed;
      return ok(publicDevice(this.saveDevice({ ...changed.value, updatedAt: this.context.clock() }, 'update')));
    });
    if (result.ok) this.context.events.emit('devices.changed', { operation: 'update', productKey: found.value.productKey, deviceKey: found.value.deviceKey });
    return result;
  }

  updateDevice(input: DeviceUpdate): Result<Device> {
    return this.changeDevice(input.ref, (device, product) => {
      const attributes = input.attributes ? this.mergeAttributes(product, device, input.attributes) : ok(device.attributes);
      if (!attributes.ok) return attributes;
      const tags = input.tags ? mergeTags(device.tags, input.tags) : ok(device.tags);
      if (!tags.ok) return tags;
      return ok({
        ...device,
        name: input.name ?? device.name,
        serial: input.serial === undefined ? device.serial : input.serial,
        mac: input.mac === undefined ? device.mac : input.mac,
        firmware: input.firmware === undefined ? device.firmware : input.firmware,
        timezone: input.timezone ?? device.timezone,
        state: input.state ?? device.state,
        attributes: attributes.value,
        tags: tags.value,
        desiredConfig: input.desiredConfig ? { ...device.desiredConfig, ...input.desiredConfig } : device.desiredConfig,
      });
    });
  }

  /** Removes the device, its secret, its topology links and placements (each with an outbox row). */
  deleteDevice(ref: string): Result<{ productKey: string; deviceKey: string }> {
    const found = this.findDevice(ref);
    if (!found.ok) return found;
    const device = found.value;
    const vault = this.vault();
    if (!vault.ok) return vault;
    const result = this.transaction(() => {
      const gatewayId = this.devices.gatewayId(device.id);
      if (gatewayId !== undefined) this.unlinkTopology(gatewayId, device.id);
      for (const subId of this.devices.subDeviceIds(device.id)) this.unlinkTopology(device.id, subId);
      for (const placement of this.placementsOf(device.id)) {
        this.outbox.record({ entity: 'placement', entityId: `${placement.treeId}:${deviceRef(device)}`, operation: 'delete', payload: (revision) => ({ ...placement, revision }) });
      }
      const key = { productKey: device.productKey, deviceKey: device.deviceKey };
      this.outbox.record({ entity: 'device', entityId: deviceRef(device), operation: 'delete', payload: (revision) => ({ ...key, revision }) });
      this.devices.delete(device.id);
      vault.value.delete(deviceSecretId(device.productKey, device.deviceKey));
      return ok(key);
    });
    if (result.ok) this.context.events.emit('devices.changed', { operation: 'delete', productKey: device.productKey, deviceKey: device.deviceKey });
    return result;
  }

  private placementsOf(deviceId: number): { treeId: string; nodeId: string; productKey: string; deviceKey: string }[] {
    return this.context.db
      .prepare<[number], { treeId: string; nodeId: string; productKey: string; deviceKey: string }>(
        `SELECT p.tree_id AS treeId, p.node_id AS nodeId, d.product_key AS productKey, d.device_key AS deviceKey
         FROM asset_placements p JOIN devices d ON d.id = p.device_id WHERE p.device_id = ?`,
      )
      .all(deviceId);
  }

  deviceSecret(productKey: string, deviceKey: string): Result<string> {
    if (!this.devices.get(productKey, deviceKey)) return err('NOT_FOUND', `No device ${productKey}/${deviceKey} in the registry.`);
    const vault = this.vault();
    if (!vault.ok) return vault;
    const secret = vault.value.get(deviceSecretId(productKey, deviceKey));
    return secret ? ok(secret) : err('NOT_FOUND', `Device ${productKey}/${deviceKey} has no deviceSecret yet (a product-secret device gets one when it activates).`);
  }

  /**
   * Dynamic activation (§3.7): stores the issued deviceSecret. The device is `active` only when
   * this hub is its destination (architecture §5); a device bound elsewhere activated here for
   * verification only and keeps its state until it is seen at its destination.
   */
  activateDevice(productKey: string, deviceKey: string, deviceSecret: string): Result<Device> {
    const vault = this.vault();
    if (!vault.ok) return vault;
    return this.changeDevice(`${productKey}/${deviceKey}`, (device) => {
      vault.value.put(deviceSecretId(productKey, deviceKey), deviceSecret, 'device-secret');
      return ok({ ...device, state: isThisHub(device.destination) ? 'active' : device.state, credentialSource: 'activation' });
    });
  }

  setDeviceState(productKey: string, deviceKey: string, state: DeviceState): Result<Device> {
    return this.changeDevice(`${productKey}/${deviceKey}`, (device) => ok({ ...device, state }));
  }

  setCertificateFingerprint(productKey: string, deviceKey: string, fingerprint: string | null): Result<Device> {
    return this.changeDevice(`${productKey}/${deviceKey}`, (device) => ok({ ...device, certFingerprint: fingerprint }));
  }

  // ── attributes and tags (§6.1 thing.attribute.*, thing.tag.*) ─────────

  private mergeAttributes(product: Product, device: Device, values: Record<string, unknown>): Result<Record<string, unknown>> {
    if (product.thingModel) {
      const violations = validateAttributes(product.thingModel, values);
      if (violations.length > 0) return err('MODEL_VIOLATION', `Attributes of ${deviceRef(device)} do not match the thing model: ${violationText(violations)}`);
    } else if (Object.keys(values).length > 0) {
      return err('MODEL_VIOLATION', `Product ${product.productKey} has no thing model, so its devices have no attributes.`);
    }
    return ok({ ...device.attributes, ...values });
  }

  /** The stored attributes; `ids` empty or absent means all (§6.1 query). */
  getAttributes(productKey: string, deviceKey: string, ids: readonly string[] = []): Result<Record<string, unknown>> {
    const device = this.devices.get(productKey, deviceKey);
    if (!device) return err('NOT_FOUND', `No device ${productKey}/${deviceKey} in the registry.`);
    return ok(pick(device.attributes, ids));
  }

  updateAttributes(productKey: string, deviceKey: string, values: Record<string, unknown>): Result<Device> {
    return this.changeDevice(`${productKey}/${deviceKey}`, (device, product) => {
      const attributes = this.mergeAttributes(product, device, values);
      return attributes.ok ? ok({ ...device, attributes: attributes.value }) : attributes;
    });
  }

  /** Removes the named attributes (§6.1: an empty list deletes none). */
  deleteAttributes(productKey: string, deviceKey: string, ids: readonly string[]): Result<Device> {
    return this.changeDevice(`${productKey}/${deviceKey}`, (device) => ok({ ...device, attributes: omit(device.attributes, ids) }));
  }

  getTags(productKey: string, deviceKey: string, keys: readonly string[] = []): Result<Record<string, string>> {
    const device = this.devices.get(productKey, deviceKey);
    if (!device) return err('NOT_FOUND', `No device ${productKey}/${deviceKey} in the registry.`);
    return ok(pick(device.tags, keys));
  }

  updateTags(productKey: string, deviceKey: string, tags: Record<string, string>): Result<Device> {
    return this.changeDevice(`${productKey}/${deviceKey}`, (device) => {
      const merged = mergeTags(device.tags, tags);
      return merged.ok ? ok({ ...device, tags: merged.value }) : merged;
    });
  }

  deleteTags(productKey: string, deviceKey: string, keys: readonly string[]): Result<Device> {
    return this.changeDevice(`${productKey}/${deviceKey}`, (device) => ok({ ...device, tags: omit(device.tags, keys) }));
  }

  // ── gateway topology (§6.4, §11.3 device-topos) ─────────────────────────

  private topologyChange(gateway: StoredDevice, sub: StoredDevice, operation: 'create' | 'delete'): Change {
    const payload = { gateway: { productKey: gateway.productKey, deviceKey: gateway.deviceKey }, subDevice: { productKey: sub.productKey, deviceKey: sub.deviceKey } };
    return {
      entity: 'topology',
      entityId: `${deviceRef(gateway)}>${deviceRef(sub)}`,
      operation,
      dependsOn: [`device:${deviceRef(gateway)}`, `device:${deviceRef(sub)}`],
      payload: (revision) => ({ ...payload, revision }),
    };
  }

  private unlinkTopology(gatewayId: number, subId: number): void {
    const gateway = this.devices.getById(gatewayId)!;
    const sub = this.devices.getById(subId)!;
    this.outbox.record(this.topologyChange(gateway, sub, 'delete'));
    this.devices.unlink(subId);
  }

  /** §6.4: a sub-device has one gateway, is not itself a gateway, and a gateway is not a sub-device. */
  addSubDevice(gatewayPk: string, gatewayDk: string, subPk: string, subDk: string): Result<{ gateway: Device; subDevice: Device }> {
    const gateway = this.devices.get(gatewayPk, gatewayDk);
    if (!gateway) return err('NOT_FOUND', `No gateway ${gatewayPk}/${gatewayDk} in the registry.`);
    const sub = this.devices.get(subPk, subDk);
    if (!sub) return err('NOT_FOUND', `No sub-device ${subPk}/${subDk} in the registry.`);
    if (gateway.id === sub.id) return err('CONFLICT', 'A device cannot be its own sub-device.');
    const current = this.devices.gatewayId(sub.id);
    if (current === gateway.id) return ok({ gateway: publicDevice(gateway), subDevice: publicDevice(sub) });
    if (current !== undefined) return err('CONFLICT', `${deviceRef(sub)} is already under another gateway; remove it there first.`);
    if (this.devices.subDeviceIds(sub.id).length > 0) return err('CONFLICT', `${deviceRef(sub)} is a gateway itself and cannot be a sub-device.`);
    if (this.devices.gatewayId(gateway.id) !== undefined) return err('CONFLICT', `${deviceRef(gateway)} is a sub-device and cannot be a gateway.`);
    const result = this.transaction(() => {
      this.outbox.record(this.topologyChange(gateway, sub, 'create'));
      this.devices.link(gateway.id, sub.id, this.context.clock());
      return ok({ gateway: publicDevice(gateway), subDevice: publicDevice(sub) });
    });
    if (result.ok) this.context.events.emit('devices.changed', { operation: 'update', productKey: gatewayPk, deviceKey: gatewayDk });
    return result;
  }

  removeSubDevice(gatewayPk: string, gatewayDk: string, subPk: string, subDk: string): Result<{ removed: boolean }> {
    const gateway = this.devices.get(gatewayPk, gatewayDk);
    const sub = this.devices.get(subPk, subDk);
    if (!gateway || !sub) return err('NOT_FOUND', `No device ${!gateway ? `${gatewayPk}/${gatewayDk}` : `${subPk}/${subDk}`} in the registry.`);
    if (this.devices.gatewayId(sub.id) !== gateway.id) return err('NOT_FOUND', `${deviceRef(sub)} is not under gateway ${deviceRef(gateway)}.`);
    const result = this.transaction(() => {
      this.unlinkTopology(gateway.id, sub.id);
      return ok({ removed: true });
    });
    if (result.ok) this.context.events.emit('devices.changed', { operation: 'update', productKey: gatewayPk, deviceKey: gatewayDk });
    return result;
  }

  subDevices(gatewayPk: string, gatewayDk: string): Device[] {
    const gateway = this.devices.get(gatewayPk, gatewayDk);
    if (!gateway) return [];
    return this.devices.subDeviceIds(gateway.id).map((id) => publicDevice(this.devices.getById(id)!));
  }

  gatewayOf(productKey: string, deviceKey: string): Device | undefined {
    const device = this.devices.get(productKey, deviceKey);
    const gatewayId = device ? this.devices.gatewayId(device.id) : undefined;
    const gateway = gatewayId === undefined ? undefined : this.devices.getById(gatewayId);
    return gateway ? publicDevice(gateway) : undefined;
  }
}

/** A new device, `planned` (architecture §5), before its first revision. */
function plannedDevice(fields: NewDeviceInput, destination: string, credentialSource: Device['credentialSource'], now: number): Omit<Device, 'revision'> {
  return { ...newDeviceFields(fields, destination, credentialSource), ...plannedStart(now) };
}

type NewDeviceInput = Pick<Device, 'productKey' | 'deviceKey'> & { name?: string; serial?: string; mac?: string; firmware?: string; timezone?: string };

/** What the caller or the CSV row gives a new device, with the defaults for what it leaves out. */
function newDeviceFields(fields: NewDeviceInput, destination: string, credentialSource: Device['credentialSource']): NewDeviceFields {
  return {
    productKey: fields.productKey,
    deviceKey: fields.deviceKey,
    name: fields.name ?? fields.deviceKey,
    serial: fields.serial ?? null,
    mac: fields.mac ?? null,
    firmware: fields.firmware ?? null,
    destination,
    credentialSource,
    timezone: fields.timezone ?? '+00:00',
  };
}

/** How every new device starts; the same for every row of an import. */
function plannedStart(now: number): PlannedStart {
  return { state: 'planned', certFingerprint: null, attributes: {}, tags: {}, desiredConfig: {}, createdAt: now, updatedAt: now };
}

function pick<T>(record: Record<string, T>, keys: readonly string[]): Record<string, T> {
  if (keys.length === 0) return { ...record };
  return Object.fromEntries(keys.filter((key) => key in record).map((key) => [key, record[key] as T]));
}

function omit<T>(record: Record<string, T>, keys: readonly string[]): Record<string, T> {
  const drop = new Set(keys);
  return Object.fromEntries(Object.entries(record).filter(([key]) => !drop.has(key)));
}

function mergeTags(current: Record<string, string>, tags: Record<string, string>): Result<Record<string, string>> {
  const bad = Object.keys(tags).find((key) => !TAG_KEY.test(key));
  if (bad !== undefined) return err('VALIDATION_FAILED', `Tag key "${bad.slice(0, 100)}" must match [A-Za-z_][A-Za-z0-9_]* (at most 100 characters, §9).`);
  return ok({ ...current, ...tags });
}
