import type { Device } from '../../shared/contract/devices';
import type { DeviceIdentity } from '../../shared/contract/ports';
import type { Product } from '../../shared/contract/products';
import { err, ok, type Result } from '../../shared/result';
import type { DeviceRef } from '../hub/directory';
import type { Issuer } from '../pki/issuer';
import type { Endpoint } from '../serial/drivers/driver';
import type { SyncService } from '../sync/service';
import type { OfflineClaim } from './plan';

/**
 * Where a device is commissioned for (architecture §5), as provisioning needs it: the device-facing
 * endpoints a sync target names, and for EnOS the plan-time device creation (the deviceSecret comes
 * from the cloud), the credential pool when offline and the cloud's certificate issuer. The sync
 * service implements it.
 */
export interface Destinations {
  target(name: string): Result<{ kind: 'enos' | 'hub'; deviceEndpoints: string[] }>;
  createDevice(name: string, device: DeviceRef): Promise<Result<{ deviceSecret: string }>>;
  /** Null while the target answers; when it cannot be reached, a pool device claimed for `identity`. */
  claimWhenOffline(name: string, productKey: string, identity: DeviceIdentity): Promise<Result<Device | null>>;
  issuer(name: string): Result<Issuer>;
}

/**
 * The plan step's offline source for a product bound to EnOS (architecture §5): its credential
 * pool. Only device-secret products need one: product-secret devices burnt offline are created
 * in EnOS by the outbox later, and certificate devices are held offline anyway.
 */
export function offlineClaim(destinations: Destinations | null, product: Product): OfflineClaim | undefined {
  if (!destinations || product.destination === 'local' || product.authScheme !== 'device-secret') return undefined;
  const target = destinations.target(product.destination);
  if (!target.ok || target.value.kind !== 'enos') return undefined;
  return (identity) => destinations.claimWhenOffline(product.destination, product.productKey, identity);
}

const SCHEMES: Record<string, { protocol: Endpoint['protocol']; tls: boolean; port: number }> = {
  'mqtt:': { protocol: 'mqtt', tls: false, port: 11883 },
  'mqtts:': { protocol: 'mqtt', tls: true, port: 18883 },
  'http:': { protocol: 'http', tls: false, port: 80 },
  'https:': { protocol: 'http', tls: true, port: 443 },
  'coap:': { protocol: 'coap', tls: false, port: 5683 },
  'coaps:': { protocol: 'coap', tls: true, port: 5684 },
};

/** `mqtt://host:port` and its kin as the commissioning protocol's endpoint; null for anything else. */
export function endpointFromUrl(text: string): Endpoint | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  const scheme = SCHEMES[url.protocol];
  return scheme && url.hostname ? { protocol: scheme.protocol, host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : scheme.port, tls: scheme.tls } : null;
}

/** The production endpoints of a product bound to a sync target: one per protocol it speaks, TLS for certificates. */
export function targetEndpoints(destinations: Destinations | null, product: Product): Result<Endpoint[]> {
  if (!destinations) return err('UNSUPPORTED', `Product ${product.productKey} is bound to "${product.destination}", and this station has no sync targets.`);
  const target = destinations.target(product.destination);
  if (!target.ok) return target;
  const wantTls = product.authScheme === 'certificate';
  const endpoints = target.value.deviceEndpoints.map(endpointFromUrl).filter((endpoint): endpoint is Endpoint => endpoint !== null && product.protocols.includes(endpoint.protocol) && (endpoint.protocol !== 'mqtt' || endpoint.tls === wantTls));
  return endpoints.length > 0
    ? ok(endpoints)
    : err('UNSUPPORTED', `Sync target "${product.destination}" names no device endpoint for ${product.protocols.join('/')}${wantTls ? ' over TLS' : ''}; add one with \`commissioner sync target add … --device-endpoint URL\`.`);
}

/** The sync service as provisioning's view of destinations (targets, EnOS device creation, EnOS issuer). */
export function syncDestinations(service: Pick<SyncService, 'store' | 'describe' | 'createDeviceNow' | 'reachable' | 'claimPoolDevice' | 'enosIssuer'>): Destinations {
  return {
    target(name) {
      const row = service.store.target(name);
      if (!row) return err('SYNC_TARGET_NOT_FOUND', `No sync target named "${name}" (the product's destination). Add it with \`commissioner sync target add\`.`);
      return ok({ kind: row.kind, deviceEndpoints: service.describe(row).deviceEndpoints ?? [] });
    },
    createDevice: (name, device) => service.createDeviceNow(name, device),
    async claimWhenOffline(name, productKey, identity) {
      const online = await service.reachable(name, productKey);
      if (!online.ok || online.value) return online.ok ? ok(null) : online;
      const claimed = service.claimPoolDevice(name, productKey, { serial: identity.serial, mac: identity.mac || undefined, firmware: identity.firmware || undefined });
      if (claimed.ok) return ok(claimed.value.device);
      return claimed.error.code === 'SYNC_POOL_EMPTY'
        ? err('SYNC_UNREACHABLE', `EnOS ("${name}") cannot be reached and its credential pool of ${productKey} has no unclaimed device left; fill the pool while online (\`commissioner sync pool --product ${productKey} --count N\`), or provision when online again.`)
        : claimed;
    },
    issuer: (name) => service.enosIssuer(name),
  };
}
