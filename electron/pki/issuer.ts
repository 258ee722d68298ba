import type { RevocationReason } from '../../shared/contract/certificates';
import type { Result } from '../../shared/result';

/** The device a certificate is for (its CN is the deviceKey, protocol reference §4). */
export interface DeviceIdentity {
  productKey: string;
  deviceKey: string;
}

export interface IssuedCertificate {
  serial: string;
  fingerprint: string;
  certificatePem: string;
  /** The issuing CA chain the device and the hub trust, issuing CA first. */
  chainPem: string;
  notBefore: number;
  notAfter: number;
}

/**
 * Who signs a device's CSR (architecture §5): the local CA for devices bound to a Commissioner
 * hub, EnOS's certificate API (§11.4, the sync issue's client) for devices bound to EnOS.
 */
export interface Issuer {
  readonly kind: 'local-ca' | 'enos';
  issue(device: DeviceIdentity, csrPem: string, options?: { validDays?: number }): Promise<Result<IssuedCertificate>>;
  revoke(serial: string, reason: RevocationReason): Promise<Result<void>>;
}
