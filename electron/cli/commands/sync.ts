import { Option, type Command } from 'commander';
import type { SyncStatus, SyncTargetInfo } from '../../../shared/contract';
import { err, ok, type Result } from '../../../shared/result';
import { promptHidden } from '../../core/unlock';
import { globalOptions, withApi } from '../context';
import { printProgress, printResult, UsageError } from '../output';

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`"${value}" is not a positive number`);
  return number;
}

function positiveInteger(value: string): number {
  const number = positiveNumber(value);
  if (!Number.isInteger(number)) throw new UsageError(`"${value}" is not a whole number`);
  return number;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Pacing options every `sync target add` takes (defaults in electron/sync/pacing.ts). */
function addPacingOptions(command: Command): Command {
  return command
    .option('--name <name>', 'name of the target (default: its kind)')
    .addOption(new Option('--rate <n>', 'calls per second (default 5: EnOS publishes no limit)').argParser(positiveNumber))
    .addOption(new Option('--burst <n>', 'calls allowed at once before the rate applies (default 5)').argParser(positiveInteger))
    .addOption(new Option('--concurrency <n>', 'independent items in flight at once (default 4)').argParser(positiveInteger))
    .addOption(new Option('--backoff-ms <n>', 'first retry delay; doubles per attempt with jitter (default 1000)').argParser(positiveInteger))
    .addOption(new Option('--timeout-ms <n>', 'per-call timeout (default 15000)').argParser(positiveInteger));
}

interface PacingFlags {
  name?: string;
  rate?: number;
  burst?: number;
  concurrency?: number;
  backoffMs?: number;
  timeoutMs?: number;
}

const pacing = (flags: PacingFlags) => ({ name: flags.name, rate: flags.rate, burst: flags.burst, concurrency: flags.concurrency, backoffMs: flags.backoffMs, timeoutMs: flags.timeoutMs });

/** The EnOS app secret: from COMMISSIONER_APP_SECRET, or asked on the terminal; never a flag (it would land in shell history). */
async function appSecret(): Promise<Result<string>> {
  if (process.env.COMMISSIONER_APP_SECRET) return ok(process.env.COMMISSIONER_APP_SECRET);
  if (!process.stdin.isTTY) return err('SYNC_APP_SECRET_MISSING');
  const secret = await promptHidden('EnOS app secret: ');
  return secret ? ok(secret) : err('SYNC_APP_SECRET_MISSING');
}

function describeTarget(target: SyncTargetInfo): string {
  const where = target.kind === 'enos' ? `${target.url} org ${target.orgId} app ${target.appKey}${target.deviceEndpoints?.length ? ` devices ${target.deviceEndpoints.join(' ')}` : ''}` : `${target.url} token from $${target.tokenEnv}`;
  return `${target.name.padEnd(12)} ${target.kind.padEnd(5)} ${where} (${target.rate}/s, burst ${target.burst})`;
}

function describeStatus(status: SyncStatus): string {
  const error = status.lastError ? `\n    last error ${status.lastError.code}: ${status.lastError.message}` : '';
  return `${status.target.padEnd(12)} pending ${status.pending}  sent ${status.sent}  skipped ${status.skipped}  failed ${status.failed}  conflicts ${status.conflicts}  eta ${status.etaSeconds}s${error}`;
}

export function registerSyncCommands(program: Command): void {
  const sync = program.command('sync').description('deliver the registry outbox to EnOS or a central hub; pull products and trees');
  const target = sync.command('target').description('configure sync targets');

  const add = target.command('add').description('add a sync target: `add enos …` or `add hub …`');
  addPacingOptions(
    add
      .command('enos')
      .description('EnOS through its API gateway; the app secret comes from COMMISSIONER_APP_SECRET or a prompt')
      .requiredOption('--url <url>', 'API gateway URL, e.g. https://apim-…')
      .requiredOption('--org <id>', 'organization id (o15…)')
      .requiredOption('--app-key <key>', 'application access key')
      .option('--device-endpoint <url>', 'device-facing endpoint per protocol, e.g. mqtt://host:11883 (repeatable)', collect, []),
  ).action(async (flags: PacingFlags & { url: string; org: string; appKey: string; deviceEndpoint: string[] }, command: Command) => {
    const options = globalOptions(command);
    const secret = await appSecret();
    const result = secret.ok
      ? await withApi(options, (api) => api.call('sync.target.add', { kind: 'enos', url: flags.url, orgId: flags.org, appKey: flags.appKey, appSecret: secret.value, deviceEndpoints: flags.deviceEndpoint, ...pacing(flags) }))
      : secret;
    printResult(result, options.json, (value) => `added ${describeTarget(value)}`);
  });
  addPacingOptions(
    add
      .command('hub')
      .description('a central Commissioner hub (a station with --serve-registry)')
      .requiredOption('--url <url>', 'the hub sync API, e.g. http://host:47831')
      .requiredOption('--token-env <var>', 'environment variable holding the hub registry token when sync runs'),
  ).action(async (flags: PacingFlags & { url: string; tokenEnv: string }, command: Command) => {
    const options = globalOptions(command);
    const result = await withApi(options, (api) => api.call('sync.target.add', { kind: 'hub', url: flags.url, tokenEnv: flags.tokenEnv, ...pacing(flags) }));
    printResult(result, options.json, (value) => `added ${describeTarget(value)}`);
  });

  target
    .command('list')
    .description('list sync targets (never their secrets)')
    .action(async (_flags, command: Command) => {
      const options = globalOptions(command);
      const result = await withApi(options, (api) => api.call('sync.target.list', {}));
      printResult(result, options.json, (targets) => (targets.length ? targets.map(describeTarget).join('\n') : 'no sync targets'));
    });

  target
    .command('remove <name>')
    .description('remove a sync target, its delivery state and its secret')
    .action(async (name: string, _flags, command: Command) => {
      const options = globalOptions(command);
      const result = await withApi(options, (api) => api.call('sync.target.remove', { name }));
      printResult(result, options.json, (value) => `removed ${value.removed}`);
    });

  sync
    .command('run')
    .description('deliver the outbox; with --once stop when nothing more can be sent now, else keep going until SIGTERM')
    .option('--once', 'one drain, then exit')
    .option('--target <name>', 'only this target')
    .action(async (flags: { once?: boolean; target?: string }, command: Command) => {
      const options = globalOptions(command);
      let stopping = false;
      const stop = () => (stopping = true);
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      const result = await withApi(options, async (api) => {
        api.on('sync.progress', (status) => printProgress(options.json, { type: 'sync.progress', ...status }, describeStatus(status)));
        api.on('sync.conflict', (conflict) => printProgress(options.json, { type: 'sync.conflict', ...conflict }, `conflict #${conflict.id} (${conflict.kind}) on outbox row ${conflict.seq}: resolve with \`commissioner sync resolve ${conflict.id} --keep local|cloud\``));
        for (;;) {
          // Continuous runs come back every second or so, so that SIGTERM stops them promptly.
          const run = await api.call('sync.run', { target: flags.target, maxWaitMs: flags.once ? 30_000 : 1000 });
          if (!run.ok || flags.once || stopping) return run;
          await new Promise((resolve) => setTimeout(resolve, 1000));
          if (stopping) return run;
        }
      });
      printResult(result, options.json, (summaries) => summaries.map((s) => `${s.target}: delivered ${s.delivered}, failed ${s.failed}, conflicts ${s.conflicts}, still pending ${s.retrying}`).join('\n'));
    });

  sync
    .command('status')
    .description('per target: pending, sent, failed, conflicts, ETA at the current pace, last error')
    .option('--target <name>', 'only this target')
    .action(async (flags: { target?: string }, command: Command) => {
      const options = globalOptions(command);
      const result = await withApi(options, (api) => api.call('sync.status', { target: flags.target }));
      printResult(result, options.json, (statuses) => (statuses.length ? statuses.map(describeStatus).join('\n') : 'no sync targets'));
    });

  sync
    .command('pull')
    .description('import what the target owns: EnOS products (with secrets), thing models and asset trees; a hub\'s products and trees')
    .option('--target <name>', 'the target (needed when several exist)')
    .action(async (flags: { target?: string }, command: Command) => {
      const options = globalOptions(command);
      const result = await withApi(options, (api) => api.call('sync.pull', { target: flags.target }));
      printResult(result, options.json, (value) => `pulled from ${value.target}: ${value.products} products, ${value.models} thing models, ${value.trees} asset trees`);
    });

  sync
    .command('pool')
    .description('pre-create devices in EnOS while online; keys and secrets go to the vault for offline burning')
    .requiredOption('--product <pk>', 'productKey of a pulled product')
    .addOption(new Option('--count <n>', 'how many devices').argParser(positiveInteger).makeOptionMandatory())
    .option('--target <name>', 'the EnOS target (needed when several exist)')
    .action(async (flags: { product: string; count: number; target?: string }, command: Command) => {
      const options = globalOptions(command);
      const result = await withApi(options, (api) => api.call('sync.pool', { target: flags.target, productKey: flags.product, count: flags.count }));
      printResult(result, options.json, (value) => `created ${value.created.length} pool device(s) in ${value.target}:\n${value.created.map((device) => `  ${device.productKey}/${device.deviceKey}`).join('\n')}`);
    });

  sync
    .command('claim')
    .description('bind an unclaimed credential-pool device to a physical device by serial (what the offline plan step does)')
    .requiredOption('--product <pk>', 'productKey of the pool')
    .requiredOption('--serial <serial>', 'serial number of the physical device')
    .option('--mac <mac>', 'its MAC address')
    .option('--firmware <version>', 'its firmware version')
    .option('--target <name>', 'the EnOS target (needed when several exist)')
    .action(async (flags: { product: string; serial: string; mac?: string; firmware?: string; target?: string }, command: Command) => {
      const options = globalOptions(command);
      const result = await withApi(options, (api) => api.call('sync.pool.claim', { target: flags.target, productKey: flags.product, serial: flags.serial, mac: flags.mac, firmware: flags.firmware }));
      printResult(result, options.json, (value) => `claimed ${value.device.productKey}/${value.device.deviceKey} from the pool of ${value.target} for serial ${value.device.serial}`);
    });

  sync
    .command('conflicts')
    .description('conflicts waiting for a choice, with both sides')
    .option('--all', 'also resolved ones')
    .action(async (flags: { all?: boolean }, command: Command) => {
      const options = globalOptions(command);
      const result = await withApi(options, (api) => api.call('sync.conflicts', { open: !flags.all }));
      printResult(result, options.json, (rows) =>
        rows.length ? rows.map((row) => `#${row.id} ${row.target} row ${row.seq} ${row.kind}${row.resolution ? ` (${row.resolution})` : ''}\n    local ${JSON.stringify(row.local)}\n    cloud ${JSON.stringify(row.cloud)}`).join('\n') : 'no conflicts',
      );
    });

  sync
    .command('resolve <id>')
    .description('resolve a conflict: keep local overwrites the target, keep cloud accepts what it holds')
    .addOption(new Option('--keep <side>', 'which side wins').choices(['local', 'cloud']).makeOptionMandatory())
    .action(async (id: string, flags: { keep: 'local' | 'cloud' }, command: Command) => {
      const options = globalOptions(command);
      const result = await withApi(options, (api) => api.call('sync.resolve', { id: positiveInteger(id), keep: flags.keep }));
      printResult(result, options.json, (row) => `conflict #${row.id} resolved: ${row.resolution}`);
    });

  sync
    .command('retry')
    .description('put failed items back in the queue (after fixing their cause or pulling what was missing)')
    .option('--target <name>', 'only this target')
    .action(async (flags: { target?: string }, command: Command) => {
      const options = globalOptions(command);
      const result = await withApi(options, (api) => api.call('sync.retry', { target: flags.target }));
      printResult(result, options.json, (value) => `${value.requeued} item(s) queued again`);
    });
}
