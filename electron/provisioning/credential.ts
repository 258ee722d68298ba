import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import type { DeviceIdentity } from '../../shared/contract/ports';
import type { Product } from '../../shared/contract/products';
import { randomString, SECRET_LENGTH } from '../../shared/model/identifiers';
import { err, ok, type Result } from '../../shared/result';
import { randomInt } from 'node:crypto';
import type { DeviceRef } from '../hub/directory';
import { deviceKeyRef, type LocalCaIssuer } from '../pki/device-certificates';
import { toPem } from '../pki/pem';
import type { Vault } from '../pki/vault';
import { deviceSecretId, type Registry } from '../registry/registry';
import { inOrder, type DeviceDriver } from '../serial/drivers/driver';
import type { HashItem, SecretKind } from '../serial/protocol/commands';
import type { Destinations } from './destination';
import type { CredentialNote } from './journal';

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The fingerprint a record (ledger entry, birth record, PDF) carries for a secret: domain-separated
 * and bound to the device, so a product secret differs per device and a weak secret cannot be looked
 * up from a record. Anyone holding the secret recomputes it (README "Records"):
 * hex SHA-256 of `commissioner-credential-v1` NUL `productKey/deviceKey` NUL `secret`.
 * The device's read-back hash stays plain SHA-256 of the secret, as `hashes.read` defines it (commissioning protocol).
 */
export const credentialFingerprint = (device: DeviceRef, secret: string) =>
  createHash('sha256').update(`commissioner-credential-v1\0${device.productKey}/${device.deviceKey}\0${secret}`).digest('hex');

/** The CSR subject a station asks a device for (protocol reference §4: CN is the deviceKey, set by the device). */
const CSR_SUBJECT = { country: 'XX', stateOrProvince: '-', locality: '-', organization: 'Commissioner', organizationalUnit: '' };
const CERT_VALID_DAYS = 730;

export interface CredentialContext {
  registry: Registry;
  issuer: LocalCaIssuer;
  vault(): Result<Vault>;
  /** The hub forgets cached logins of a device whose secret changed. */
  secretChanged(device: DeviceRef): void;
  /** The EnOS target the product is bound to: secrets and certificates come from the cloud (architecture §5). */
  enos: { target: string; destinations: Destinations; trustChain(pem: string): Result<number> } | null;
}

export interface CredentialOutcome {
  note: CredentialNote;
  /** Nothing had to be written: the device already held exactly this credential. */
  reused: boolean;
  detail: string;
}

/** Makes the device hold `secret` as `kind`; reused when its read-back hash already matches. */
async function ensureSecret(driver: DeviceDriver, kind: SecretKind, secret: string, held: Partial<Record<HashItem, string>>): Promise<Result<boolean>> {
  const expected = sha256Hex(secret);
  if (held[kind] === expected) return ok(true);
  const written = await inOrder(driver, () => driver.writeSecret(kind, secret), () => driver.readHashes());
  if (!written.ok) return written;
  let readBack = written.value[1][kind];
  // A read that overtook a write lost on the line (the write then went out again) saw the old hash: read once more before blaming the flash.
  if (readBack !== expected) {
    const again = await driver.readHashes();
    if (!again.ok) return again;
    readBack = again.value[kind];
  }
  if (readBack !== expected) return err('DEVICE_ERROR', `The device's read-back hash of its ${kind} does not match what was written; the flash may be failing.`);
  return ok(false);
}

/** The device's deviceSecret from the vault; a new one when the device has none yet or it is rotated. */
function deviceSecret(context: CredentialContext, device: DeviceRef, rotate: boolean): Result<string> {
  const existing = context.registry.deviceSecret(device.productKey, device.deviceKey);
  if (existing.ok && !rotate) return existing;
  if (!existing.ok && existing.error.code !== 'NOT_FOUND') return existing;
  const vault = context.vault();
  if (!vault.ok) return vault;
  const secret = randomString(SECRET_LENGTH, (n) => randomInt(n));
  vault.value.put(deviceSecretId(device.productKey, device.deviceKey), secret, 'device-secret');
  context.secretChanged(device);
  return ok(secret);
}

/**
 * EnOS online (architecture §5): the device is created in the cloud at this step and the
 * deviceSecret EnOS made is the one burnt (kept in the vault for the station's verification).
 * Offline the cloud cannot be asked; the credential pool is the way then (not wired here yet).
 */
async function cloudSecret(context: CredentialContext, device: DeviceRef, previous: CredentialNote, rotate: boolean): Promise<Result<boolean>> {
  const enos = context.enos;
  if (!enos || (previous.cloudCreated && !rotate)) return ok(Boolean(previous.cloudCreated));
  if (rotate) return err('UNSUPPORTED', `${device.productKey}/${device.deviceKey} is registered in EnOS: rotate its secret there, then re-verify.`);
  const created = await enos.destinations.createDevice(enos.target, device);
  if (!created.ok) {
    // Created by an earlier run that stopped before its journal entry: the secret it burnt is in the vault.
    if (created.error.code === 'ALREADY_EXISTS' && context.registry.deviceSecret(device.productKey, device.deviceKey).ok) return ok(true);
    if (created.error.code === 'SYNC_UNREACHABLE') return err('SYNC_UNREACHABLE', `EnOS ("${enos.target}") cannot be reached, so the device cannot be created there now; provision it from a credential pool pulled while online (\`commissioner sync pool\`), or when online again.`);
    return created;
  }
  const vault = context.vault();
  if (!vault.ok) return vault;
  vault.value.put(deviceSecretId(device.productKey, device.deviceKey), created.value.deviceSecret, 'device-secret');
  context.secretChanged(device);
  return ok(true);
}

/**
 * The credential step (architecture §5, §6 step 3) for a device bound to this hub: the registry
 * and the local CA are the sources. Each scheme first compares the device's read-back hashes
 * with what it should hold, so a repeated or resumed run writes nothing twice.
 */
export async function provideCredential(
  context: CredentialContext,
  driver: DeviceDriver,
  product: Product,
  device: DeviceRef,
  identity: DeviceIdentity,
  previous: CredentialNote,
  rotate: boolean,
): Promise<Result<CredentialOutcome>> {
  // The hashes are read right behind the config write (they concern secrets and keys, not the config).
  const configured = await inOrder(driver, () => driver.writeConfig({ productKey: device.productKey, deviceKey: device.deviceKey }), () => driver.readHashes());
  if (!configured.ok) return configured;
  const held = configured.value[1];

  if (product.authScheme === 'product-secret') {
    const secret = context.registry.productSecret(product.productKey);
    if (!secret.ok) return secret;
    const reused = await ensureSecret(driver, 'productSecret', secret.value, held);
    if (!reused.ok) return reused;
    return ok({ note: { fingerprint: credentialFingerprint(device, secret.value) }, reused: reused.value, detail: reused.value ? 'productSecret already on the device' : 'productSecret written; the device activates at the station hub' });
  }

  // Device-secret and certificate products both hold a deviceSecret (§5: a certificate login is mode 2 inside mTLS).
  const cloud = await cloudSecret(context, device, previous, rotate);
  if (!cloud.ok && cloud.error.code === 'SYNC_UNREACHABLE' && product.authScheme === 'certificate') {
    return err('PROVISION_HELD', `Awaiting certificate: EnOS cannot be reached, and a certificate cannot be had offline (architecture §5); plug ${device.deviceKey} in again when the station is online.`);
  }
  if (!cloud.ok) return cloud;
  const secret = deviceSecret(context, device, rotate && !context.enos);
  if (!secret.ok) return secret;
  const secretReused = await ensureSecret(driver, 'deviceSecret', secret.value, held);
  if (!secretReused.ok) return secretReused;
  const source = cloud.value ? ' (issued by EnOS)' : '';
  if (product.authScheme === 'device-secret') {
    return ok({ note: { fingerprint: credentialFingerprint(device, secret.value), ...(cloud.value ? { cloudCreated: true } : {}) }, reused: secretReused.value, detail: secretReused.value ? `deviceSecret${source} already on the device` : `deviceSecret${source} written and read back` });
  }
  const certified = await certificate(context, { driver, device, identity, previous, rotate, held });
  return certified.ok && cloud.value ? ok({ ...certified.value, note: { ...certified.value.note, cloudCreated: true } }) : certified;
}

/** What the certificate step works from: the device, what it holds now, what an earlier run made. */
interface CertificateStep {
  driver: DeviceDriver;
  device: DeviceRef;
  identity: DeviceIdentity;
  previous: CredentialNote;
  rotate: boolean;
  held: Partial<Record<HashItem, string>>;
}

async function certificate(context: CredentialContext, step: CertificateStep): Promise<Result<CredentialOutcome>> {
  const { driver, device, identity, previous, rotate, held } = step;
  if (context.enos) return cloudCertificate(context, context.enos, step);
  const current = previous.certificateSerial ? context.issuer.list(device).find((info) => info.serial === previous.certificateSerial) : undefined;
  if (!rotate && current?.status === 'valid' && previous.fingerprint && held.certificateChain === previous.fingerprint) {
    return ok({ note: previous, reused: true, detail: `certificate ${current.serial} already on the device` });
  }
  let keySource: 'csr' | 'host' = 'csr';
  let issued;
  const csr = identity.capabilities.includes('onDeviceKeygen') ? await driver.generateCsr({ ...CSR_SUBJECT, organizationalUnit: device.productKey }) : err<Buffer>('UNSUPPORTED');
  if (csr.ok) {
    issued = context.issuer.issueRow(device, toPem(csr.value, 'CERTIFICATE REQUEST'), CERT_VALID_DAYS);
  } else if (csr.error.code === 'UNSUPPORTED' || csr.error.code === 'DEVICE_REFUSED') {
    // The fallback for a device that cannot make a key (architecture §6 step 3).
    keySource = 'host';
    issued = context.issuer.issueWithHostKey(device, 'P-256', { O: 'Commissioner', OU: device.productKey }, CERT_VALID_DAYS);
  } else {
    return csr;
  }
  if (!issued.ok) return issued;
  const row = issued.value;
  if (keySource === 'host') {
    const vault = context.vault();
    if (!vault.ok) return vault;
    const pkcs8 = vault.value.getBuffer(deviceKeyRef(row.serial));
    if (!pkcs8) return err('CA_KEY_MISSING', 'The host-made device key is not in the vault.');
    const keyPem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }) as string;
    const keyWritten = await driver.writePrivateKey(keyPem);
    if (!keyWritten.ok) return keyWritten;
  }
  const described = context.issuer.describe(row);
  const fingerprint = await writeChain(driver, described.certificatePem, described.chainPem);
  if (!fingerprint.ok) return fingerprint;
  const recorded = context.registry.setCertificateFingerprint(device.productKey, device.deviceKey, row.fingerprint);
  if (!recorded.ok) return recorded;
  // A replaced certificate (rotation, or one issued by an interrupted run) must not stay usable.
  for (const old of context.issuer.list(device)) if (old.serial !== row.serial && old.status === 'valid') context.issuer.revokeSerial(old.serial, 'superseded');
  return ok({
    note: { fingerprint: fingerprint.value, certificateSerial: row.serial, keySource },
    reused: false,
    detail: `certificate ${row.serial} issued from ${keySource === 'csr' ? 'the device CSR (key stays on the device)' : 'a host-made key (the device cannot make one)'} and written`,
  });
}

/** The certificate and its CA chain written as one PEM file and read back; the fingerprint of what the device holds. */
async function writeChain(driver: DeviceDriver, certificatePem: string, chainPem: string): Promise<Result<string>> {
  // An issuer may end a PEM without a newline; the blocks must still be on lines of their own.
  const chain = [certificatePem, chainPem].map((pem) => pem.trim()).filter(Boolean).join('\n') + '\n';
  const written = await driver.writeCertificateChain(chain);
  if (!written.ok) return written;
  const hashes = await driver.readHashes();
  if (!hashes.ok) return hashes;
  const expected = sha256Hex(chain);
  return hashes.value.certificateChain === expected ? ok(expected) : err('DEVICE_ERROR', 'The device read back a different certificate chain than was written; the flash may be failing.');
}

/**
 * A certificate from EnOS's certificate API (architecture §5) for the device's CSR; the chain EnOS
 * returns is trusted by the station hub, so verification checks the same mTLS chain the cloud will.
 * Offline it cannot be had: the device is held "awaiting certificate" for a second touch.
 */
async function cloudCertificate(context: CredentialContext, enos: NonNullable<CredentialContext['enos']>, step: CertificateStep): Promise<Result<CredentialOutcome>> {
  const { driver, device, identity, previous, rotate, held } = step;
  if (!rotate && previous.certificateSerial && previous.fingerprint && held.certificateChain === previous.fingerprint) {
    return ok({ note: previous, reused: true, detail: `EnOS certificate ${previous.certificateSerial} already on the device` });
  }
  if (!identity.capabilities.includes('onDeviceKeygen')) return err('UNSUPPORTED', `${device.deviceKey} cannot make a key and CSR; EnOS issues certificates only for a device CSR.`);
  const issuer = enos.destinations.issuer(enos.target);
  if (!issuer.ok) return issuer;
  const csr = await driver.generateCsr({ ...CSR_SUBJECT, organizationalUnit: device.productKey });
  if (!csr.ok) return csr;
  const issued = await issuer.value.issue(device, toPem(csr.value, 'CERTIFICATE REQUEST'), { validDays: CERT_VALID_DAYS });
  if (!issued.ok) {
    return issued.error.code === 'SYNC_UNREACHABLE' ? err('PROVISION_HELD', `Awaiting certificate: EnOS ("${enos.target}") cannot be reached to sign the CSR of ${device.deviceKey}; provision it again when online (the key stays on the device).`) : issued;
  }
  const trusted = enos.trustChain(issued.value.chainPem);
  if (!trusted.ok) return trusted;
  const fingerprint = await writeChain(driver, issued.value.certificatePem, issued.value.chainPem);
  if (!fingerprint.ok) return fingerprint;
  const recorded = context.registry.setCertificateFingerprint(device.productKey, device.deviceKey, issued.value.fingerprint);
  if (!recorded.ok) return recorded;
  // The serial as TLS reports it (hex), for the mTLS check; EnOS numbers its serials in decimal.
  const serial = new X509Certificate(issued.value.certificatePem).serialNumber;
  return ok({ note: { fingerprint: fingerprint.value, certificateSerial: serial, keySource: 'csr' }, reused: false, detail: `EnOS certificate ${issued.value.serial} issued for the device CSR (key stays on the device) and written` });
}
