import { randomInt } from 'node:crypto';
import { randomString, SECRET_LENGTH } from '../../shared/model/identifiers';
import type { ThingModel } from '../../shared/model/thing-model';
import type { Result } from '../../shared/result';

/**
 * What the hub needs to know about products and devices. The hub is written against this small
 * interface; `registry-directory.ts` implements it over the registry, `memory-directory.ts` in
 * memory. Secrets are returned only to the hub's credential check, never logged.
 */

export type DirectoryAuthScheme = 'device-secret' | 'product-secret' | 'certificate';

export interface DirectoryProduct {
  readonly productKey: string;
  readonly authScheme: DirectoryAuthScheme;
  /** EnOS dynamicActivateEnabled (protocol reference §3.7). */
  readonly dynamicActivation: boolean;
  /** Null: no model, every payload shape is accepted. */
  readonly thingModel: ThingModel | null;
  /** Devices of this product may only log in through a gateway (§3.6, 771). */
  readonly subDeviceOnly?: boolean;
}

export type DirectoryDeviceState = 'planned' | 'provisioned' | 'active' | 'disabled' | 'decommissioned';

export interface DeviceRef {
  readonly productKey: string;
  readonly deviceKey: string;
}

export interface DirectoryDevice extends DeviceRef {
  readonly state: DirectoryDeviceState;
  /** The id EnOS calls assetId; ours is stable per device. */
  readonly assetId: string;
  /** A deviceSecret exists: a mode-3 login is then a re-activation (§13 #11). */
  readonly hasSecret: boolean;
}

export interface DeviceCredentials {
  readonly device: DirectoryDevice;
  readonly product: DirectoryProduct;
  readonly deviceSecret: string;
}

export interface SubDeviceRegistration {
  readonly productKey: string;
  readonly deviceKey?: string;
  readonly deviceName: string;
}

export interface RegisteredSubDevice extends DeviceRef {
  readonly assetId: string;
  readonly deviceSecret: string;
}

/** `all`: many devices changed at once (an import): forget everything cached. */
export type DirectoryChange = { kind: 'device'; device: DeviceRef } | { kind: 'product'; productKey: string } | { kind: 'all' };

export interface Directory {
  product(productKey: string): DirectoryProduct | null;
  device(productKey: string, deviceKey: string): DirectoryDevice | null;
  /** `PK/DK`, or a bare deviceKey when it is unique (the CLI's `--device`). */
  resolve(ref: string): Result<DeviceRef>;
  deviceSecret(productKey: string, deviceKey: string): string | null;
  /** Devices that have a deviceSecret, with their product and secret (at most `limit`), read at once: the hub's login check starts with them. */
  deviceCredentials(limit: number): DeviceCredentials[];
  productSecret(productKey: string): string | null;
  /** Dynamic activation (§3.7): makes and stores a deviceSecret, marks the device activated. */
  activate(device: DeviceRef): Result<{ deviceSecret: string }>;
  /** The device logged in for the first time: planned/provisioned → active. */
  markActive(device: DeviceRef): void;
  attributes(device: DeviceRef): Record<string, unknown>;
  updateAttributes(device: DeviceRef, values: Record<string, unknown>): Result<void>;
  deleteAttributes(device: DeviceRef, ids: string[]): Result<void>;
  tags(device: DeviceRef): Record<string, string>;
  updateTags(device: DeviceRef, values: Record<string, string>): Result<void>;
  deleteTags(device: DeviceRef, keys: string[]): Result<void>;
  /** Firmware reported by `ota.device.inform` (§6.3). */
  reportFirmware(device: DeviceRef, version: string): void;
  gatewayOf(device: DeviceRef): DeviceRef | null;
  subDevices(gateway: DeviceRef): DeviceRef[];
  addSubDevice(gateway: DeviceRef, sub: DeviceRef): Result<void>;
  removeSubDevice(gateway: DeviceRef, sub: DeviceRef): Result<void>;
  /** `thing.device.register` (§6.1): creates a sub-device under the gateway. */
  registerSubDevice(gateway: DeviceRef, registration: SubDeviceRegistration): Result<RegisteredSubDevice>;
  /** Changes made elsewhere (the registry's screens and CLI): the hub drops cached credentials. */
  onChange(listener: (change: DirectoryChange) => void): () => void;
}

export function deviceId(device: DeviceRef): string {
  return `${device.productKey}/${device.deviceKey}`;
}

/** A deviceSecret as EnOS makes them: 20 characters `[A-Za-z0-9]` (protocol reference, notation). */
export function newDeviceSecret(): string {
  return randomString(SECRET_LENGTH, randomInt);
}
