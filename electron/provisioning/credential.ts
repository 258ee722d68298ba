import { createHash, createPrivateKey } from 'node:crypto';
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
import type { DeviceDriver } from '../serial/drivers/driver';
import type { HashItem, SecretKind } from '../serial/protocol/commands';
import type { CredentialNote } from './journal';

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** The CSR subject a station asks a device for (protocol reference §4: CN is the deviceKey, set by the device). */
const CSR_SUBJECT = { country: 'XX', stateOrProvince: '-', locality: '-', organization: 'Commissioner', organizationalUnit: '' };
const CERT_VALID_DAYS = 730;

export interface CredentialContext {
  registry: Registry;
  issuer: LocalCaIssuer;
  vault(): Result<Vault>;
  /** The hub forgets cached logins of a device whose secret changed. */
  secretChanged(device: DeviceRef): void;
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
  const written = await driver.writeSecret(kind, secret);
  if (!written.ok) return written;
  const hashes = await driver.readHashes();
  if (!hashes.ok) return hashes;
  if (hashes.value[kind] !== expected) return err('DEVICE_ERROR', `The device's read-back hash of its ${kind} does not match what was written; the flash may be failing.`);
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
  const config = await driver.writeConfig({ productKey: device.productKey, deviceKey: device.deviceKey });
  if (!config.ok) return config;
  const held = await driver.readHashes();
  if (!held.ok) return held;

  if (product.authScheme === 'product-secret') {
    const secret = context.registry.productSecret(product.productKey);
    if (!secret.ok) return secret;
    const reused = await ensureSecret(driver, 'productSecret', secret.value, held.value);
    if (!reused.ok) return reused;
    return ok({ note: { fingerprint: sha256Hex(secret.value) }, reused: reused.value, detail: reused.value ? 'productSecret already on the device' : 'productSecret written; the device activates at the station hub' });
  }

  // Device-secret and certificate products both hold a deviceSecret (§5: a certificate login is mode 2 inside mTLS).
  const secret = deviceSecret(context, device, rotate);
  if (!secret.ok) return secret;
  const secretReused = await ensureSecret(driver, 'deviceSecret', secret.value, held.value);
  if (!secretReused.ok) return secretReused;
  if (product.authScheme === 'device-secret') {
    return ok({ note: { fingerprint: sha256Hex(secret.value) }, reused: secretReused.value, detail: secretReused.value ? 'deviceSecret already on the device' : 'deviceSecret written and read back' });
  }
  return certificate(context, driver, device, identity, previous, rotate, held.value);
}

async function certificate(
  context: CredentialContext,
  driver: DeviceDriver,
  device: DeviceRef,
  identity: DeviceIdentity,
  previous: CredentialNote,
  rotate: boolean,
  held: Partial<Record<HashItem, string>>,
): Promise<Result<CredentialOutcome>> {
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
  const chain = described.certificatePem + described.chainPem;
  const written = await driver.writeCertificateChain(chain);
  if (!written.ok) return written;
  const hashes = await driver.readHashes();
  if (!hashes.ok) return hashes;
  if (hashes.value.certificateChain !== sha256Hex(chain)) return err('DEVICE_ERROR', 'The device read back a different certificate chain than was written; the flash may be failing.');
  const recorded = context.registry.setCertificateFingerprint(device.productKey, device.deviceKey, row.fingerprint);
  if (!recorded.ok) return recorded;
  // A replaced certificate (rotation, or one issued by an interrupted run) must not stay usable.
  for (const old of context.issuer.list(device)) if (old.serial !== row.serial && old.status === 'valid') context.issuer.revokeSerial(old.serial, 'superseded');
  return ok({
    note: { fingerprint: sha256Hex(chain), certificateSerial: row.serial, keySource },
    reused: false,
    detail: `certificate ${row.serial} issued from ${keySource === 'csr' ? 'the device CSR (key stays on the device)' : 'a host-made key (the device cannot make one)'} and written`,
  });
}
