import { Option, type Command } from 'commander';
import type { CommandOutcome, HubStats } from '../../../shared/contract/hub';
import { globalOptions, withApi } from '../context';
import { printResult, UsageError } from '../output';
import { addHubListenerOptions, hubConfigFrom, type HubListenerOptions } from './hub-options';
import { addOwnerOptions, runOwner, type OwnerCommandOptions } from './station';

function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0.05 || seconds > 60) throw new UsageError('--timeout is 0.05–60 seconds (protocol reference §9)');
  return seconds;
}

function parseTtl(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 172_800) throw new UsageError('--pending-ttl is 0–172800 seconds (protocol reference §9)');
  return seconds;
}

function parseJsonObject(flag: string) {
  return (value: string): Record<string, unknown> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new UsageError(`${flag} must be JSON, e.g. '{"temp":21.5}'`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${flag} must be a JSON object`);
    return parsed as Record<string, unknown>;
  };
}

function describeOutcome(outcome: CommandOutcome): string {
  if (outcome.status === 'sent') return `sent (${outcome.correlationId}); the reply arrives as a hub.command event`;
  if (outcome.status === 'pending') return `pending (${outcome.correlationId}): held until the device logs in`;
  const data = outcome.data === null || outcome.data === undefined ? '' : ` ${JSON.stringify(outcome.data)}`;
  return `code ${outcome.code}${outcome.message ? ` ${outcome.message}` : ''}${data} (${Math.round(outcome.latencyMs)} ms, ${outcome.correlationId})`;
}

function describeStats(stats: HubStats): string {
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ') || '-';
  const line = (label: string, c: HubStats['totals']) => `${label.padEnd(28)} in ${c.messagesIn} (${c.bytesIn} B)  out ${c.messagesOut} (${c.bytesOut} B)  connects ${c.connects}  errors ${counts(c.errors)}  refusals ${counts(c.refusals)}`;
  return [
    `online ${stats.online}`,
    line('total', stats.totals),
    ...Object.entries(stats.protocols ?? {}).map(([protocol, counters]) => line(`over ${protocol}`, counters)),
    ...Object.entries(stats.products).map(([productKey, counters]) => line(productKey, counters)),
    ...stats.devices.map((device) => line(`${device.productKey}/${device.deviceKey}`, device)),
    ...stats.guardBlocked.map((entry) => `blocked by connect guard: ${entry.device} (last at ${new Date(entry.at).toISOString()})`),
  ].join('\n');
}

/** The hub owner and the commands that talk to a running hub (issue 5). */
export function registerHubCommands(program: Command): void {
  addHubListenerOptions(
    addOwnerOptions(program.command('hub').description('run the embedded EnOS-compatible MQTT hub (owns the data folder; no UI)'), 0),
  ).action(async (options: OwnerCommandOptions & HubListenerOptions, command: Command) => {
    await runOwner(globalOptions(command), 'hub', options, undefined, { hub: hubConfigFrom(options) });
  });

  program
    .command('invoke')
    .description('invoke a thing-model service on a connected device and print its reply (needs a running hub or station)')
    .requiredOption('--device <ref>', 'PK/DK, or a deviceKey unique in the registry')
    .requiredOption('--service <id>', 'service identifier of the thing model')
    .addOption(new Option('--params <json>', 'service input as a JSON object').argParser(parseJsonObject('--params')).default({}))
    .addOption(new Option('--timeout <s>', 'seconds to wait for the reply').argParser(parseTimeout).default(30))
    .addOption(new Option('--pending-ttl <s>', 'hold the command this long for an offline device').argParser(parseTtl).default(0))
    .action(async (options: { device: string; service: string; params: Record<string, unknown>; timeout: number; pendingTtl: number }, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('hub.invoke', { device: options.device, service: options.service, params: options.params, timeoutS: options.timeout, pendingTtlS: options.pendingTtl }), { requireOwner: true });
      printResult(result, global.json, describeOutcome);
    });

  program
    .command('set')
    .description('set measurepoints on a connected device (thing.service.measurepoint.set) and print its reply')
    .requiredOption('--device <ref>', 'PK/DK, or a deviceKey unique in the registry')
    .addOption(new Option('--measurepoints <json>', 'values as a JSON object, e.g. {"temp":21.5}').argParser(parseJsonObject('--measurepoints')).makeOptionMandatory())
    .addOption(new Option('--timeout <s>', 'seconds to wait for the reply').argParser(parseTimeout).default(30))
    .addOption(new Option('--pending-ttl <s>', 'hold the command this long for an offline device').argParser(parseTtl).default(0))
    .action(async (options: { device: string; measurepoints: Record<string, unknown>; timeout: number; pendingTtl: number }, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('hub.set', { device: options.device, measurepoints: options.measurepoints, timeoutS: options.timeout, pendingTtlS: options.pendingTtl }), { requireOwner: true });
      printResult(result, global.json, describeOutcome);
    });

  program
    .command('stats')
    .description("print the running hub's statistics: online devices, messages and bytes, errors by code, refusals by reason")
    .action(async (_options: unknown, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('hub.stats', { devices: 100 }), { requireOwner: true });
      printResult(result, global.json, describeStats);
    });
}
