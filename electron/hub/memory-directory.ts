import { randomBytes } from 'node:crypto';
import { err, ok, type Result } from '../../shared/result';
import {
  deviceId,
  newDeviceSecret,
  type DeviceCredentials,
  type DeviceRef,
  type Directory,
  type DirectoryChange,
  type DirectoryDevice,
  type DirectoryDeviceState,
  type DirectoryProduct,
  type RegisteredSubDevice,
  type SubDeviceRegistration,
} from './directory';

interface MemoryDevice {
  productKey: string;
  deviceKey: string;
  state: DirectoryDeviceState;
  assetId: string;
  secret: string | null;
  attributes: Record<string, unknown>;
  tags: Record<string, string>;
  firmware: string | null;
  gateway: string | null;
}

export interface MemoryProductInput extends DirectoryProduct {
  productSecret?: string;
}

export interface MemoryDeviceInput extends DeviceRef {
  state?: DirectoryDeviceState;
  deviceSecret?: string | null;
}

/**
 * A directory held in memory: for hub tests that need no registry, and for a hub fed from a
 * seed file. Same behaviour as the registry-backed one, nothing persisted.
 */
export class MemoryDirectory implements Directory {
  private readonly products = new Map<string, MemoryProductInput>();
  private readonly devices = new Map<string, MemoryDevice>();
  private readonly listeners = new Set<(change: DirectoryChange) => void>();
  private nextAsset = 1;

  addProduct(product: MemoryProductInput): void {
    this.products.set(product.productKey, product);
    this.changed({ kind: 'product', productKey: product.productKey });
  }

  addDevice(input: MemoryDeviceInput): void {
    this.devices.set(deviceId(input), {
      productKey: input.productKey,
      deviceKey: input.deviceKey,
      state: input.state ?? 'provisioned',
      assetId: `asset${String(this.nextAsset++).padStart(4, '0')}`,
      secret: input.deviceSecret ?? null,
      attributes: {},
      tags: {},
      firmware: null,
      gateway: null,
    });
    this.changed({ kind: 'device', device: input });
  }

  setState(device: DeviceRef, state: DirectoryDeviceState): void {
    const found = this.devices.get(deviceId(device));
    if (found) found.state = state;
    this.changed({ kind: 'device', device });
  }

  firmware(device: DeviceRef): string | null {
    return this.devices.get(deviceId(device))?.firmware ?? null;
  }

  private changed(change: DirectoryChange): void {
    for (const listener of this.listeners) listener(change);
  }

  private find(device: DeviceRef): MemoryDevice | undefined {
    return this.devices.get(deviceId(device));
  }

  product(productKey: string): DirectoryProduct | null {
    return this.products.get(productKey) ?? null;
  }

  device(productKey: string, deviceKey: string): DirectoryDevice | null {
    const found = this.devices.get(`${productKey}/${deviceKey}`);
    return found ? { productKey, deviceKey, state: found.state, assetId: found.assetId, hasSecret: found.secret !== null } : null;
  }

  resolve(ref: string): Result<DeviceRef> {
    const slash = ref.indexOf('/');
    const matches = [...this.devices.values()].filter((device) => (slash < 0 ? device.deviceKey === ref : deviceId(device) === ref));
    if (matches.length === 0) return err('NOT_FOUND', `No device ${ref}.`);
    if (matches.length > 1) return err('CONFLICT', `deviceKey "${ref}" exists in several products; address it as PK/DK.`);
    return ok({ productKey: matches[0]!.productKey, deviceKey: matches[0]!.deviceKey });
  }

  deviceSecret(productKey: string, deviceKey: string): string | null {
    return this.devices.get(`${productKey}/${deviceKey}`)?.secret ?? null;
  }

  deviceCredentials(limit: number): DeviceCredentials[] {
    const credentials: DeviceCredentials[] = [];
    for (const found of this.devices.values()) {
      const device = this.device(found.productKey, found.deviceKey);
      const product = this.product(found.productKey);
      if (credentials.length < limit && found.secret !== null && device && product) credentials.push({ device, product, deviceSecret: found.secret });
    }
    return credentials;
  }

  productSecret(productKey: string): string | null {
    return this.products.get(productKey)?.productSecret ?? null;
  }

  activate(device: DeviceRef): Result<{ deviceSecret: string }> {
    const found = this.find(device);
    if (!found) return err('NOT_FOUND');
    if (found.secret !== null) return err('CONFLICT', 'The device is already activated.');
    found.secret = newDeviceSecret();
    found.state = 'active';
    return ok({ deviceSecret: found.secret });
  }

  markActive(device: DeviceRef): void {
    const found = this.find(device);
    if (found && (found.state === 'planned' || found.state === 'provisioned')) found.state = 'active';
  }

  attributes(device: DeviceRef): Record<string, unknown> {
    return { ...this.find(device)?.attributes };
  }

  updateAttributes(device: DeviceRef, values: Record<string, unknown>): Result<void> {
    const found = this.find(device);
    if (!found) return err('NOT_FOUND');
    Object.assign(found.attributes, values);
    return ok(undefined);
  }

  deleteAttributes(device: DeviceRef, ids: string[]): Result<void> {
    const found = this.find(device);
    if (!found) return err('NOT_FOUND');
    for (const id of ids) delete found.attributes[id];
    return ok(undefined);
  }

  tags(device: DeviceRef): Record<string, string> {
    return { ...this.find(device)?.tags };
  }

  updateTags(device: DeviceRef, values: Record<string, string>): Result<void> {
    const found = this.find(device);
    if (!found) return err('NOT_FOUND');
    Object.assign(found.tags, values);
    return ok(undefined);
  }

  deleteTags(device: DeviceRef, keys: string[]): Result<void> {
    const found = this.find(device);
    if (!found) return err('NOT_FOUND');
    for (const key of keys) delete found.tags[key];
    return ok(undefined);
  }

  reportFirmware(device: DeviceRef, version: string): void {
    const found = this.find(device);
    if (found) found.firmware = version;
  }

  gatewayOf(device: DeviceRef): DeviceRef | null {
    const gateway = this.find(device)?.gateway;
    return gateway ? this.refOf(gateway) : null;
  }

  private refOf(id: string): DeviceRef {
    const found = this.devices.get(id)!;
    return { productKey: found.productKey, deviceKey: found.deviceKey };
  }

  subDevices(gateway: DeviceRef): DeviceRef[] {
    const id = deviceId(gateway);
    return [...this.devices.values()].filter((device) => device.gateway === id).map(({ productKey, deviceKey }) => ({ productKey, deviceKey }));
  }

  addSubDevice(gateway: DeviceRef, sub: DeviceRef): Result<void> {
    const found = this.find(sub);
    if (!found || !this.find(gateway)) return err('NOT_FOUND', 'The sub-device does not exist.');
    if (deviceId(sub) === deviceId(gateway)) return err('CONFLICT', 'A device cannot be its own sub-device.');
    if (this.subDevices(sub).length > 0) return err('CONFLICT', 'The sub-device is itself a gateway.');
    if (found.gateway !== null && found.gateway !== deviceId(gateway)) return err('CONFLICT', 'The sub-device is under another gateway.');
    found.gateway = deviceId(gateway);
    return ok(undefined);
  }

  removeSubDevice(gateway: DeviceRef, sub: DeviceRef): Result<void> {
    const found = this.find(sub);
    if (!found || found.gateway !== deviceId(gateway)) return err('NOT_FOUND', 'The device is not a sub-device of this gateway.');
    found.gateway = null;
    return ok(undefined);
  }

  registerSubDevice(gateway: DeviceRef, registration: SubDeviceRegistration): Result<RegisteredSubDevice> {
    if (!this.products.has(registration.productKey)) return err('NOT_FOUND', 'The product does not exist.');
    const deviceKey = registration.deviceKey ?? randomBytes(5).toString('hex');
    const ref = { productKey: registration.productKey, deviceKey };
    if (this.find(ref)) return err('ALREADY_EXISTS', 'A device with this key exists.');
    const deviceSecret = newDeviceSecret();
    this.addDevice({ ...ref, deviceSecret, state: 'provisioned' });
    this.find(ref)!.gateway = deviceId(gateway);
    return ok({ ...ref, assetId: this.find(ref)!.assetId, deviceSecret });
  }

  onChange(listener: (change: DirectoryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
