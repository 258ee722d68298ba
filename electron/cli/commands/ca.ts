import { readFileSync, writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { KeyAlgorithmSchema, type Authority } from '../../../shared/contract/certificates';
import { ok } from '../../../shared/result';
import { promptHidden } from '../../core/unlock';
import { globalOptions, withApi } from '../context';
import { printResult, UsageError } from '../output';

function parseYears(value: string): number {
  const years = Number(value);
  if (!Number.isInteger(years) || years < 1 || years > 30) throw new UsageError(`--valid-years must be a whole number of years from 1 to 30, not "${value}"`);
  return years;
}

export function parseDays(value: string): number {
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UsageError(`"${value}" is not a number of days (1–3650)`);
  return days;
}

/** Writes an export; only after the service answered, so a failure leaves nothing behind. */
export function writeOutput(file: string | undefined, text: string): { file: string | null; text: string } {
  if (file) writeFileSync(file, text, { mode: 0o600 });
  return { file: file ?? null, text };
}

function authorityLines(authorities: Authority[]): string {
  return authorities
    .map((authority) =>
      [
        `${authority.role.padEnd(8)} ${authority.subject}`,
        `         ${authority.algorithm} · ${authority.source} · ${authority.hasKey ? 'key in vault' : 'no key'} · valid ${new Date(authority.notBefore).toISOString()} – ${new Date(authority.notAfter).toISOString()}`,
        `         sha256 ${authority.fingerprint}`,
      ].join('\n'),
    )
    .join('\n');
}

/** A PKCS#12 password: COMMISSIONER_IMPORT_PASSWORD, the terminal, or none. */
async function importPassword(): Promise<string | undefined> {
  if (process.env.COMMISSIONER_IMPORT_PASSWORD !== undefined) return process.env.COMMISSIONER_IMPORT_PASSWORD;
  return process.stdin.isTTY ? promptHidden('Password of the import (empty for none): ') : undefined;
}

export function registerCaCommands(program: Command): void {
  const ca = program.command('ca').description('the local certificate authority: create, import, show, export the chain, CRL, station key');

  ca.command('init')
    .description('create a root CA and an issuing intermediate; their keys go into the vault')
    .addOption(new Option('--algorithm <algorithm>', 'key type of the CA').choices(KeyAlgorithmSchema.options).default('P-256'))
    .option('--name <name>', 'name in the CA subjects', 'Commissioner')
    .addOption(new Option('--valid-years <n>', 'lifetime of the CA certificates').argParser(parseYears).default(10))
    .action(async (options: { algorithm: 'P-256' | 'RSA-2048'; name: string; validYears: number }, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('certificates.caInit', { algorithm: options.algorithm, name: options.name, validYears: options.validYears }));
      printResult(result, global.json, (authorities) => `Created the local CA\n${authorityLines(authorities)}`);
    });

  ca.command('show')
    .description('show the CA certificates, their validity and fingerprints')
    .action(async (_options, command: Command) => {
      const global = globalOptions(command);
      printResult(await withApi(global, (api) => api.call('certificates.caShow', {})), global.json, authorityLines);
    });

  ca.command('export')
    .description('export the CA chain (issuing CA first) as PEM; private keys are never exported')
    .option('--chain', 'the certificate chain')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (options: { chain?: boolean; out?: string }, command: Command) => {
      const global = globalOptions(command);
      if (!options.chain) throw new UsageError('only the chain can be exported: add --chain');
      const chain = await withApi(global, (api) => api.call('certificates.caChain', {}));
      const result = chain.ok ? ok(writeOutput(options.out, chain.value.pem)) : chain;
      printResult(result, global.json, (value) => (value.file ? `Wrote the CA chain to ${value.file}` : value.text));
    });

  ca.command('import')
    .description("use a site's existing CA: PEM files (certificates and the issuing key) or one PKCS#12 file")
    .argument('<files...>', 'PEM files, or a .p12/.pfx file; password from COMMISSIONER_IMPORT_PASSWORD or asked')
    .action(async (files: string[], _options, command: Command) => {
      const global = globalOptions(command);
      const contents = files.map((file) => readFileSync(file));
      const isPem = contents.map((data) => data.toString('latin1').includes('-----BEGIN '));
      if (isPem.some((pem) => !pem) && files.length > 1) throw new UsageError('a PKCS#12 file is imported alone');
      const password = await importPassword();
      const input = isPem[0] ? { pem: contents.map((data) => data.toString('utf8')), password } : { pkcs12: contents[0]!.toString('base64'), password };
      printResult(await withApi(global, (api) => api.call('certificates.caImport', input)), global.json, (authorities) => `Imported the CA\n${authorityLines(authorities)}`);
    });

  ca.command('crl')
    .description('write the certificate revocation list of the issuing CA')
    .requiredOption('--out <file>', 'PEM file to write')
    .addOption(new Option('--valid-days <n>', 'days until the next update').argParser(parseDays).default(7))
    .action(async (options: { out: string; validDays: number }, command: Command) => {
      const global = globalOptions(command);
      const crl = await withApi(global, (api) => api.call('certificates.crl', { validDays: options.validDays }));
      const result = crl.ok ? ok({ file: writeOutput(options.out, crl.value.pem).file, entries: crl.value.entries }) : crl;
      printResult(result, global.json, (value) => `Wrote the CRL (${value.entries} revoked) to ${value.file}`);
    });

  ca.command('station-key')
    .description("export the station's public signing key (verifies birth records and reports)")
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (options: { out?: string }, command: Command) => {
      const global = globalOptions(command);
      const key = await withApi(global, (api) => api.call('certificates.stationKey', {}));
      const result = key.ok ? ok({ ...writeOutput(options.out, key.value.publicKeyPem), fingerprint: key.value.fingerprint }) : key;
      printResult(result, global.json, (value) => (value.file ? `Wrote the station public key (sha256 ${value.fingerprint}) to ${value.file}` : value.text));
    });
}
