import type { DeviceIdentity } from '../../../shared/contract/ports';
import { ok, type Result } from '../../../shared/result';
import type { EndpointProtocol, HashItem, SecretKind } from '../protocol/commands';
import type { CsrSubject } from '../../sim/csr';

export interface Endpoint {
  protocol: EndpointProtocol;
  host: string;
  port: number;
  tls: boolean;
}

export interface DeviceConfig {
  productKey?: string;
  deviceKey?: string;
  endpoints?: Endpoint[];
}

export interface ConnectivityReport {
  protocol: EndpointProtocol;
  loggedIn: boolean;
  samplesPosted: number;
  downstreamAnswered: boolean;
  latencyMs: number;
  detail?: string;
}

export type TransferProgress = (done: number, total: number) => void;

/**
 * What the provisioning pipeline asks of a device, whichever way it speaks (architecture §6):
 * the framed commissioning protocol or an AT-command profile. Operations a device kind cannot do
 * answer UNSUPPORTED; every failure names the port and the step.
 */
export interface DeviceDriver {
  readonly kind: DeviceIdentity['driver'];
  /**
   * A request may go out before the previous one is answered: the device answers in the order
   * received (commissioning protocol §3.4). An AT module takes one command at a time.
   */
  readonly pipelines: boolean;
  identify(): Promise<Result<DeviceIdentity>>;
  readConfig(): Promise<Result<DeviceConfig>>;
  writeConfig(config: DeviceConfig): Promise<Result<void>>;
  writeSecret(kind: SecretKind, secret: string): Promise<Result<void>>;
  forgetSecret(kind: SecretKind): Promise<Result<void>>;
  /** A CSR (DER) from a key made on the device; CN is the device's deviceKey. */
  generateCsr(subject: CsrSubject): Promise<Result<Buffer>>;
  writeCertificateChain(pem: string, progress?: TransferProgress): Promise<Result<void>>;
  writePrivateKey(pem: string): Promise<Result<void>>;
  writeFirmware(image: Buffer, progress?: TransferProgress): Promise<Result<void>>;
  /** SHA-256 (hex) of every item the device holds in full. */
  readHashes(): Promise<Result<Partial<Record<HashItem, string>>>>;
  connectivityTest(endpoints: Endpoint[], samples: number, timeoutMs: number): Promise<Result<ConnectivityReport[]>>;
  commit(): Promise<Result<void>>;
  reboot(): Promise<Result<void>>;
  factoryReset(): Promise<Result<void>>;
  close(): void;
}

/**
 * `first`, then `second`, on one device. On a driver that pipelines, `second` is sent right behind
 * `first` without waiting for its answer (commissioning protocol §3.4): the device answers in order,
 * so `second` sees what `first` did, and the line carries one request while the device answers the
 * other. `first` and `second` must each send their request before their first await of anything
 * but the driver. A failure of `first` is the result, as if `second` had never been sent.
 */
export async function inOrder<A, B>(driver: Pick<DeviceDriver, 'pipelines'>, first: () => Promise<Result<A>>, second: () => Promise<Result<B>>): Promise<Result<[A, B]>> {
  if (!driver.pipelines) {
    const before = await first();
    if (!before.ok) return before;
    const after = await second();
    return after.ok ? ok([before.value, after.value]) : after;
  }
  const [before, after] = await Promise.all([first(), second()]);
  if (!before.ok) return before;
  return after.ok ? ok([before.value, after.value]) : after;
}
