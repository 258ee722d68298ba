import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { Option, type Command } from 'commander';
import type { Api } from '../../../shared/api';
import { DeviceProtocolSchema } from '../../../shared/contract/products';
import type { ProvisionResult } from '../../../shared/contract/provisioning';
import { err, ok, type Result } from '../../../shared/result';
import { birthRecordPdf, embeddedRecord } from '../../provisioning/report-pdf';
import { globalOptions, withApi } from '../context';
import { printProgress, printResult, UsageError } from '../output';
import { parseList, readInput } from './input-files';

/** Without an owner the hub starts in-process on free loopback ports: it is what the device is told to reach. */
const IN_PROCESS_HUB = { hub: { host: '127.0.0.1', mqttPort: 0, mqttsPort: 0, wssPort: null } };

export interface RunFlags {
  product: string;
  protocols?: string;
  node?: string;
  baud: string;
  at?: boolean;
  profile?: string;
  ifProvisioned: 'skip' | 'reverify' | 'reprovision';
  unmatched: 'naming-rule' | 'hold';
  operator: string;
  verifyTimeout: string;
}

function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${value}"`);
  return number;
}

/** The run options of `provision` and `batch`; a station takes them for its slots, where --product is needed only with --slot. */
export function addRunOptions(command: Command, productRequired = true): Command {
  const product = new Option('--product <PK>', 'the product the device is commissioned as');
  return command
    .addOption(productRequired ? product.makeOptionMandatory() : product)
    .option('--protocols <list>', 'verify over these protocols (default: every protocol of the product): mqtt,http,coap')
    .option('--node <ID>', 'asset node the device is placed under on success')
    .option('--baud <n>', 'line speed', '115200')
    .option('--at', 'the device speaks AT commands (see --profile)')
    .option('--profile <name>', 'AT profile')
    .addOption(new Option('--if-provisioned <action>', 'a device provisioned before: skip it, re-verify it, or re-provision it with rotated credentials').choices(['skip', 'reverify', 'reprovision']).default('skip'))
    .addOption(new Option('--unmatched <action>', 'a device no plan row matches: name it by the product rule, or hold it for an operator').choices(['naming-rule', 'hold']).default('naming-rule'))
    .option('--operator <name>', 'who runs the station (recorded in the ledger)', process.env.USER ?? '')
    .option('--verify-timeout <ms>', 'verification budget per protocol', '10000');
}

export function runInput(flags: RunFlags) {
  return {
    productKey: flags.product,
    ...(flags.protocols ? { protocols: parseList(flags.protocols, DeviceProtocolSchema.options, '--protocols') } : {}),
    ...(flags.node ? { node: flags.node } : {}),
    driver: flags.at ? ('at' as const) : ('framed' as const),
    ...(flags.profile ? { profile: flags.profile } : {}),
    baud: wholeNumber('--baud', flags.baud, 50, 12_000_000),
    ifProvisioned: flags.ifProvisioned,
    unmatched: flags.unmatched,
    operator: flags.operator,
    verifyTimeoutMs: wholeNumber('--verify-timeout', flags.verifyTimeout, 100, 120_000),
  };
}

function resultText(result: ProvisionResult): string {
  const head = `${result.port}: ${result.outcome.toUpperCase()} ${result.deviceKey ? `${result.productKey}/${result.deviceKey}` : result.productKey}${result.serial ? ` (serial ${result.serial})` : ''}${result.resumed ? ' [resumed]' : ''}`;
  const steps = result.steps.map((step) => `  ${step.step.padEnd(11)}${step.status.padEnd(8)}${String(Math.round(step.ms)).padStart(6)} ms  ${step.detail}`);
  const checks = result.checks.map((check) => `  ${`${check.protocol} ${check.check}`.padEnd(19)}${check.result.padEnd(15)}${check.latencyMs === null ? '' : `${check.latencyMs} ms  `}${check.explanation}`);
  return [head, ...steps, ...(checks.length > 0 ? ['  checks:', ...checks] : []), ...(result.error ? [`  ${result.error.code}: ${result.error.message}`] : [])].join('\n');
}

/** Streams the pipeline's progress while `body` runs: JSON lines with --json, a line per step otherwise. */
async function withProgress<T>(api: Api, json: boolean, body: () => Promise<Result<T>>): Promise<Result<T>> {
  const off = api.on('provisioning.progress', (progress) => {
    if (progress.status === 'started' && !json) return;
    printProgress(json, { type: 'provisioning.progress', ...progress }, `[${progress.port}] ${progress.step} ${progress.status}${progress.deviceKey ? ` ${progress.deviceKey}` : ''}${progress.detail ? `: ${progress.detail}` : ''}`);
  });
  try {
    return await body();
  } finally {
    off();
  }
}

async function askIfProvisioned(deviceKey: string): Promise<'skip' | 'reverify' | 'reprovision'> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await prompt.question(`${deviceKey} was provisioned before: [r]e-verify, re-[p]rovision with rotated credentials, or [s]kip? `)).trim().toLowerCase();
    return answer.startsWith('r') ? 'reverify' : answer.startsWith('p') ? 'reprovision' : 'skip';
  } finally {
    prompt.close();
  }
}

/** A device that was not provisioned is a failed command (exit 1), with its result printed in full. */
function markFailures(results: readonly ProvisionResult[]): void {
  if (results.some((result) => result.outcome === 'failed' || result.outcome === 'held')) process.exitCode = 1;
}

function writeOut(path: string, bytes: Buffer | string): Result<{ path: string; bytes: number }> {
  try {
    writeFileSync(path, bytes);
    return ok({ path, bytes: Buffer.byteLength(bytes) });
  } catch (error) {
    return err('DATA_DIR_UNWRITABLE', `${path} cannot be written (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
}

/** Issue 9: `provision`, `batch`, `ledger`, `report` and `label`. */
export function registerProvisioningCommands(program: Command): void {
  addRunOptions(program.command('provision').description('take one device through identify → plan → credential → verify → commit → record'))
    .requiredOption('--port <PATH>', 'the serial port (or sim link) the device is on')
    .action(async (flags: RunFlags & { port: string }, command: Command) => {
      const global = globalOptions(command);
      const input = { ...runInput(flags), port: flags.port };
      // At a terminal, a device provisioned before is offered the choice; with --json or headless, the documented default (skip).
      const ask = !global.json && process.stdin.isTTY && process.stderr.isTTY && command.getOptionValueSource('ifProvisioned') === 'default';
      const result = await withApi(
        global,
        (api) =>
          withProgress(api, global.json, async () => {
            const first = await api.call('provisioning.provision', input);
            if (!ask || !first.ok || first.value.outcome !== 'skipped') return first;
            const action = await askIfProvisioned(first.value.deviceKey ?? flags.port);
            return action === 'skip' ? first : api.call('provisioning.provision', { ...input, ifProvisioned: action });
          }),
        { inProcess: IN_PROCESS_HUB },
      );
      printResult(result, global.json, resultText);
      if (result.ok) markFailures([result.value]);
    });

  addRunOptions(program.command('batch').description('a factory station run: every slot in parallel, a failure in one never stops the others'))
    .option('--plan <FILE.csv>', 'the MES plan (device CSV: productKey,deviceKey,name,serial,mac,…); rows become planned devices')
    .option('--ports <P1,P2>', 'the slots (port paths or sim links)')
    .option('--all', 'every port the station knows')
    .action(async (flags: RunFlags & { plan?: string; ports?: string; all?: boolean }, command: Command) => {
      const global = globalOptions(command);
      if (!flags.ports === !flags.all) throw new UsageError('give either --ports P1,P2 or --all');
      const ports = flags.ports?.split(',').map((port) => port.trim()).filter(Boolean);
      const input = { ...runInput(flags), ...(ports ? { ports } : {}), all: Boolean(flags.all), ...(flags.plan ? { planCsv: readInput(flags.plan).toString('utf8') } : {}) };
      const result = await withApi(global, (api) => withProgress(api, global.json, () => api.call('provisioning.batch', input)), { inProcess: IN_PROCESS_HUB });
      printResult(result, global.json, (value) =>
        [...value.results.map(resultText), `summary: ${value.summary.provisioned} provisioned, ${value.summary.failed} failed, ${value.summary.skipped} skipped, ${value.summary.held} held`].join('\n'),
      );
      if (result.ok) markFailures(result.value.results);
    });

  const ledger = program.command('ledger').description('the provisioning ledger: append-only, hash-chained');
  ledger
    .command('verify')
    .description('walk the hash chain; fails naming the first entry that was changed, removed or inserted')
    .action(async (_options: unknown, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('provisioning.ledger.verify', {}));
      printResult(result, global.json, (value) => `ledger OK: ${value.entries} entries, head ${value.head}`);
    });
  ledger
    .command('export')
    .description('print (or write) every entry')
    .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
    .option('--out <FILE>', 'write to this file instead of stdout')
    .action(async (options: { format: 'csv' | 'json'; out?: string }, command: Command) => {
      const global = globalOptions(command);
      const exported = await withApi(global, (api) => api.call('provisioning.ledger.export', { format: options.format }));
      if (!exported.ok || !options.out) return printResult(exported, global.json, (value) => value.text);
      const entries = exported.value.entries;
      printResult(writeOut(options.out, exported.value.text), global.json, (value) => `${entries} entries written to ${value.path}`);
    });

  const report = program.command('report').description("a device's signed birth record: `report DK --out FILE`, `report verify FILE`");
  // `report DK --out FILE` runs this default subcommand, so that `report verify FILE` stays a command of its own.
  report
    .command('write', { isDefault: true, hidden: true })
    .description("write a device's signed birth record: JSON, or a printable PDF when FILE ends in .pdf")
    .argument('<DK>', 'PK/DK or a unique deviceKey')
    .requiredOption('--out <FILE>', 'where to write it')
    .action(async (device: string, options: { out: string }, command: Command) => {
      const global = globalOptions(command);
      const record = await withApi(global, (api) => api.call('provisioning.report', { device }));
      const result = record.ok ? writeOut(options.out, options.out.toLowerCase().endsWith('.pdf') ? await birthRecordPdf(record.value) : `${JSON.stringify(record.value, null, 2)}\n`) : record;
      printResult(result, global.json, (value) => `birth record written to ${value.path}`);
    });
  report
    .command('verify')
    .description("check a birth record's signature (JSON, or the record attached to the PDF)")
    .argument('<FILE>', 'the JSON or PDF file')
    .action(async (file: string, _options: unknown, command: Command) => {
      const global = globalOptions(command);
      const bytes = readInput(file);
      const text = bytes.subarray(0, 5).toString('latin1') === '%PDF-' ? embeddedRecord(bytes) : bytes.toString('utf8');
      let record: unknown = null;
      try {
        record = text === null ? null : JSON.parse(text);
      } catch {
        record = null;
      }
      const result = await withApi(global, (api) => api.call('provisioning.report.verify', { record }));
      printResult(result, global.json, (value) => `signature OK: ${value.deviceKey}, signed by station key ${value.keyId}`);
    });

  program
    .command('label')
    .description("a device label: QR code of its identity URI (never a secret) and its keys, as PDF or ZPL")
    .argument('<DK>', 'PK/DK or a unique deviceKey')
    .addOption(new Option('--format <format>', 'pdf or zpl').choices(['pdf', 'zpl']).makeOptionMandatory())
    .requiredOption('--out <FILE>', 'where to write it')
    .action(async (device: string, options: { format: 'pdf' | 'zpl'; out: string }, command: Command) => {
      const global = globalOptions(command);
      const label = await withApi(global, (api) => api.call('provisioning.label', { device, format: options.format }));
      const result = label.ok ? writeOut(options.out, Buffer.from(label.value.base64, 'base64')) : label;
      printResult(result, global.json, (value) => `label (${label.ok ? label.value.identityUri : ''}) written to ${value.path}`);
    });
}
