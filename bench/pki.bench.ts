import { createCipheriv, generateKeyPairSync, randomBytes, sign, webcrypto } from 'node:crypto';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { LocalCa } from '../electron/pki/authority';
import { buildClientCertificate } from '../electron/pki/client-certificate';
import { checkCsr } from '../electron/pki/csr';
import { LocalCaIssuer } from '../electron/pki/device-certificates';
import { generateKeyPkcs8 } from '../electron/pki/keys';
import { randomSerial } from '../electron/pki/serial';
import { PkiStore } from '../electron/pki/store';
import { Vault } from '../electron/pki/vault';
import { x509 } from '../electron/pki/x509';
import { openDatabase, type Db } from '../electron/registry/database';
import { pki } from '../electron/registry/migrations/004-pki';
import { tempDir } from '../test/helpers/cli';
import { rateRatio, report, timeRatio } from './report';

/**
 * Issue 7 "Benchmark": full issuance from a P-256 CSR (parse, verify, build, sign, store) per
 * second on one core, against node's raw ECDSA P-256 sign rate in the same run (target ≥ 0.3×);
 * RSA-2048 host key generation against P-256's; vault seal/open against raw AES-256-GCM.
 */
const CSRS = 400;
const SUBJECT = 'C=DE, ST=Bavaria, L=Munich, O=Acme, OU=Meters';

function fresh(): { db: Db; vault: Vault } {
  const opened = openDatabase(join(tempDir('commissioner-pki-bench-'), 'commissioner.db'), { create: true });
  if (!opened.ok) throw new Error(opened.error.message);
  const db = opened.value;
  // The pki tables whatever this build's migration list holds.
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'certificates'").get()) db.exec(pki.up as string);
  const vault = Vault.create(db, { method: 'passphrase', passphrase: 'bench passphrase' }, { scrypt: { N: 2 ** 14, r: 8, p: 1 } });
  if (!vault.ok) throw new Error(vault.error.message);
  return { db, vault: vault.value };
}

/** Runs `body` repeatedly for about `ms` and returns operations per second. */
function rate(body: () => void, ms = 1000): number {
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    body();
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

async function deviceCsrs(): Promise<string[]> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const csrs: string[] = [];
  for (let index = 0; index < CSRS; index++) {
    const keys = await webcrypto.subtle.generateKey(algorithm, false, ['sign', 'verify']);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `${SUBJECT}, CN=dev-${index}`, keys: keys as never, signingAlgorithm: algorithm });
    csrs.push(csr.toString('pem'));
  }
  return csrs;
}

it('P-256 issuance from CSRs vs raw ECDSA P-256 signing', async () => {
  const { db, vault } = fresh();
  const store = new PkiStore(db);
  const ca = new LocalCa(store, () => ({ ok: true, value: vault }), Date.now);
  expect((await ca.init({ algorithm: 'P-256', name: 'Bench', validYears: 1 })).ok).toBe(true);
  const issuer = new LocalCaIssuer(ca, store, () => ({ ok: true, value: vault }), Date.now, () => undefined);
  const csrs = await deviceCsrs();

  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const tbs = randomBytes(400); // about the size of a device certificate's signed part
  const rawSign = rate(() => sign('sha256', tbs, privateKey));

  issuer.issueRow({ productKey: 'pBench01', deviceKey: 'dev-0' }, csrs[0]!, 730); // warm-up: loads the CA key
  const signer = ca.signer();
  if (!signer.ok) throw new Error(signer.error.message);
  const unstored = rate(() => {
    const csr = checkCsr(csrs[1]!, 'dev-1');
    if (!csr.ok) throw new Error(csr.error.message);
    buildClientCertificate(signer.value, { serial: randomSerial(), ...csr.value, notBefore: Date.now(), notAfter: Date.now() + 86_400_000 });
  });
  report({
    bench: 'pki',
    case: 'P-256 certificate from a CSR without storing it (parse, verify, build, sign)',
    value: Math.round(unstored),
    unit: 'certs/s',
    anchor: { name: 'node crypto.sign ECDSA P-256 (raw signature)', value: Math.round(rawSign) },
    ratio: rateRatio(unstored, rawSign),
  });
  const start = performance.now();
  for (let index = 1; index < CSRS; index++) {
    const issued = issuer.issueRow({ productKey: 'pBench01', deviceKey: `dev-${index}` }, csrs[index]!, 730);
    if (!issued.ok) throw new Error(issued.error.message);
  }
  const issuance = (CSRS - 1) / ((performance.now() - start) / 1000);
  report({
    bench: 'pki',
    case: 'P-256 certificate issued from a CSR (parse, verify, build, sign, store)',
    value: Math.round(issuance),
    unit: 'certs/s',
    anchor: { name: 'node crypto.sign ECDSA P-256 (raw signature)', value: Math.round(rawSign) },
    ratio: rateRatio(issuance, rawSign),
    target: '≥ 0.3',
  });
  expect(store.certificates({ kind: 'device' })).toHaveLength(CSRS);
});

it('RSA-2048 host key generation vs P-256', () => {
  const time = (algorithm: 'P-256' | 'RSA-2048', runs: number) => {
    const start = performance.now();
    for (let index = 0; index < runs; index++) generateKeyPkcs8(algorithm);
    return (performance.now() - start) / runs;
  };
  const p256 = time('P-256', 200);
  const rsa = time('RSA-2048', 10);
  report({ bench: 'pki', case: 'RSA-2048 host key generation (node crypto)', value: Number(rsa.toFixed(1)), unit: 'ms/key', anchor: { name: 'P-256 host key generation', value: Number(p256.toFixed(3)) }, ratio: timeRatio(rsa, p256) });
});

it('vault seal and open vs raw AES-256-GCM', () => {
  const { vault } = fresh();
  const secret = 'DsDemoSecret00012345';
  let index = 0;
  const seal = rate(() => vault.put(`bench:${index++ % 1000}`, secret, 'bench'));
  const open = rate(() => vault.getBuffer(`bench:${index++ % 1000}`));
  const key = randomBytes(32);
  const raw = rate(() => {
    const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
    cipher.update(secret);
    cipher.final();
    cipher.getAuthTag();
  });
  report({ bench: 'pki', case: 'vault seal (AES-256-GCM + SQLite upsert)', value: Math.round(seal), unit: 'ops/s', anchor: { name: 'raw AES-256-GCM seal', value: Math.round(raw) }, ratio: rateRatio(seal, raw) });
  report({ bench: 'pki', case: 'vault open (SQLite read + AES-256-GCM)', value: Math.round(open), unit: 'ops/s', anchor: { name: 'raw AES-256-GCM seal', value: Math.round(raw) }, ratio: rateRatio(open, raw) });
});
