import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initDataDir, runCli, tempDir } from '../helpers/cli';
import { DEVICE_SUBJECT, openssl, opensslCsr } from '../helpers/openssl';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI JSON of many shapes, checked by toMatchObject
type Json = { ok: boolean; value?: any; error?: { code: string; message: string } };

function cli(dir: string, ...args: string[]): Json {
  return runCli(['--data', dir, '--json', ...args]).json<Json>();
}

function certificateProduct(dir: string): string {
  const created = cli(dir, 'product', 'create', '--name', 'Meter', '--auth', 'certificate');
  expect(created.ok).toBe(true);
  return created.value.product.productKey;
}

function device(dir: string, productKey: string, deviceKey: string): void {
  expect(cli(dir, 'device', 'create', '--product', productKey, '--device-key', deviceKey).ok).toBe(true);
}

/** The PEM with the leading byte of the CSR signature BIT STRING's last byte flipped. */
function tamperedSignature(csrFile: string, out: string): void {
  const der = Buffer.from(readFileSync(csrFile, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 1] = der[der.length - 1]! ^ 0x01;
  writeFileSync(out, `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE REQUEST-----\n`);
}

describe('commissioner ca / cert (real openssl as the peer)', () => {
  let dir: string;
  let work: string;
  let productKey: string;
  let chain: string;

  beforeAll(() => {
    dir = initDataDir();
    work = tempDir('pki-files-');
    const init = cli(dir, 'ca', 'init', '--name', 'Acme Site', '--valid-years', '5');
    expect(init).toMatchObject({ ok: true });
    expect(init.value.map((authority: { role: string }) => authority.role)).toEqual(['issuing', 'root']);
    chain = join(work, 'chain.pem');
    expect(cli(dir, 'ca', 'export', '--chain', '--out', chain).ok).toBe(true);
    productKey = certificateProduct(dir);
    for (const deviceKey of ['dev-001', 'dev-002', 'dev-003', 'dev-004']) device(dir, productKey, deviceKey);
  });

  it('issues from an openssl CSR; openssl verifies the certificate against the exported chain', () => {
    const { csr } = opensslCsr(work, 'dev-001', DEVICE_SUBJECT('dev-001'));
    const out = join(work, 'dev-001.pem');
    const issued = cli(dir, 'cert', 'issue', '--device', 'dev-001', '--csr', csr, '--out', out);
    expect(issued).toMatchObject({ ok: true, value: { certificate: { deviceKey: 'dev-001', productKey, status: 'valid', keySource: 'csr', algorithm: 'P-256' } } });
    expect(openssl(['verify', '-CAfile', chain, out])).toMatchObject({ status: 0, stdout: `${out}: OK\n` });
    const text = openssl(['x509', '-in', out, '-noout', '-text']).stdout;
    expect(text).toContain('Subject: C = DE, ST = Bavaria, L = Munich, O = Acme, OU = Meters, CN = dev-001');
    expect(text).toContain('TLS Web Client Authentication');
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    const fingerprint = openssl(['x509', '-in', out, '-noout', '-fingerprint', '-sha256']).stdout.split('=')[1]!.trim().replace(/:/g, '').toLowerCase();
    expect(issued.value.certificate.fingerprint).toBe(fingerprint);
    // The registry records the fingerprint on the device.
    expect(cli(dir, 'device', 'show', `${productKey}/dev-001`).value).toMatchObject({ certFingerprint: fingerprint });
  });

  it('accepts a DER CSR and an RSA-2048 CSR', () => {
    const { csr } = opensslCsr(work, 'dev-002', DEVICE_SUBJECT('dev-002'), 'rsa:2048');
    const der = join(work, 'dev-002.der');
    expect(openssl(['req', '-in', csr, '-outform', 'DER', '-out', der]).status).toBe(0);
    const out = join(work, 'dev-002.pem');
    expect(cli(dir, 'cert', 'issue', '--device', `${productKey}/dev-002`, '--csr', der, '--out', out)).toMatchObject({ ok: true, value: { certificate: { algorithm: 'RSA-2048' } } });
    expect(openssl(['verify', '-CAfile', chain, out]).status).toBe(0);
    expect(openssl(['x509', '-in', out, '-noout', '-text']).stdout).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment/);
  });

  it.each([
    ['a bad signature', 'CSR_BAD_SIGNATURE', (file: string) => tamperedSignature(opensslCsr(work, 'bad-sig', DEVICE_SUBJECT('dev-003')).csr, file)],
    ['a CN that is not the deviceKey', 'CSR_SUBJECT_INVALID', (file: string) => writeFileSync(file, readFileSync(opensslCsr(work, 'wrong-cn', DEVICE_SUBJECT('dev-999')).csr))],
    ['no OU', 'CSR_SUBJECT_INVALID', (file: string) => writeFileSync(file, readFileSync(opensslCsr(work, 'no-ou', '/C=DE/ST=Bavaria/L=Munich/O=Acme/CN=dev-003').csr))],
    ['a P-384 key', 'KEY_UNSUPPORTED', (file: string) => writeFileSync(file, readFileSync(opensslCsr(work, 'p384', DEVICE_SUBJECT('dev-003'), 'ec:secp384r1').csr))],
    ['an RSA-1024 key', 'KEY_UNSUPPORTED', (file: string) => writeFileSync(file, readFileSync(opensslCsr(work, 'rsa1024', DEVICE_SUBJECT('dev-003'), 'rsa:1024').csr))],
    ['malformed PEM', 'PKI_MALFORMED', (file: string) => writeFileSync(file, '-----BEGIN CERTIFICATE REQUEST-----\nnot*base64!\n-----END CERTIFICATE REQUEST-----\n')],
    ['malformed DER', 'PKI_MALFORMED', (file: string) => writeFileSync(file, Buffer.from([0x30, 0x82, 0x01, 0x00, 0x02, 0x01]))],
  ])('refuses a CSR with %s (%s) and writes nothing', (_case, code, make) => {
    const file = join(work, `${code}-${Math.random().toString(36).slice(2)}.csr`);
    make(file);
    const out = join(work, `${code}.pem`);
    const before = cli(dir, 'cert', 'list', '--device', 'dev-003').value.length;
    const run = runCli(['--data', dir, 'cert', 'issue', '--device', 'dev-003', '--csr', file, '--out', out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`error ${code}:`);
    expect(existsSync(out)).toBe(false);
    expect(cli(dir, 'cert', 'list', '--device', 'dev-003').value).toHaveLength(before);
  });

  it('keeps a CN unique across products (§4) but lets the same device renew', () => {
    const other = certificateProduct(dir);
    device(dir, other, 'dev-001');
    const { csr } = opensslCsr(work, 'dup', DEVICE_SUBJECT('dev-001'));
    expect(cli(dir, 'cert', 'issue', '--device', `${other}/dev-001`, '--csr', csr)).toMatchObject({ ok: false, error: { code: 'CERT_SUBJECT_TAKEN' } });
    const renewed = cli(dir, 'cert', 'issue', '--device', `${productKey}/dev-001`, '--csr', csr);
    expect(renewed).toMatchObject({ ok: true });
    const [first, second] = cli(dir, 'cert', 'list', '--device', `${productKey}/dev-001`).value;
    expect(second.fingerprint).toBe(renewed.value.certificate.fingerprint);
    // Revoking the older certificate leaves the current one on the device.
    expect(cli(dir, 'cert', 'revoke', '--serial', first.serial, '--reason', 'superseded').ok).toBe(true);
    expect(cli(dir, 'device', 'show', `${productKey}/dev-001`).value).toMatchObject({ certFingerprint: second.fingerprint });
  });

  it('issues with a host-made key only when asked, exports it only encrypted', () => {
    const out = join(work, 'host.pem');
    const keyOut = join(work, 'host.key');
    const run = runCli(['--data', dir, '--json', 'cert', 'issue', '--device', 'dev-004', '--generate-key', '--key-algorithm', 'P-256', '--subject', 'C=DE,ST=Bavaria,L=Munich,O=Acme,OU=Line 1', '--out', out, '--key-out', keyOut], {
      env: { ...process.env, COMMISSIONER_PASSPHRASE: 'correct horse battery staple', COMMISSIONER_SCRYPT_LOG2N: '14', COMMISSIONER_KEY_PASSPHRASE: 'export pass 1' },
    });
    expect(run.json()).toMatchObject({ ok: true, value: { certificate: { keySource: 'host', algorithm: 'P-256' } } });
    expect(readFileSync(keyOut, 'utf8')).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    expect(openssl(['verify', '-CAfile', chain, out]).status).toBe(0);
    // The exported key opens with the passphrase and matches the certificate.
    const publicFromKey = openssl(['pkey', '-in', keyOut, '-passin', 'pass:export pass 1', '-pubout']).stdout;
    expect(publicFromKey).toBe(openssl(['x509', '-in', out, '-noout', '-pubkey']).stdout);
    expect(openssl(['pkey', '-in', keyOut, '-passin', 'pass:wrong', '-pubout']).status).not.toBe(0);
  });

  it('refuses a device of a product that does not use certificates (EnOS 99400)', () => {
    const secretProduct = cli(dir, 'product', 'create', '--name', 'Secret meter', '--auth', 'device-secret').value.product.productKey;
    device(dir, secretProduct, 'secret-dev');
    const { csr } = opensslCsr(work, 'secret-dev', DEVICE_SUBJECT('secret-dev'));
    expect(cli(dir, 'cert', 'issue', '--device', 'secret-dev', '--csr', csr)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(cli(dir, 'cert', 'issue', '--device', 'no-such-device', '--csr', csr)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('refuses usage mistakes with exit 2', () => {
    expect(runCli(['--data', dir, 'cert', 'issue', '--device', 'dev-004']).status).toBe(2);
    expect(runCli(['--data', dir, 'cert', 'revoke']).status).toBe(2);
    expect(runCli(['--data', dir, 'ca', 'export']).status).toBe(2);
    expect(runCli(['--data', dir, 'ca', 'init', '--algorithm', 'P-384']).status).toBe(2);
  });

  it('revokes by device and by serial; the CRL parses with openssl and fails the revoked certificate', () => {
    const { csr } = opensslCsr(work, 'dev-003', DEVICE_SUBJECT('dev-003'));
    const out = join(work, 'dev-003.pem');
    const issued = cli(dir, 'cert', 'issue', '--device', 'dev-003', '--csr', csr, '--out', out);
    expect(issued.ok).toBe(true);
    expect(cli(dir, 'cert', 'revoke', '--device', 'dev-003', '--reason', 'keyCompromise')).toMatchObject({ ok: true, value: [{ serial: issued.value.certificate.serial, status: 'revoked', revocationReason: 'keyCompromise' }] });
    expect(cli(dir, 'cert', 'revoke', '--device', 'dev-003')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(cli(dir, 'cert', 'revoke', '--serial', issued.value.certificate.serial)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const rsa = cli(dir, 'cert', 'list', '--device', 'dev-002').value[0];
    const spaced = rsa.serial.toUpperCase().match(/../g).join(':');
    expect(cli(dir, 'cert', 'revoke', '--serial', spaced, '--reason', 'superseded')).toMatchObject({ ok: true, value: [{ serial: rsa.serial }] });

    const crl = join(work, 'crl.pem');
    expect(cli(dir, 'ca', 'crl', '--out', crl)).toMatchObject({ ok: true, value: { entries: 3 } });
    const text = openssl(['crl', '-in', crl, '-noout', '-text']);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(issued.value.certificate.serial.toUpperCase());
    expect(text.stdout).toContain('Key Compromise');
    expect(text.stdout).toContain('Superseded');
    expect(openssl(['crl', '-in', crl, '-noout', '-CAfile', chain]).stderr).toContain('verify OK');
    const checked = openssl(['verify', '-crl_check', '-CRLfile', crl, '-CAfile', chain, out]);
    expect(checked.status).not.toBe(0);
    expect(checked.stdout + checked.stderr).toContain('certificate revoked');
    expect(openssl(['verify', '-crl_check', '-CRLfile', crl, '-CAfile', chain, join(work, 'host.pem')]).status).toBe(0);
    expect(cli(dir, 'cert', 'list', '--device', 'dev-003').value[0]).toMatchObject({ status: 'revoked' });
  });

  it('refuses a second CA and answers CA_NOT_INITIALIZED where there is none', () => {
    expect(cli(dir, 'ca', 'init')).toMatchObject({ ok: false, error: { code: 'CA_EXISTS' } });
    const empty = initDataDir();
    expect(cli(empty, 'ca', 'show')).toMatchObject({ ok: false, error: { code: 'CA_NOT_INITIALIZED' } });
    const out = join(work, 'none.pem');
    expect(cli(empty, 'ca', 'export', '--chain', '--out', out)).toMatchObject({ ok: false, error: { code: 'CA_NOT_INITIALIZED' } });
    expect(existsSync(out)).toBe(false);
    expect(cli(empty, 'ca', 'crl', '--out', out)).toMatchObject({ ok: false, error: { code: 'CA_NOT_INITIALIZED' } });
  });

  it('an RSA-2048 CA issues certificates openssl verifies', () => {
    const rsaDir = initDataDir();
    expect(cli(rsaDir, 'ca', 'init', '--algorithm', 'RSA-2048')).toMatchObject({ ok: true, value: [{ algorithm: 'RSA-2048' }, { algorithm: 'RSA-2048' }] });
    const rsaChain = join(work, 'rsa-chain.pem');
    cli(rsaDir, 'ca', 'export', '--chain', '--out', rsaChain);
    device(rsaDir, certificateProduct(rsaDir), 'rsa-dev');
    const out = join(work, 'rsa-dev.pem');
    expect(cli(rsaDir, 'cert', 'issue', '--device', 'rsa-dev', '--csr', opensslCsr(work, 'rsa-dev', DEVICE_SUBJECT('rsa-dev')).csr, '--out', out).ok).toBe(true);
    expect(openssl(['verify', '-CAfile', rsaChain, out]).status).toBe(0);
    expect(openssl(['x509', '-in', rsaChain, '-noout', '-text']).stdout).toContain('sha256WithRSAEncryption');
  });

  it('exports the station public key (P-256), the same on every run', () => {
    const out = join(work, 'station.pem');
    const exported = cli(dir, 'ca', 'station-key', '--out', out);
    expect(exported).toMatchObject({ ok: true, value: { fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(openssl(['pkey', '-pubin', '-in', out, '-noout', '-text']).stdout).toContain('prime256v1');
    expect(cli(dir, 'ca', 'station-key').value.fingerprint).toBe(exported.value.fingerprint);
  });
});
