import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { KeyAlgorithmSchema, RevocationReasonSchema, type CertificateInfo, type KeyAlgorithmName, type RevocationReason } from '../../../shared/contract/certificates';
import { ok } from '../../../shared/result';
import { pemOrDerToPem } from '../../pki/pem';
import { globalOptions, withApi } from '../context';
import { printResult, UsageError } from '../output';
import { parseDays, writeOutput } from './ca';
import { chosenSecret } from './vault';

const SUBJECT_FIELDS = ['C', 'ST', 'L', 'O', 'OU'] as const;
type SubjectFields = Partial<Record<(typeof SUBJECT_FIELDS)[number], string>>;

/** `C=DE,ST=Bavaria,L=Munich,O=Acme,OU=Line 1`: the §4 subject fields of a host-made key. */
function parseSubject(value: string): SubjectFields {
  const fields: SubjectFields = {};
  for (const part of value.split(',')) {
    const [name, ...rest] = part.split('=');
    const key = name?.trim() as (typeof SUBJECT_FIELDS)[number];
    if (!SUBJECT_FIELDS.includes(key) || rest.length === 0) throw new UsageError(`--subject takes C=…,ST=…,L=…,O=…,OU=… (not "${part}")`);
    fields[key] = rest.join('=').trim();
  }
  return fields;
}

/** The passphrase that encrypts an exported key. */
const exportPassphrase = () => chosenSecret('COMMISSIONER_KEY_PASSPHRASE', 'passphrase for the exported key');

export function certificateLine(certificate: CertificateInfo): string {
  const who = certificate.kind === 'device' ? `${certificate.productKey}/${certificate.deviceKey}` : `server ${certificate.commonName}`;
  const revoked = certificate.revokedAt ? ` (${certificate.revocationReason} ${new Date(certificate.revokedAt).toISOString()})` : '';
  return [
    `${certificate.status.toUpperCase().padEnd(8)} ${who}  serial ${certificate.serial}${revoked}`,
    `         ${certificate.algorithm} · key ${certificate.keySource === 'csr' ? 'on device' : 'host-made'} · ${new Date(certificate.notBefore).toISOString()} – ${new Date(certificate.notAfter).toISOString()}`,
    `         sha256 ${certificate.fingerprint}`,
  ].join('\n');
}

interface IssueOptions {
  device: string;
  csr?: string;
  generateKey?: boolean;
  keyAlgorithm?: KeyAlgorithmName;
  subject?: SubjectFields;
  validDays: number;
  out?: string;
  keyOut?: string;
}

export function registerCertCommands(program: Command): void {
  const cert = program.command('cert').description('device certificates: issue from a CSR, revoke, list');

  cert
    .command('issue')
    .description("sign a device's CSR with the local CA (CN = deviceKey, §4); --generate-key only for devices that cannot make a key")
    .requiredOption('--device <ref>', 'PK/DK, or a deviceKey unique in the registry')
    .option('--csr <file>', 'the device CSR (PEM or DER)')
    .option('--generate-key', 'make the key on this host instead (kept in the vault)')
    .addOption(new Option('--key-algorithm <algorithm>', 'host-made key type (default RSA-2048, as EnOS)').choices(KeyAlgorithmSchema.options))
    .option('--subject <fields>', 'subject of a host-made key: C=…,ST=…,L=…,O=…,OU=…', parseSubject)
    .addOption(new Option('--valid-days <n>', 'certificate lifetime (EnOS default 730)').argParser(parseDays).default(730))
    .option('--out <file>', 'write the certificate followed by the CA chain here (default: stdout)')
    .option('--key-out <file>', 'also export a host-made key, encrypted (COMMISSIONER_KEY_PASSPHRASE or asked)')
    .action(async (options: IssueOptions, command: Command) => {
      const global = globalOptions(command);
      if (!options.csr === !options.generateKey) throw new UsageError('give --csr FILE, or --generate-key for a device that cannot make a key');
      if (options.keyOut && !options.generateKey) throw new UsageError('--key-out needs --generate-key: a CSR key never leaves the device');
      const csr = options.csr ? pemOrDerToPem(readFileSync(options.csr), 'CERTIFICATE REQUEST') : undefined;
      const keyPassphrase = options.keyOut ? await exportPassphrase() : undefined;
      const result = await withApi(global, async (api) => {
        const issued = await api.call('certificates.issue', {
          device: options.device,
          csr,
          generateKey: Boolean(options.generateKey),
          keyAlgorithm: options.keyAlgorithm,
          subject: options.subject,
          validDays: options.validDays,
        });
        if (!issued.ok || !options.keyOut) return issued;
        const key = await api.call('certificates.exportKey', { serial: issued.value.certificate.serial, passphrase: keyPassphrase! });
        if (!key.ok) return key;
        writeOutput(options.keyOut, key.value.pem);
        return issued;
      });
      const written = result.ok ? ok({ ...result.value, ...writeOutput(options.out, result.value.certificatePem + result.value.chainPem) }) : result;
      printResult(written, global.json, (value) => `${value.file ? `Wrote the certificate and chain to ${value.file}\n` : value.text}${certificateLine(value.certificate)}`);
    });

  cert
    .command('revoke')
    .description("revoke a device's certificates (or one by serial); the hub refuses them and drops live sessions")
    .option('--device <ref>', 'every valid certificate of this device')
    .option('--serial <hex>', 'one certificate')
    .addOption(new Option('--reason <reason>', 'RFC 5280 reason (EnOS §11.4)').choices(RevocationReasonSchema.options).default('unspecified'))
    .action(async (options: { device?: string; serial?: string; reason: RevocationReason }, command: Command) => {
      const global = globalOptions(command);
      if (!options.device === !options.serial) throw new UsageError('give --device DK or --serial S');
      const result = await withApi(global, (api) => api.call('certificates.revoke', { device: options.device, serial: options.serial, reason: options.reason }));
      printResult(result, global.json, (revoked) => revoked.map(certificateLine).join('\n'));
    });

  cert
    .command('list')
    .description('certificates with status, validity and fingerprint')
    .option('--device <ref>', "only this device's")
    .action(async (options: { device?: string }, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('certificates.list', { device: options.device }));
      printResult(result, global.json, (certificates) => (certificates.length ? certificates.map(certificateLine).join('\n') : 'No certificates.'));
    });

  cert
    .command('export-key')
    .description('export a host-made device key, encrypted PKCS#8 PEM (COMMISSIONER_KEY_PASSPHRASE or asked)')
    .requiredOption('--serial <hex>', 'the certificate whose key to export')
    .requiredOption('--out <file>', 'PEM file to write')
    .action(async (options: { serial: string; out: string }, command: Command) => {
      const global = globalOptions(command);
      const passphrase = await exportPassphrase();
      const key = await withApi(global, (api) => api.call('certificates.exportKey', { serial: options.serial, passphrase }));
      const result = key.ok ? ok({ file: writeOutput(options.out, key.value.pem).file }) : key;
      printResult(result, global.json, (value) => `Wrote the encrypted key to ${value.file}`);
    });
}
