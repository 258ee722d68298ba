import { err, ok, type Result } from '../result';

/**
 * Identifier shapes of the protocol reference (header notes): productKey 8 chars, a generated
 * deviceKey 10 chars, deviceSecret 20 chars; a chosen deviceKey uses `[A-Za-z0-9_-]` and fits the
 * C SDK's 64-byte buffer.
 */
export const PRODUCT_KEY_LENGTH = 8;
export const GENERATED_DEVICE_KEY_LENGTH = 10;
export const SECRET_LENGTH = 20;
/** A secret a device brings from another system: what the C SDK's 64-byte buffer and a signature string hold. */
export const IMPORTED_SECRET_PATTERN = /^[\x21-\x7e]{1,64}$/;
export const DEVICE_KEY_MAX = 64;
export const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const DEVICE_KEY_PATTERN = /^[A-Za-z0-9_-]+$/;
const PRODUCT_KEY_PATTERN = /^[A-Za-z0-9_-]{1,20}$/;

/** Picks `length` characters of `alphabet` with `randomIndex(n)` ∈ [0, n) (a CSPRNG on the node side). */
export function randomString(length: number, randomIndex: (n: number) => number, alphabet = ALPHANUMERIC): string {
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[randomIndex(alphabet.length)];
  return text;
}

export function checkDeviceKey(deviceKey: string): Result<string> {
  if (deviceKey.length === 0 || deviceKey.length > DEVICE_KEY_MAX || !DEVICE_KEY_PATTERN.test(deviceKey)) {
    return err('INVALID_IDENTIFIER', `deviceKey "${deviceKey.slice(0, 80)}" must be 1–${DEVICE_KEY_MAX} characters of A-Z a-z 0-9 _ -.`);
  }
  return ok(deviceKey);
}

/** productKeys pulled from EnOS are taken as they are, within the C SDK's 20-byte buffer. */
export function checkProductKey(productKey: string): Result<string> {
  if (!PRODUCT_KEY_PATTERN.test(productKey)) return err('INVALID_IDENTIFIER', `productKey "${productKey.slice(0, 80)}" must be 1–20 characters of A-Z a-z 0-9 _ -.`);
  return ok(productKey);
}

/**
 * How a product names its devices: a prefix plus the serial number, the MAC (hex digits only) or
 * ten random characters (the shape of a deviceKey EnOS generates).
 */
export interface NamingRule {
  prefix: string;
  source: 'serial' | 'mac' | 'random';
}

export const DEFAULT_NAMING_RULE: NamingRule = { prefix: '', source: 'random' };

export interface DeviceIdentity {
  serial?: string | null;
  mac?: string | null;
}

export function deriveDeviceKey(rule: NamingRule, device: DeviceIdentity, randomIndex: (n: number) => number): Result<string> {
  if (rule.source === 'random') return checkDeviceKey(rule.prefix + randomString(GENERATED_DEVICE_KEY_LENGTH, randomIndex));
  const value = rule.source === 'serial' ? device.serial : device.mac?.replace(/[^0-9A-Fa-f]/g, '').toUpperCase();
  if (!value) return err('VALIDATION_FAILED', `The naming rule builds the deviceKey from the ${rule.source}; give the device a ${rule.source} or a --device-key.`);
  return checkDeviceKey(rule.prefix + value);
}

/** `prefix+serial`, `prefix+mac`, `prefix+random` (the CLI's and CSV's spelling of a rule). */
export function parseNamingRule(text: string): Result<NamingRule> {
  const match = /^([A-Za-z0-9_-]*)\+(serial|mac|random)$/.exec(text) ?? /^()(serial|mac|random)$/.exec(text);
  if (!match) return err('VALIDATION_FAILED', `Naming rule "${text.slice(0, 80)}" must look like PREFIX+serial, PREFIX+mac or PREFIX+random.`);
  return ok({ prefix: match[1] ?? '', source: match[2] as NamingRule['source'] });
}

export function formatNamingRule(rule: NamingRule): string {
  return rule.prefix ? `${rule.prefix}+${rule.source}` : rule.source;
}

/** A device reference `PK/DK`, or a bare deviceKey. */
export function parseDeviceRef(ref: string): { productKey?: string; deviceKey: string } {
  const slash = ref.indexOf('/');
  return slash < 0 ? { deviceKey: ref } : { productKey: ref.slice(0, slash), deviceKey: ref.slice(slash + 1) };
}
