import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { x509 } from '../../electron/pki/x509';
import { cliEnv, initDataDir, runCli, tempDir } from '../helpers/cli';
import { DEVICE_SUBJECT, openssl, opensslCsr } from '../helpers/openssl';

type Json = { ok: boolean; value?: unknown; error?: { code: string; message: string } };
const DAY = 86_400_000;

function cli(dir: string, args: string[], env?: NodeJS.ProcessEnv): Json {
  return runCli(['--data', dir, '--json', ...args], env ? { env: cliEnv(env) } : {}).json<Json>();
}

/** A site CA made by `openssl req -x509` (key type e.g. ec:prime256v1), as PEM files. */
function opensslCa(dir: string, name: string, key = 'ec:prime256v1', ca = true): { cert: string; key: string } {
  const [type, param] = key.split(':') as [string, string];
  const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const keyOptions = type === 'ec' ? ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${param}`] : ['-newkey', `rsa:${param}`];
  const constraints = ca ? ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'] : ['-addext', 'basicConstraints=critical,CA:FALSE'];
  const run = openssl(['req', '-x509', ...keyOptions, '-nodes', '-keyout', files.key, '-out', files.cert, '-subj', `/CN=${name}/O=Site`, '-days', '365', ...constraints]);
  if (run.status !== 0) throw new Error(run.stderr);
  return files;
}

/** A CA certificate valid only in the given window (openssl 3.0's req cannot backdate): made with @peculiar/x509. */
async function caValidBetween(dir: string, name: string, notBefore: number, notAfter: number): Promise<{ cert: string; key: string }> {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = {
    privateKey: await webcrypto.subtle.importKey('pkcs8', pair.privateKey.export({ format: 'der', type: 'pkcs8' }), algorithm, true, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', pair.publicKey.export({ format: 'der', type: 'spki' }), algorithm, true, ['verify']),
  };
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`,
    notBefore: new Date(notBefore),
    notAfter: new Date(notAfter),
    keys: keys as never,
    signingAlgorithm: algorithm,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  writeFileSync(files.cert, certificate.toString('pem'));
  writeFileSync(files.key, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  return files;
}

describe('commissioner ca import', () => {
  let work: string;
  beforeAll(() => {
    work = tempDir('pki-import-');
  });

  function issueAndVerify(dir: string, caCert: string): void {
    const productKey = (cli(dir, ['product', 'create', '--name', 'Meter', '--auth', 'certificate']).value as { product: { productKey: string } }).product.productKey;
    expect(cli(dir, ['device', 'create', '--product', productKey, '--device-key', 'site-dev']).ok).toBe(true);
    const out = join(work, `issued-${Math.random().toString(36).slice(2)}.pem`);
    expect(cli(dir, ['cert', 'issue', '--device', 'site-dev', '--csr', opensslCsr(work, 'site-dev', DEVICE_SUBJECT('site-dev')).csr, '--out', out])).toMatchObject({ ok: true });
    expect(openssl(['verify', '-CAfile', caCert, out]).status).toBe(0);
  }

  it('imports PEM files (certificate + key) and issues under that CA', () => {
    const dir = initDataDir();
    const ca = opensslCa(work, 'pem-ca');
    const imported = cli(dir, ['ca', 'import', ca.cert, ca.key]);
    expect(imported).toMatchObject({ ok: true, value: [{ role: 'issuing', source: 'imported', hasKey: true, subject: 'CN=pem-ca, O=Site' }] });
    issueAndVerify(dir, ca.cert);
  });

  it('imports a PKCS#12 file made by openssl; a wrong password is refused', () => {
    const ca = opensslCa(work, 'p12-ca', 'rsa:2048');
    const p12 = join(work, 'site.p12');
    expect(openssl(['pkcs12', '-export', '-inkey', ca.key, '-in', ca.cert, '-out', p12, '-passout', 'pass:p12 password']).status).toBe(0);
    const wrongDir = initDataDir();
    expect(cli(wrongDir, ['ca', 'import', p12], { COMMISSIONER_IMPORT_PASSWORD: 'not it' })).toMatchObject({ ok: false, error: { code: 'PKI_MALFORMED' } });
    expect(cli(wrongDir, ['ca', 'show'])).toMatchObject({ ok: false, error: { code: 'CA_NOT_INITIALIZED' } });
    const dir = initDataDir();
    expect(cli(dir, ['ca', 'import', p12], { COMMISSIONER_IMPORT_PASSWORD: 'p12 password' })).toMatchObject({ ok: true, value: [{ role: 'issuing', algorithm: 'RSA-2048', hasKey: true }] });
    issueAndVerify(dir, ca.cert);
  });

  it('imports an issuing CA together with its root; the exported chain holds both', () => {
    const root = opensslCa(work, 'chain-root');
    const issuingKey = join(work, 'chain-issuing.key');
    const request = join(work, 'chain-issuing.csr');
    const issuing = join(work, 'chain-issuing.crt');
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', issuingKey, '-subj', '/CN=chain-issuing/O=Site', '-out', request]);
    const extensions = join(work, 'ca.ext');
    writeFileSync(extensions, 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n');
    expect(openssl(['x509', '-req', '-in', request, '-CA', root.cert, '-CAkey', root.key, '-CAcreateserial', '-days', '300', '-extfile', extensions, '-out', issuing]).status).toBe(0);
    const dir = initDataDir();
    expect(cli(dir, ['ca', 'import', root.cert, issuing, issuingKey])).toMatchObject({ ok: true, value: [{ role: 'issuing', subject: 'CN=chain-issuing, O=Site' }, { role: 'root', hasKey: false }] });
    const chain = join(work, 'imported-chain.pem');
    cli(dir, ['ca', 'export', '--chain', '--out', chain]);
    expect(readFileSync(chain, 'utf8').match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    issueAndVerify(dir, chain);
  });

  it.each([
    ['a CA certificate without its key', 'CA_KEY_MISSING', async () => [opensslCa(work, 'keyless').cert]],
    ['a certificate that is not a CA', 'VALIDATION_FAILED', async () => Object.values(opensslCa(work, 'leaf', 'ec:prime256v1', false))],
    ['an expired CA', 'CERT_NOT_VALID_NOW', async () => Object.values(await caValidBetween(work, 'expired', Date.now() - 400 * DAY, Date.now() - DAY))],
    ['a CA not yet valid', 'CERT_NOT_VALID_NOW', async () => Object.values(await caValidBetween(work, 'future', Date.now() + DAY, Date.now() + 400 * DAY))],
    ['a P-384 CA', 'KEY_UNSUPPORTED', async () => Object.values(opensslCa(work, 'p384', 'ec:secp384r1'))],
    ['malformed PEM', 'PKI_MALFORMED', async () => {
      const file = join(work, 'broken.pem');
      writeFileSync(file, '-----BEGIN CERTIFICATE-----\nMIIB!!!\n-----END CERTIFICATE-----\n');
      return [file];
    }],
    ['malformed DER in PEM', 'PKI_MALFORMED', async () => {
      const file = join(work, 'truncated.pem');
      writeFileSync(file, '-----BEGIN CERTIFICATE-----\nMIIBAAIBAA==\n-----END CERTIFICATE-----\n');
      return [file];
    }],
  ])('refuses %s (%s) and writes nothing', async (_case, code, files) => {
    const dir = initDataDir();
    expect(cli(dir, ['ca', 'import', ...(await files())])).toMatchObject({ ok: false, error: { code } });
    expect(cli(dir, ['ca', 'show'])).toMatchObject({ ok: false, error: { code: 'CA_NOT_INITIALIZED' } });
  });

  it('refuses to replace an existing CA', () => {
    const dir = initDataDir();
    expect(cli(dir, ['ca', 'init']).ok).toBe(true);
    const ca = opensslCa(work, 'second');
    expect(cli(dir, ['ca', 'import', ca.cert, ca.key])).toMatchObject({ ok: false, error: { code: 'CA_EXISTS' } });
  });
});
