import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Runs the real `openssl` binary (a test peer; the product never shells out to it). */
export function openssl(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('openssl', args, { encoding: 'utf8', input });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

export const DEVICE_SUBJECT = (deviceKey: string) => `/C=DE/ST=Bavaria/L=Munich/O=Acme/OU=Meters/CN=${deviceKey}`;

/** A CSR made by `openssl req` with a fresh key: `ec:prime256v1`, `ec:secp384r1`, `rsa:2048`, `rsa:1024`. */
export function opensslCsr(dir: string, name: string, subject: string, key = 'ec:prime256v1'): { csr: string; key: string } {
  const [type, param] = key.split(':') as [string, string];
  const keyFile = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const keyOptions = type === 'ec' ? ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${param}`] : ['-newkey', `rsa:${param}`];
  const run = openssl(['req', '-new', ...keyOptions, '-nodes', '-keyout', keyFile, '-subj', subject, '-out', csr]);
  if (run.status !== 0) throw new Error(`openssl req failed: ${run.stderr}`);
  return { csr, key: keyFile };
}
