import { X509Certificate } from 'node:crypto';
import type { RevocationReason } from '../../../../shared/contract/certificates';
import { err, ok, type Result } from '../../../../shared/result';
import { sha256Fingerprint } from '../../../pki/keys';
import type { DeviceIdentity, IssuedCertificate, Issuer } from '../../../pki/issuer';
import type { Mapping } from '../../target';
import type { EnosClient } from './client';

const CERTIFICATES = '/connect-service/v2.0/certificates';

/** RFC 5280 reason codes, the ones §11.4 accepts (0, 1, 3, 4, 5, 6, 9). */
const REASON_CODE: Record<RevocationReason, number> = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  privilegeWithdrawn: 9,
};

/** Where the issuer remembers which device a serial belongs to: revocation is addressed per device (§11.4). */
export interface CertificateOwners {
  remember(mapping: Mapping): void;
  lookup(serial: string): Mapping | undefined;
}

/**
 * EnOS's certificate API behind the PKI's `Issuer` (architecture §5, protocol reference §11.4):
 * EnOS signs the device's CSR and returns the certificate with its CA; the key never leaves the device.
 */
export class EnosIssuer implements Issuer {
  readonly kind = 'enos' as const;

  constructor(
    private readonly client: EnosClient,
    private readonly owners: CertificateOwners,
  ) {}

  async issue(device: DeviceIdentity, csrPem: string, options: { validDays?: number } = {}): Promise<Result<IssuedCertificate>> {
    const answer = await this.client.call('POST', CERTIFICATES, { action: 'apply', productKey: device.productKey, deviceKey: device.deviceKey }, { csr: csrPem, ...(options.validDays ? { validDay: options.validDays } : {}) });
    if (!answer.ok) return err(answer.failure.code, answer.failure.message);
    if (answer.value.code !== 0) return err('SYNC_REJECTED', `EnOS refused the certificate for ${device.productKey}/${device.deviceKey}: code ${answer.value.cloudCode} ${answer.value.msg}`);
    const data = (answer.value.data ?? {}) as { cert?: unknown; caCert?: unknown; certSn?: unknown; certSN?: unknown };
    // §13 row 20: the serial comes as certSn or certSN.
    const serial = data.certSn ?? data.certSN;
    if (typeof data.cert !== 'string' || typeof data.caCert !== 'string' || (typeof serial !== 'number' && typeof serial !== 'string')) {
      return err('SYNC_BAD_RESPONSE', `EnOS answered the certificate for ${device.deviceKey} without cert, caCert and certSn.`);
    }
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(data.cert);
    } catch {
      return err('SYNC_BAD_RESPONSE', `EnOS answered the certificate for ${device.deviceKey} with something that is not a PEM certificate.`);
    }
    this.owners.remember({ entity: 'certificate', localId: String(serial), cloudId: `${device.productKey}/${device.deviceKey}` });
    return ok({
      serial: String(serial),
      fingerprint: sha256Fingerprint(certificate.raw),
      certificatePem: data.cert,
      chainPem: data.caCert,
      notBefore: Date.parse(certificate.validFrom),
      notAfter: Date.parse(certificate.validTo),
    });
  }

  async revoke(serial: string, reason: RevocationReason): Promise<Result<void>> {
    const owner = this.owners.lookup(serial);
    if (!owner) return err('NOT_FOUND', `No certificate with serial ${serial} was issued through this EnOS target.`);
    const slash = owner.cloudId.indexOf('/');
    const selector = { productKey: owner.cloudId.slice(0, slash), deviceKey: owner.cloudId.slice(slash + 1) };
    const answer = await this.client.call('POST', CERTIFICATES, { action: 'revoke', ...selector }, { certSn: Number(serial), reason: REASON_CODE[reason] });
    if (!answer.ok) return err(answer.failure.code, answer.failure.message);
    if (answer.value.code !== 0) return err('SYNC_REJECTED', `EnOS refused to revoke certificate ${serial}: code ${answer.value.cloudCode} ${answer.value.msg}`);
    return ok(undefined);
  }
}
