import { parseClientId, parseUsername, ReturnCode, verifyLoginPassword, type ClientIdParts } from '../protocol';
import { deviceId, type DeviceRef, type Directory, type DirectoryDevice, type DirectoryProduct } from './directory';

/**
 * The CONNECT decision (protocol reference §3): who the login is, whether it may in, and if not
 * which CONNACK code (§3.6) and refusal reason. What a verified login read from the directory
 * (the device, its product and the secret of its secure mode) is cached per device, so a reconnect
 * reads nothing; the signature is still checked on every login. Any directory change of the
 * device drops its entry.
 */

export type RefusalReason =
  | 'malformed-client-id'
  | 'malformed-username'
  | 'unknown-product'
  | 'unknown-device'
  | 'disabled'
  | 'decommissioned'
  | 'bad-signature'
  | 'no-secret'
  | 'certificate-required'
  | 'activation-disabled'
  | 're-activation'
  | 'sub-device-direct-login'
  | 'mode-unsupported'
  | 'connect-guard';

/** MQTT 3.1.1 CONNACK return codes (§3.6). */
export type ConnackCode = 2 | 3 | 4 | 5;

export interface ClientCertificate {
  /** The chain verified against the trusted CAs. */
  readonly authorized: boolean;
  readonly commonName: string | null;
  /** Upper-case hex serial number. */
  readonly serial: string | null;
}

export interface LoginInput {
  readonly clientId: string;
  readonly username: string | undefined;
  readonly password: Buffer | undefined;
  /** Null on plain TCP; the peer certificate (or none) on TLS. */
  readonly tls: { certificate: ClientCertificate | null } | null;
}

export interface Admission {
  ok: true;
  device: DirectoryDevice;
  product: DirectoryProduct;
  secureMode: 2 | 3;
  /** A mode-3 login: the hub activates the device and pushes its secret (§3.7). */
  activation: boolean;
  clientIdParts: ClientIdParts;
}

export interface Refusal {
  ok: false;
  connack: ConnackCode;
  reason: RefusalReason;
  /** The EnOS code behind the refusal, for the log and statistics (§3.6). */
  enosCode?: number;
  device?: DeviceRef;
}

export type LoginDecision = Admission | Refusal;

/** A device whose login verified, with the secret its signatures are checked against. */
interface VerifiedDevice {
  readonly device: DirectoryDevice;
  readonly product: DirectoryProduct;
  readonly secureMode: 2 | 3;
  /** deviceSecret (mode 2) or productSecret (mode 3); kept only in memory, never logged. */
  readonly secret: string;
}

export interface LoginCheckOptions {
  /** §13 #11: a test-rig switch that allows repeated mode-3 logins. */
  allowReactivation?: boolean;
  isRevoked?: (serial: string) => boolean;
  cacheSize?: number;
}

function refuse(connack: ConnackCode, reason: RefusalReason, device?: DeviceRef, enosCode?: number): Refusal {
  return { ok: false, connack, reason, ...(device ? { device } : {}), ...(enosCode ? { enosCode } : {}) };
}

/** Refusals that depend only on the device's state and product, whatever the transport (§3.6). */
function stateRefusal(device: DirectoryDevice, product: DirectoryProduct): Refusal | null {
  if (device.state === 'disabled') return refuse(5, 'disabled', device, ReturnCode.DEVICE_DISABLED);
  if (device.state === 'decommissioned') return refuse(5, 'decommissioned', device);
  if (product.subDeviceOnly) return refuse(5, 'sub-device-direct-login', device, ReturnCode.SUB_DEVICE_DIRECT_LOGIN);
  return null;
}

/**
 * A login over HTTP (§8) or CoAP (§7): always mode 2, the deviceSecret checked by `verify` (each
 * transport signs its own fields); activation exists only over MQTT. A certificate product (§4)
 * also needs `certified` to accept the connection's client certificate (HTTPS only).
 */
export function checkTransportLogin(directory: Directory, ref: DeviceRef, verify: (deviceSecret: string) => boolean, certified: (device: DeviceRef) => boolean = () => false): { ok: true; device: DirectoryDevice; product: DirectoryProduct } | Refusal {
  const product = directory.product(ref.productKey);
  if (!product) return refuse(5, 'unknown-product', ref);
  const device = directory.device(ref.productKey, ref.deviceKey);
  if (!device) return refuse(5, 'unknown-device', ref);
  const secret = directory.deviceSecret(ref.productKey, ref.deviceKey);
  if (secret === null) return refuse(5, 'no-secret', ref);
  if (!verify(secret)) return refuse(4, 'bad-signature', ref, ReturnCode.SIGNATURE_FAILED);
  const refusal = stateRefusal(device, product);
  if (refusal) return refusal;
  if (product.authScheme === 'certificate' && !certified(device)) return refuse(5, 'certificate-required', device, ReturnCode.CERTIFICATE_REQUIRED);
  return { ok: true, device, product };
}

export class LoginCheck {
  /** By `PK/DK`. */
  private readonly cache = new Map<string, VerifiedDevice>();
  private readonly cacheSize: number;

  constructor(
    private readonly directory: Directory,
    private readonly options: LoginCheckOptions = {},
  ) {
    this.cacheSize = options.cacheSize ?? 50_000;
  }

  /**
   * Starts with every device's secure-mode-2 credentials (a login still verifies its signature
   * against them): a connect storm of first logins then reads nothing from the registry or the
   * vault. Directory changes drop entries as they do for verified ones.
   */
  warm(): void {
    for (const { device, product, deviceSecret } of this.directory.deviceCredentials(this.cacheSize)) this.cache.set(deviceId(device), { device, product, secureMode: 2, secret: deviceSecret });
  }

  /** Drops the cached credentials of one device, or of all of them. */
  forget(device?: DeviceRef): void {
    if (device) this.cache.delete(deviceId(device));
    else this.cache.clear();
  }

  check(input: LoginInput): LoginDecision {
    const clientIdParts = parseClientId(input.clientId);
    if (!clientIdParts) return refuse(2, 'malformed-client-id');
    const username = parseUsername(input.username ?? '');
    if (!username) return refuse(2, 'malformed-username');
    const ref = { productKey: username.productKey, deviceKey: username.deviceKey };
    const secureMode = clientIdParts.secureMode;
    if (secureMode === 4) return refuse(5, 'mode-unsupported', ref);
    const id = deviceId(ref);
    const cached = this.cache.get(id);
    let verified: VerifiedDevice;
    if (cached?.secureMode === secureMode) verified = cached;
    else {
      const found = this.lookUp(ref, secureMode);
      if (!found.ok) return found;
      verified = found.verified;
    }
    const password = input.password?.toString('utf8') ?? '';
    if (!verifyLoginPassword(clientIdParts, username, password, verified.secret)) return refuse(4, 'bad-signature', ref, ReturnCode.SIGNATURE_FAILED);
    if (verified !== cached) this.remember(id, verified);
    return this.admit(verified, clientIdParts, input);
  }

  private remember(id: string, verified: VerifiedDevice): void {
    // Bounded: when full, start over rather than track recency on the login path.
    if (this.cache.size >= this.cacheSize) this.cache.clear();
    this.cache.set(id, verified);
  }

  /** The directory's facts for a login in `secureMode`, or the refusal they call for (§3.6). */
  private lookUp(ref: DeviceRef, secureMode: 2 | 3): { ok: true; verified: VerifiedDevice } | Refusal {
    const product = this.directory.product(ref.productKey);
    if (!product) return refuse(5, 'unknown-product', ref);
    const device = this.directory.device(ref.productKey, ref.deviceKey);
    if (!device) return refuse(5, 'unknown-device', ref);
    if (secureMode === 3 && !product.dynamicActivation) return refuse(5, 'activation-disabled', ref, ReturnCode.DYNAMIC_ACTIVATION_DISABLED);
    const secret = secureMode === 2 ? this.directory.deviceSecret(ref.productKey, ref.deviceKey) : this.directory.productSecret(ref.productKey);
    if (secret === null) return refuse(5, 'no-secret', ref);
    return { ok: true, verified: { device, product, secureMode, secret } };
  }

  /** Checks that depend on the device's state and the connection, also for cached logins. */
  private admit(verified: VerifiedDevice, clientIdParts: ClientIdParts, input: LoginInput): LoginDecision {
    const { device, product, secureMode } = verified;
    const refusal = stateRefusal(device, product);
    if (refusal) return refusal;
    if (product.authScheme === 'certificate' && !this.certificateMatches(device, input.tls?.certificate)) return refuse(5, 'certificate-required', device, ReturnCode.CERTIFICATE_REQUIRED);
    if (secureMode === 3 && !this.options.allowReactivation && this.directory.device(device.productKey, device.deviceKey)?.hasSecret) return refuse(5, 're-activation', device);
    return { ok: true, device, product, secureMode, activation: secureMode === 3, clientIdParts };
  }

  /** §4: a client certificate chaining to a trusted CA, CN = deviceKey, not revoked. */
  certificateMatches(device: DeviceRef, certificate: ClientCertificate | null | undefined): boolean {
    if (!certificate?.authorized || certificate.commonName !== device.deviceKey) return false;
    return !(certificate.serial && this.options.isRevoked?.(certificate.serial));
  }
}
