import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { DeviceSortSchema, DeviceStateSchema, type Device, type DeviceListQuery } from '../../../shared/contract/devices';
import { decodeCsvBytes, formatCsvIssue } from '../../../shared/model/device-csv';
import { globalOptions, withApi } from '../context';
import { EXIT_FAILURE, printResult, UsageError } from '../output';
import { readInput, readJsonInput } from './input-files';

function describeDevice(device: Device): string {
  const optional = (label: string, value: string | null) => (value ? [`${label.padEnd(13)}${value}`] : []);
  return [
    `device       ${device.productKey}/${device.deviceKey}`,
    `name         ${device.name}`,
    `state        ${device.state}`,
    ...optional('serial', device.serial),
    ...optional('mac', device.mac),
    ...optional('firmware', device.firmware),
    `destination  ${device.destination}`,
    `credentials  ${device.credentialSource}`,
    ...optional('certificate', device.certFingerprint),
    `timezone     ${device.timezone}`,
    ...(Object.keys(device.attributes).length ? [`attributes   ${JSON.stringify(device.attributes)}`] : []),
    ...(Object.keys(device.tags).length ? [`tags         ${JSON.stringify(device.tags)}`] : []),
    `revision     ${device.revision}`,
  ].join('\n');
}

function deviceLine(device: Device): string {
  return `${`${device.productKey}/${device.deviceKey}`.padEnd(32)} ${device.state.padEnd(14)} ${(device.serial ?? '-').padEnd(16)} ${device.name}`;
}

function parseTags(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of text.split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--tags takes key=value pairs separated by commas, not "${pair}"`);
    tags[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return tags;
}

function positiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 1000) throw new UsageError('--limit is 1–1000');
  return number;
}

export function registerDeviceCommands(program: Command): void {
  const device = program.command('device').description('devices: create, import, list, secrets');

  device
    .command('create')
    .description('create a planned device; prints its deviceKey (and the deviceSecret once for device-secret and certificate products)')
    .requiredOption('--product <productKey>', 'its product')
    .option('--device-key <deviceKey>', "the deviceKey (default: from the product's naming rule)")
    .option('--name <name>', 'display name (default: the deviceKey)')
    .option('--serial <serial>', 'serial number')
    .option('--mac <mac>', 'MAC address')
    .option('--firmware <version>', 'firmware version')
    .option('--timezone <tz>', '+08:00 or an IANA name')
    .action(async (options, command: Command) => {
      const global = globalOptions(command);
      const input = { productKey: options.product, deviceKey: options.deviceKey, name: options.name, serial: options.serial, mac: options.mac, firmware: options.firmware, timezone: options.timezone };
      const result = await withApi(global, (api) => api.call('devices.create', input));
      printResult(result, global.json, ({ device: created, deviceSecret }) =>
        [
          `deviceKey     ${created.deviceKey}`,
          `productKey    ${created.productKey}`,
          ...(deviceSecret ? [`deviceSecret  ${deviceSecret}   (shown once; later: commissioner device secret ${created.productKey}/${created.deviceKey} --reveal)`] : []),
        ].join('\n'),
      );
    });

  device
    .command('list')
    .description('list devices, one page at a time (keyset paging: pass the printed cursor to --after)')
    .option('--product <productKey>', 'only this product')
    .addOption(new Option('--state <state>', 'only this state').choices(DeviceStateSchema.options))
    .option('--query <text>', 'deviceKey, name, serial or MAC contains this')
    .addOption(new Option('--sort <field>', 'sort field').choices(DeviceSortSchema.options).default('deviceKey'))
    .option('--desc', 'descending order')
    .addOption(new Option('--limit <n>', 'page size (1–1000)').argParser(positiveInt).default(100))
    .option('--after <cursor>', 'the cursor printed after the previous page')
    .action(async (options, command: Command) => {
      const global = globalOptions(command);
      const query: Partial<DeviceListQuery> = {
        productKey: options.product,
        state: options.state,
        query: options.query,
        sort: options.sort,
        order: options.desc ? 'desc' : 'asc',
        limit: options.limit,
        after: options.after,
      };
      const result = await withApi(global, (api) => api.call('devices.list', query));
      printResult(result, global.json, (page) => [...(page.items.length ? page.items.map(deviceLine) : ['no devices']), ...(page.next ? [`next page: --after ${page.next}`] : [])].join('\n'));
    });

  device
    .command('show <device>')
    .description('show a device (PK/DK, or a deviceKey that is unique)')
    .action(async (ref: string, _options, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('devices.get', { ref }));
      printResult(result, global.json, describeDevice);
    });

  device
    .command('update <device>')
    .description('change a device; attributes are checked against the thing model')
    .option('--name <name>', 'display name')
    .option('--serial <serial>', 'serial number')
    .option('--mac <mac>', 'MAC address')
    .option('--firmware <version>', 'firmware version')
    .option('--timezone <tz>', '+08:00 or an IANA name')
    .addOption(new Option('--state <state>', 'lifecycle state').choices(DeviceStateSchema.options))
    .option('--attributes <file>', 'JSON object of attribute values (file, or - for stdin)')
    .option('--tags <pairs>', 'key=value,key=value')
    .action(async (ref: string, options, command: Command) => {
      const global = globalOptions(command);
      const attributes = options.attributes ? readJsonInput(options.attributes) : undefined;
      if (attributes !== undefined && (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))) throw new UsageError('--attributes must hold a JSON object');
      const input = {
        ref,
        name: options.name,
        serial: options.serial,
        mac: options.mac,
        firmware: options.firmware,
        timezone: options.timezone,
        state: options.state,
        attributes: attributes as Record<string, unknown> | undefined,
        tags: options.tags ? parseTags(options.tags) : undefined,
      };
      const result = await withApi(global, (api) => api.call('devices.update', input));
      printResult(result, global.json, describeDevice);
    });

  device
    .command('delete <device>')
    .description('delete a device with its secret, topology links and placements')
    .action(async (ref: string, _options, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('devices.delete', { ref }));
      printResult(result, global.json, (value) => `deleted ${value.productKey}/${value.deviceKey}`);
    });

  device
    .command('import <file>')
    .description(
      'import planned devices from CSV (header line 1; columns deviceKey, and optionally productKey, name, serial, mac, firmware, timezone, deviceSecret); nothing is imported unless every row is valid',
    )
    .option('--product <productKey>', 'product of rows without a productKey column or cell')
    .option('--dry-run', 'check every row and report each bad one with its line number; import nothing')
    .action(async (file: string, options, command: Command) => {
      const global = globalOptions(command);
      const text = decodeCsvBytes(readInput(file));
      const result = text.ok ? await withApi(global, (api) => api.call('devices.import', { csv: text.value, productKey: options.product, dryRun: Boolean(options.dryRun) })) : text;
      printResult(result, global.json, (report) =>
        report.dryRun
          ? [...report.issues.map(formatCsvIssue), `${report.rows} row(s) checked, ${report.issues.length} problem(s)${report.issues.length ? '; nothing would be imported' : '; ready to import'}`].join('\n')
          : `imported ${report.imported} device(s)`,
      );
      if (result.ok && result.value.issues.length > 0) process.exitCode = EXIT_FAILURE;
    });

  device
    .command('export')
    .description('write devices as CSV in the import format (no secrets)')
    .option('--product <productKey>', 'only this product')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (options, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('devices.export', { productKey: options.product }));
      if (result.ok && options.out) {
        writeFileSync(options.out, result.value.csv);
        printResult(result, global.json, (value) => `wrote ${value.rows} device(s) to ${options.out}`);
        return;
      }
      printResult(result, global.json, (value) => value.csv);
    });

  device
    .command('secret <device>')
    .description('print the deviceSecret from the vault (needs --reveal)')
    .option('--reveal', 'really print the secret')
    .action(async (ref: string, options, command: Command) => {
      const global = globalOptions(command);
      if (!options.reveal) throw new UsageError('the deviceSecret is printed only with --reveal');
      const result = await withApi(global, (api) => api.call('devices.secret', { ref }));
      printResult(result, global.json, (value) => value.deviceSecret);
    });
}
