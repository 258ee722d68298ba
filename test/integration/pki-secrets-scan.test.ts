import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Vault } from '../../electron/pki/vault';
import { openDatabase } from '../../electron/registry/database';
import { cliEnv, runCli, tempDir } from '../helpers/cli';
import { DEVICE_SUBJECT, opensslCsr } from '../helpers/openssl';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** The ways a secret could leak into a file: as text, and for binary keys also as base64 and hex. */
function forms(secret: string | Buffer): Buffer[] {
  if (typeof secret === 'string') return [Buffer.from(secret)];
  const base64 = secret.toString('base64');
  // Any 48-byte stretch of the key's DER would identify it; so would the PEM's first body line.
  return [secret.subarray(16, 64), Buffer.from(base64.slice(0, 64)), Buffer.from(base64.slice(64, 128)), Buffer.from(secret.subarray(16, 48).toString('hex'))];
}

describe('no secret in clear after a full CLI run', () => {
  it('finds no passphrase, device/product secret or private key in the data folder, logs and exports', () => {
    const data = tempDir();
    const exports = tempDir('pki-exports-');
    const deviceSide = tempDir('pki-device-');
    mkdirSync(exports, { recursive: true });
    const first = 'first scan passphrase';
    const second = 'second scan passphrase';
    const keyPassphrase = 'exported key passphrase';
    const env = cliEnv({ COMMISSIONER_PASSPHRASE: first, COMMISSIONER_KEY_PASSPHRASE: keyPassphrase });
    const run = <T = unknown>(...args: string[]): T => {
      const result = runCli(['--data', data, '--log-level', 'debug', '--json', ...args], { env });
      const json = result.json<{ ok: boolean; value?: Record<string, unknown> }>();
      expect(json.ok, `${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(true);
      return json.value as T;
    };

    run('init');
    run('ca', 'init', '--name', 'Scan');
    const certificateProduct = run<{ product: { productKey: string } }>('product', 'create', '--name', 'Cert meter', '--auth', 'certificate').product;
    const secretProduct = run<{ productSecret: string }>('product', 'create', '--name', 'Dyn meter', '--auth', 'product-secret');
    const created = run<{ deviceSecret: string }>('device', 'create', '--product', certificateProduct.productKey, '--device-key', 'scan-1');
    run('device', 'create', '--product', certificateProduct.productKey, '--device-key', 'scan-2');
    run('cert', 'issue', '--device', 'scan-1', '--csr', opensslCsr(deviceSide, 'scan-1', DEVICE_SUBJECT('scan-1')).csr, '--out', join(exports, 'scan-1.pem'));
    const host = run<{ certificate: { serial: string } }>('cert', 'issue', '--device', 'scan-2', '--generate-key', '--key-algorithm', 'P-256', '--out', join(exports, 'scan-2.pem'), '--key-out', join(exports, 'scan-2.key'));
    run('cert', 'revoke', '--serial', host.certificate.serial, '--reason', 'superseded');
    run('ca', 'crl', '--out', join(exports, 'crl.pem'));
    run('ca', 'export', '--chain', '--out', join(exports, 'chain.pem'));
    run('ca', 'station-key', '--out', join(exports, 'station.pem'));
    run('cert', 'list');
    expect(runCli(['--data', data, '--json', 'vault', 'passphrase'], { env: cliEnv({ COMMISSIONER_PASSPHRASE: first, COMMISSIONER_NEW_PASSPHRASE: second }) }).json()).toMatchObject({ ok: true });

    // Every private key the station holds, read back through the vault.
    const db = openDatabase(join(data, 'commissioner.db'), { create: false });
    if (!db.ok) throw new Error(db.error.message);
    const vault = Vault.unlock(db.value, { method: 'passphrase', passphrase: second });
    if (!vault.ok) throw new Error(vault.error.message);
    const ids = (db.value.prepare('SELECT id FROM vault_secrets').all() as { id: string }[]).map((row) => row.id);
    const keys = ids.filter((id) => id.startsWith('pki/')).map((id) => vault.value.getBuffer(id)!);
    db.value.close();
    expect(keys.length).toBeGreaterThanOrEqual(4); // root, issuing, host-made device key, station key

    const secrets: [string, string | Buffer][] = [
      ['first passphrase', first],
      ['second passphrase', second],
      ['key export passphrase', keyPassphrase],
      ['deviceSecret', created.deviceSecret],
      ['productSecret', secretProduct.productSecret],
      ...keys.map((key, index): [string, Buffer] => [`private key ${index}`, key]),
    ];
    const scanned = [...files(data), ...files(exports)].filter((path) => !path.endsWith('run.json'));
    expect(scanned.some((path) => path.includes('log'))).toBe(true);
    const leaks: string[] = [];
    for (const path of scanned) {
      const content = readFileSync(path);
      for (const [name, secret] of secrets) if (forms(secret).some((form) => content.includes(form))) leaks.push(`${name} in ${path}`);
    }
    expect(leaks).toEqual([]);
  });
});
