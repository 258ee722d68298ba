import type { Authority, RevocationReason } from '../../shared/contract/certificates';
import { err, ok, type Result } from '../../shared/result';
import type { ServiceContext, ServiceModule } from '../core/module';
import { LocalCa } from './authority';
import { readCaMaterial } from './ca-import';
import { certificateInfo, LocalCaIssuer } from './device-certificates';
import type { DeviceIdentity, Issuer } from './issuer';
import { sha256Fingerprint } from './keys';
import { toPem } from './pem';
import { changePassphrase } from './passphrase';
import { StationKey } from './station-key';
import { PkiStore, type AuthorityRow } from './store';
import { PkiTrust, type PkiTrustProvider } from './trust';
import type { VaultSlot } from './vault-slot';
import { x509 } from './x509';

/**
 * How the pki finds devices: the registry (`electron/registry/registry.ts`) satisfies this; a
 * device is addressed as `PK/DK` or a bare deviceKey unique in the registry (architecture §5).
 */
export interface DeviceDirectory {
  resolveDevice(ref: string): Result<DeviceIdentity>;
  getProduct(productKey: string): { authScheme: string } | undefined;
  setCertificateFingerprint(productKey: string, deviceKey: string, fingerprint: string | null): Result<unknown>;
  /** One transaction that a failed Result rolls back (the registry's, shared by the pki tables in the same database). */
  transaction<T>(body: () => Result<T>): Result<T>;
}

type PkiChannels =
  | 'certificates.caInit'
  | 'certificates.caShow'
  | 'certificates.caChain'
  | 'certificates.caImport'
  | 'certificates.crl'
  | 'certificates.issue'
  | 'certificates.revoke'
  | 'certificates.list'
  | 'certificates.exportKey'
  | 'certificates.stationKey'
  | 'vault.status'
  | 'vault.unlock'
  | 'vault.changePassphrase';

export interface PkiModule extends ServiceModule<PkiChannels> {
  /** For the hub's TLS listeners. */
  trust: PkiTrustProvider;
  /** The local CA as an `Issuer` (provisioning picks it or the EnOS issuer per destination). */
  issuer: Issuer & LocalCaIssuer;
  /** Signs birth records and reports. */
  stationKey: StationKey;
}

function authority(row: AuthorityRow): Authority {
  return {
    id: row.id,
    role: row.role,
    source: row.source,
    subject: row.subject,
    algorithm: row.algorithm,
    notBefore: row.notBefore,
    notAfter: row.notAfter,
    fingerprint: sha256Fingerprint(row.certDer),
    hasKey: row.keyRef !== null,
  };
}

const CRL_REASONS: Record<RevocationReason, x509.X509CrlReason> = {
  unspecified: x509.X509CrlReason.unspecified,
  keyCompromise: x509.X509CrlReason.keyCompromise,
  affiliationChanged: x509.X509CrlReason.affiliationChanged,
  superseded: x509.X509CrlReason.superseded,
  cessationOfOperation: x509.X509CrlReason.cessationOfOperation,
  certificateHold: x509.X509CrlReason.certificateHold,
  privilegeWithdrawn: x509.X509CrlReason.privilegeWithdrawn,
};

/** Domain `certificates` and `vault` (issue 7): the local CA, device certificates, the station key. */
export function createPkiModule(context: ServiceContext, deps: { registry: DeviceDirectory; vaultSlot: VaultSlot }): PkiModule {
  const { clock, events } = context;
  const logger = context.logger.child('pki');
  const vault = () => context.vault();
  const store = new PkiStore(context.db);
  const ca = new LocalCa(store, vault, clock);
  const trust = new PkiTrust(ca, store, vault, clock);
  const issuer = new LocalCaIssuer(ca, store, vault, clock, (row) => {
    trust.notifyRevoked(row);
    events.emit('certificates.revoked', { serial: row.serial, productKey: row.productKey, deviceKey: row.deviceKey });
  });
  const stationKey = new StationKey(vault);

  const resolve = (ref: string): Result<DeviceIdentity> => {
    const device = deps.registry.resolveDevice(ref);
    return device.ok ? ok({ productKey: device.value.productKey, deviceKey: device.value.deviceKey }) : device;
  };

  const authorities = (): Result<Authority[]> => (ca.issuingRow() ? ok(store.authorities().map(authority)) : err('CA_NOT_INITIALIZED'));

  return {
    trust,
    issuer,
    stationKey,
    handlers: {
      'certificates.caInit': async (input) => {
        const made = await ca.init(input);
        if (!made.ok) return made;
        logger.info('local CA created', { algorithm: input.algorithm, issuing: made.value[0]!.id });
        trust.notifyChanged();
        return authorities();
      },
      'certificates.caShow': () => authorities(),
      'certificates.caChain': () => {
        const chain = ca.chainPem();
        return chain.ok ? ok({ pem: chain.value }) : chain;
      },
      'certificates.caImport': (input) => {
        if (ca.issuingRow()) return err('CA_EXISTS');
        const material = readCaMaterial(input, clock());
        if (!material.ok) return material;
        const installed = ca.install(material.value);
        if (!installed.ok) return installed;
        logger.info('CA imported', { issuing: installed.value[0]!.id, certificates: installed.value.length });
        trust.notifyChanged();
        return authorities();
      },
      'certificates.crl': async (input) => {
        const issuing = ca.issuingRow();
        if (!issuing) return err('CA_NOT_INITIALIZED');
        const revoked = store.certificates({ status: 'revoked' }).filter((row) => row.issuerId === issuing.id);
        const crl = await ca.crl(
          revoked.map((row) => ({ serialNumber: row.serial, revocationDate: new Date(row.revokedAt!), reason: CRL_REASONS[row.revocationReason as RevocationReason] })),
          input.validDays,
        );
        return crl.ok ? ok({ pem: toPem(crl.value.rawData, 'X509 CRL'), entries: revoked.length }) : crl;
      },
      'certificates.issue': async (input) => {
        const device = resolve(input.device);
        if (!device.ok) return device;
        // EnOS issues only for bi-directional (certificate) products (§11.4, error 99400); so do we.
        if (deps.registry.getProduct(device.value.productKey)?.authScheme !== 'certificate') {
          return err('VALIDATION_FAILED', `Product ${device.value.productKey} does not use certificate authentication; its devices get no certificates.`);
        }
        if (input.csr !== undefined && input.generateKey) return err('INVALID_INPUT', 'Give a CSR or ask for a host-made key, not both: a device that can make a CSR keeps its key.');
        if (input.csr === undefined && !input.generateKey) return err('INVALID_INPUT', 'Give the device CSR, or --generate-key for a device that cannot make one.');
        // The certificate and the registry's fingerprint (with its outbox row) commit together, or neither does.
        const issued = deps.registry.transaction(() => {
          const made =
            input.csr !== undefined
              ? issuer.issueRow(device.value, input.csr, input.validDays)
              : // EnOS defaults to RSA (§11.4 issueAuthority); P-256 is the faster, smaller choice a product can make.
                issuer.issueWithHostKey(device.value, input.keyAlgorithm ?? 'RSA-2048', input.subject ?? {}, input.validDays);
          if (!made.ok) return made;
          const recorded = deps.registry.setCertificateFingerprint(made.value.productKey!, made.value.deviceKey!, made.value.fingerprint);
          return recorded.ok ? made : recorded;
        });
        if (!issued.ok) return issued;
        const row = issued.value;
        logger.info('device certificate issued', { productKey: row.productKey, deviceKey: row.deviceKey, serial: row.serial, keySource: row.keySource });
        const described = issuer.describe(row);
        return ok({ certificate: certificateInfo(row, clock()), certificatePem: described.certificatePem, chainPem: described.chainPem });
      },
      'certificates.revoke': (input) => {
        if ((input.device === undefined) === (input.serial === undefined)) return err('INVALID_INPUT', 'Give either a device or a serial number.');
        let revoked;
        if (input.device !== undefined) {
          const device = resolve(input.device);
          if (!device.ok) return device;
          revoked = issuer.revokeDevice(device.value, input.reason);
        } else {
          revoked = issuer.revokeSerial(input.serial!, input.reason);
        }
        if (!revoked.ok) return revoked;
        for (const row of revoked.value) {
          // Revoking an older certificate leaves the device's current one in the registry.
          if (row.kind === 'device') deps.registry.setCertificateFingerprint(row.productKey!, row.deviceKey!, issuer.currentFingerprint({ productKey: row.productKey!, deviceKey: row.deviceKey! }));
          logger.info('certificate revoked', { serial: row.serial, productKey: row.productKey, deviceKey: row.deviceKey, reason: input.reason });
        }
        return ok(revoked.value.map((row) => certificateInfo(row, clock())));
      },
      'certificates.list': (input) => {
        if (input.device === undefined) return ok(issuer.list());
        const device = resolve(input.device);
        return device.ok ? ok(issuer.list(device.value)) : device;
      },
      'certificates.exportKey': (input) => {
        const exported = issuer.exportKey(input.serial, input.passphrase);
        return exported.ok ? ok({ pem: exported.value }) : exported;
      },
      'certificates.stationKey': () => stationKey.publicKey(),
      'vault.status': () => ok(deps.vaultSlot.status()),
      'vault.unlock': (input) => deps.vaultSlot.unlock({ method: 'passphrase', passphrase: input.passphrase }),
      'vault.changePassphrase': (input) => {
        const changed = changePassphrase(context.db, deps.vaultSlot.get(), input);
        if (!changed.ok) return changed;
        logger.info('vault passphrase changed');
        return ok(deps.vaultSlot.status());
      },
    },
  };
}
