import { createHash } from 'node:crypto';
import { err, ok, type Result } from '../../shared/result';
import type { EventBus } from '../core/event-bus';
import type { Logger } from '../core/logger';
import type { Vault } from '../pki/vault';
import { isDiskFull } from '../registry/database';
import { deviceSecretId, isThisHub, type Registry } from '../registry/registry';
import { BurstQueue } from './burst-queue';
import {
  newDeviceSecret,
  type DeviceCredentials,
  type DeviceRef,
  type Directory,
  type DirectoryChange,
  type DirectoryDevice,
  type DirectoryProduct,
  type RegisteredSubDevice,
  type SubDeviceRegistration,
} from './directory';

/** How many first-login state changes are written per tick, in one transaction (off the connect path). */
const ACTIVATIONS_PER_TICK = 200;

/** The EnOS assetId shape (8 characters), stable per device. */
function assetIdOf(productKey: string, deviceKey: string): string {
  return createHash('sha256').update(`${productKey}/${deviceKey}`).digest('base64url').slice(0, 8);
}

const void_ = <T>(result: Result<T>): Result<void> => (result.ok ? ok(undefined) : result);

/** A registry write on a full disk is an expected failure: STORAGE_FULL (SQLite rolled it back). */
function storageSafe<T>(write: () => Result<T>): Result<T> {
  try {
    return write();
  } catch (error) {
    if (!isDiskFull(error)) throw error;
    return err('STORAGE_FULL');
  }
}

/**
 * A device as the login check sees it. `hasSecret` (a vault lookup) and `assetId` (a hash) are
 * worked out only when asked: a secure-mode-2 login needs neither.
 */
class RegistryDevice implements DirectoryDevice {
  constructor(
    readonly productKey: string,
    readonly deviceKey: string,
    readonly state: DirectoryDevice['state'],
    private readonly vault: () => Result<Vault>,
  ) {}

  get hasSecret(): boolean {
    const vault = this.vault();
    return vault.ok && vault.value.has(deviceSecretId(this.productKey, this.deviceKey));
  }

  get assetId(): string {
    return assetIdOf(this.productKey, this.deviceKey);
  }
}

/**
 * The hub's directory over the registry (issue 4). Lookups go to SQLite only on login and for
 * the rarer methods (attributes, tags, topology); the first-login move to `active` (of devices
 * whose destination is this hub) is queued and written in batches once a login burst is over
 * (at the latest 10 s after it began), so a connect storm never waits on registry writes.
 */
export class RegistryDirectory implements Directory {
  /** First logins whose move to `active` waits for the login burst to end. */
  private readonly firstLogins = new BurstQueue<DeviceRef>((batch) => this.writeFirstLogins(batch), ACTIVATIONS_PER_TICK);
  /**
   * One object per product until it changes: every session of a product shares it, so its thing
   * model is parsed and compiled once (not per login) and idle sessions stay small.
   */
  private readonly products = new Map<string, DirectoryProduct | null>();

  /** Set while this directory writes (activation): the hub needs no change events for its own writes. */
  private writing = false;

  constructor(
    private readonly registry: Registry,
    private readonly events: EventBus,
    private readonly vault: () => Result<Vault>,
    private readonly logger: Logger,
  ) {
    events.subscribe((channel, payload) => {
      if (channel === 'products.changed') this.products.delete((payload as { productKey: string }).productKey);
    });
  }

  product(productKey: string): DirectoryProduct | null {
    const cached = this.products.get(productKey);
    if (cached !== undefined) return cached;
    const product = this.registry.getProduct(productKey);
    const found = product ? { productKey, authScheme: product.authScheme, dynamicActivation: product.dynamicActivation, thingModel: product.thingModel } : null;
    // Unknown keys are not cached: a flood of guessed productKeys must not grow the map.
    if (found) this.products.set(productKey, found);
    return found;
  }

  device(productKey: string, deviceKey: string): DirectoryDevice | null {
    const state = this.registry.getDeviceState(productKey, deviceKey);
    return state ? new RegistryDevice(productKey, deviceKey, state, this.vault) : null;
  }

  resolve(ref: string): Result<DeviceRef> {
    const found = this.registry.resolveDevice(ref);
    return found.ok ? ok({ productKey: found.value.productKey, deviceKey: found.value.deviceKey }) : found;
  }

  /** Straight from the vault: the login check has just read the device itself. */
  deviceSecret(productKey: string, deviceKey: string): string | null {
    const vault = this.vault();
    return vault.ok ? (vault.value.get(deviceSecretId(productKey, deviceKey)) ?? null) : null;
  }

  /** One registry query and one vault pass (each bundle opened once), instead of two reads per first login. */
  deviceCredentials(limit: number): DeviceCredentials[] {
    const vault = this.vault();
    if (!vault.ok) return [];
    const secrets = vault.value.secretsOf('device-secret');
    const credentials: DeviceCredentials[] = [];
    for (const { productKey, deviceKey, state } of this.registry.deviceStates(limit)) {
      const deviceSecret = secrets.get(deviceSecretId(productKey, deviceKey));
      const product = deviceSecret === undefined ? null : this.product(productKey);
      if (deviceSecret !== undefined && product) credentials.push({ device: new RegistryDevice(productKey, deviceKey, state, this.vault), product, deviceSecret });
    }
    return credentials;
  }

  productSecret(productKey: string): string | null {
    const secret = this.registry.productSecret(productKey);
    return secret.ok ? secret.value : null;
  }

  activate(device: DeviceRef): Result<{ deviceSecret: string }> {
    if (this.registry.deviceSecret(device.productKey, device.deviceKey).ok) return err('CONFLICT', 'The device is already activated.');
    const deviceSecret = newDeviceSecret();
    const activated = this.ownWrite(() => storageSafe(() => this.registry.activateDevice(device.productKey, device.deviceKey, deviceSecret)));
    return activated.ok ? ok({ deviceSecret }) : activated;
  }

  markActive(device: DeviceRef): void {
    this.firstLogins.put(`${device.productKey}/${device.deviceKey}`, device);
  }

  /** One commit per batch: a connect storm of new devices costs a few fsyncs, not one per device. False on a full disk. */
  private writeFirstLogins(batch: DeviceRef[]): boolean {
    const written = this.ownWrite(() =>
      storageSafe(() =>
        this.registry.transaction(() => {
          for (const device of batch) {
            const current = this.registry.getDevice(device.productKey, device.deviceKey);
            // Architecture §5: `active` is the first login seen AT ITS DESTINATION; a station hub
            // verifying a device bound for EnOS or another hub leaves it planned/provisioned.
            if (current && isThisHub(current.destination) && (current.state === 'planned' || current.state === 'provisioned')) this.registry.setDeviceState(device.productKey, device.deviceKey, 'active');
          }
          return ok(undefined);
        }),
      ),
    );
    if (!written.ok) this.logger.warn('first logins not yet recorded: the disk is full; they are tried again', { devices: batch.length });
    return written.ok;
  }

  /** Writes the queued first logins now (on a full disk they are tried again later). */
  flush(): void {
    this.firstLogins.flush();
  }

  /** Writes the queued first logins and stops (the hub stops). */
  close(): void {
    this.firstLogins.close();
  }

  /** The registry emits its change events synchronously inside the write. */
  private ownWrite<T>(write: () => T): T {
    this.writing = true;
    try {
      return write();
    } finally {
      this.writing = false;
    }
  }

  attributes(device: DeviceRef): Record<string, unknown> {
    const attributes = this.registry.getAttributes(device.productKey, device.deviceKey);
    return attributes.ok ? attributes.value : {};
  }

  updateAttributes(device: DeviceRef, values: Record<string, unknown>): Result<void> {
    return void_(storageSafe(() => this.registry.updateAttributes(device.productKey, device.deviceKey, values)));
  }

  deleteAttributes(device: DeviceRef, ids: string[]): Result<void> {
    return void_(storageSafe(() => this.registry.deleteAttributes(device.productKey, device.deviceKey, ids)));
  }

  tags(device: DeviceRef): Record<string, string> {
    const tags = this.registry.getTags(device.productKey, device.deviceKey);
    return tags.ok ? tags.value : {};
  }

  updateTags(device: DeviceRef, values: Record<string, string>): Result<void> {
    return void_(storageSafe(() => this.registry.updateTags(device.productKey, device.deviceKey, values)));
  }

  deleteTags(device: DeviceRef, keys: string[]): Result<void> {
    return void_(storageSafe(() => this.registry.deleteTags(device.productKey, device.deviceKey, keys)));
  }

  reportFirmware(device: DeviceRef, version: string): void {
    const firmware = version.slice(0, 100);
    // A device reports its firmware at every login (§6.3): only a change is a registry write (a commit, an outbox row, a change event).
    if (this.registry.getDevice(device.productKey, device.deviceKey)?.firmware === firmware) return;
    // Not written on a full disk: the device reports it again at its next login.
    const written = storageSafe(() => this.registry.updateDevice({ ref: `${device.productKey}/${device.deviceKey}`, firmware }));
    if (!written.ok) this.logger.warn('firmware report not recorded', { productKey: device.productKey, deviceKey: device.deviceKey, code: written.error.code });
  }

  gatewayOf(device: DeviceRef): DeviceRef | null {
    const gateway = this.registry.gatewayOf(device.productKey, device.deviceKey);
    return gateway ? { productKey: gateway.productKey, deviceKey: gateway.deviceKey } : null;
  }

  subDevices(gateway: DeviceRef): DeviceRef[] {
    return this.registry.subDevices(gateway.productKey, gateway.deviceKey).map(({ productKey, deviceKey }) => ({ productKey, deviceKey }));
  }

  addSubDevice(gateway: DeviceRef, sub: DeviceRef): Result<void> {
    return void_(storageSafe(() => this.registry.addSubDevice(gateway.productKey, gateway.deviceKey, sub.productKey, sub.deviceKey)));
  }

  removeSubDevice(gateway: DeviceRef, sub: DeviceRef): Result<void> {
    return void_(storageSafe(() => this.registry.removeSubDevice(gateway.productKey, gateway.deviceKey, sub.productKey, sub.deviceKey)));
  }

  registerSubDevice(gateway: DeviceRef, registration: SubDeviceRegistration): Result<RegisteredSubDevice> {
    return storageSafe(() => this.createSubDevice(gateway, registration));
  }

  private createSubDevice(gateway: DeviceRef, registration: SubDeviceRegistration): Result<RegisteredSubDevice> {
    const created = this.registry.createDevice({ productKey: registration.productKey, ...(registration.deviceKey ? { deviceKey: registration.deviceKey } : {}), ...(registration.deviceName ? { name: registration.deviceName.slice(0, 200) } : {}) });
    if (!created.ok) return created;
    const { productKey, deviceKey } = created.value.device;
    if (!created.value.deviceSecret) return err('UNSUPPORTED', `Product ${productKey} gives no deviceSecret at creation; its devices activate dynamically.`);
    const linked = this.registry.addSubDevice(gateway.productKey, gateway.deviceKey, productKey, deviceKey);
    if (!linked.ok) return linked;
    return ok({ productKey, deviceKey, assetId: assetIdOf(productKey, deviceKey), deviceSecret: created.value.deviceSecret });
  }

  onChange(listener: (change: DirectoryChange) => void): () => void {
    return this.events.subscribe((channel, payload) => {
      if (this.writing) return;
      if (channel === 'products.changed') listener({ kind: 'product', productKey: (payload as { productKey: string }).productKey });
      if (channel !== 'devices.changed') return;
      const { productKey, deviceKey } = payload as { productKey: string; deviceKey?: string };
      listener(deviceKey ? { kind: 'device', device: { productKey, deviceKey } } : { kind: 'all' });
    });
  }
}
