import type { Device } from '../../shared/contract/devices';
import type { DeviceIdentity } from '../../shared/contract/ports';
import type { Product } from '../../shared/contract/products';
import { err, ok, type Result } from '../../shared/result';
import type { Registry } from '../registry/registry';

export interface Planned {
  device: Device;
  /** A plan row matched (false: the naming rule made the deviceKey now, or the pool gave it). */
  matched: boolean;
  /** The device was claimed from the destination's credential pool (EnOS offline, architecture §5). */
  pooled?: boolean;
}

/**
 * For an unmatched device: a device of the destination's credential pool bound to it when the
 * destination is offline, null when it is online (the naming rule names the device then).
 */
export type OfflineClaim = (identity: DeviceIdentity) => Promise<Result<Device | null>>;

const sameMac = (a: string | null, b: string) => a !== null && a.replace(/[^0-9a-f]/gi, '').toLowerCase() === b.replace(/[^0-9a-f]/gi, '').toLowerCase();

/** Registry devices whose serial or MAC is exactly the device's (the index narrows, this decides). */
function devicesWith(registry: Registry, identity: DeviceIdentity): Device[] {
  return registry.devicesWithIdentity(identity.serial, identity.mac).filter((device) => device.serial === identity.serial || sameMac(device.mac, identity.mac));
}

/**
 * The plan step (architecture §6 step 2): a planned row (the MES CSV import) matched by serial or
 * MAC, or a deviceKey from the product's naming rule, reserved uniquely in the registry. A device
 * whose serial and MAC point at different rows lies about its identity; a row of another product
 * is refused; an unmatched device is held when the station is configured so. With `offlineClaim`
 * (an EnOS destination), an unmatched device takes a pool device while EnOS is unreachable
 * (architecture §5: "a pool device keeps its EnOS deviceKey and the plan binds serial/MAC to it").
 */
export async function planDevice(
  registry: Registry,
  product: Product,
  identity: DeviceIdentity,
  unmatched: 'naming-rule' | 'hold',
  resumeKey: string | null,
  offlineClaim?: OfflineClaim,
): Promise<Result<Planned>> {
  if (resumeKey) {
    const device = registry.getDevice(product.productKey, resumeKey);
    if (device && device.serial === identity.serial) return ok({ device, matched: true });
  }
  const candidates = devicesWith(registry, identity);
  const bySerial = candidates.filter((device) => device.serial === identity.serial);
  const byMac = candidates.filter((device) => sameMac(device.mac, identity.mac));
  const mine = candidates.filter((device) => device.productKey === product.productKey);
  if (bySerial.length > 1 || byMac.length > 1) return err('PROVISION_DUPLICATE_SERIAL', `Serial ${identity.serial} / MAC ${identity.mac} matches ${candidates.length} devices (${candidates.map((device) => `${device.productKey}/${device.deviceKey}`).join(', ')}); fix the plan.`);
  const serialRow = bySerial[0];
  const macRow = byMac[0];
  if (serialRow && macRow && serialRow !== macRow) return err('PROVISION_IDENTITY_MISMATCH', `The device reports serial ${identity.serial}, planned as ${serialRow.deviceKey}, but MAC ${identity.mac}, planned as ${macRow.deviceKey}; check the device's identity.`);
  const row = serialRow ?? macRow;
  if (row && serialRow && serialRow.mac && !sameMac(serialRow.mac, identity.mac)) return err('PROVISION_IDENTITY_MISMATCH', `The plan has MAC ${serialRow.mac} for serial ${identity.serial}, the device reports ${identity.mac}; check the device's identity.`);
  if (row && mine.length === 0) return err('PROVISION_PLAN_MISMATCH', `The plan row ${row.productKey}/${row.deviceKey} for serial ${identity.serial} belongs to product ${row.productKey}, not ${product.productKey}.`);
  if (row) return ok({ device: row, matched: true });
  if (unmatched === 'hold') return err('PROVISION_HELD', `No plan row for serial ${identity.serial} (MAC ${identity.mac}); held for an operator.`);
  const claimed = offlineClaim ? await offlineClaim(identity) : ok(null);
  if (!claimed.ok) return claimed;
  if (claimed.value) return ok({ device: claimed.value, matched: false, pooled: true });
  const created = registry.createDevice({ productKey: product.productKey, serial: identity.serial, mac: identity.mac, firmware: identity.firmware });
  return created.ok ? ok({ device: created.value.device, matched: false }) : created;
}
