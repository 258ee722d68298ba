import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Option, type Command } from 'commander';
import type { DeviceIdentity, PortInfo } from '../../../shared/contract/ports';
import { deviceLogLineText } from '../../../shared/model/device-log-line';
import { ok, type Result } from '../../../shared/result';
import { FAULT_NAMES, parseFaults } from '../../sim/faults';
import { startSim } from '../../sim/run';
import { loadThingModel } from '../../sim/telemetry';
import { globalOptions, withApi } from '../context';
import { printProgress, printResult, UsageError } from '../output';

function parseCount(name: string, min: number, max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
    return number;
  };
}

const baudOption = () => new Option('--baud <n>', 'line speed in baud').argParser(parseCount('--baud', 50, 12_000_000)).default(115200);
const EOL = { crlf: '\r\n', lf: '\n', cr: '\r', none: '' } as const;

function portTable(ports: PortInfo[]): string {
  if (ports.length === 0) return 'no serial ports (pseudo-terminals are not listed by the OS: add them with --watch PATH|GLOB)';
  return ports.map((port) => `${port.path.padEnd(28)} ${port.kind.padEnd(6)} ${port.holder.padEnd(8)} ${port.identity}${port.manufacturer ? `  ${port.manufacturer}` : ''}`).join('\n');
}

function identityText(identity: DeviceIdentity): string {
  const rows: [string, string][] = [
    ['model', identity.model],
    ['serial', identity.serial],
    ['mac', identity.mac],
    ['firmware', identity.firmware],
    ['driver', identity.driver + (identity.protocolVersion ? ` (protocol v${identity.protocolVersion}, frames ≤ ${identity.maxFrame} bytes)` : '')],
    ['capabilities', identity.capabilities.join(', ') || '-'],
    ['protocols', identity.protocols.join(', ') || '-'],
    ['storage', identity.storageBytes === null ? '-' : `${identity.storageBytes} bytes`],
    ['state', identity.state],
  ];
  return rows.map(([name, value]) => `${name.padEnd(13)}${value}`).join('\n');
}

export function registerSerialCommands(program: Command): void {
  program
    .command('ports')
    .description('list serial ports with their identity and who holds them')
    .option('--watch <pathOrGlob...>', 'also watch these paths or globs (pseudo-terminals, e.g. /tmp/sim-*)')
    .action(async (options: { watch?: string[] }, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => (options.watch ? api.call('ports.watch', { patterns: options.watch }) : api.call('ports.list', {})));
      printResult(result, global.json, portTable);
    });

  program
    .command('identify')
    .description('run the handshake on a port and print what the device reports')
    .argument('<port>', 'port path, e.g. /dev/ttyUSB0 or a sim link')
    .addOption(baudOption())
    .option('--at', 'the device speaks AT commands (see --profile)')
    .option('--profile <name>', 'AT profile', 'esp-at')
    .action(async (path: string, options: { baud: number; at?: boolean; profile: string }, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, (api) => api.call('ports.identify', { path, baud: options.baud, driver: options.at ? 'at' : 'framed', profile: options.profile }));
      printResult(result, global.json, identityText);
    });

  program
    .command('console')
    .description('a serial console: prints what the port sends (device log lines decoded), sends what you type')
    .argument('<port>', 'port path')
    .addOption(baudOption())
    .addOption(new Option('--eol <ending>', 'line ending appended to each typed line').choices(Object.keys(EOL)).default('crlf'))
    .option('--hex', 'show received bytes as hex, and read typed lines as hex bytes')
    .option('--log <file>', 'append every received byte to this file')
    .option('--takeover', 'take the port over from the provisioning pipeline')
    .addOption(new Option('--duration <ms>', 'close after this many ms (default: until Ctrl-C)').argParser(parseCount('--duration', 1, 2 ** 31 - 1)))
    .action(async (path: string, options: { baud: number; eol: keyof typeof EOL; hex?: boolean; log?: string; takeover?: boolean; duration?: number }, command: Command) => {
      const global = globalOptions(command);
      const result = await withApi(global, async (api): Promise<Result<{ closed: string }>> => {
        const opened = await api.call('ports.console.open', { path, baud: options.baud, takeover: Boolean(options.takeover) });
        if (!opened.ok) return opened;
        let endConsole: (reason: string) => void = () => undefined;
        const ended = new Promise<string>((resolve) => (endConsole = resolve));
        const offs = [
          api.on('ports.console.data', (data) => {
            if (data.path !== path) return;
            if (options.log) appendFileSync(options.log, Buffer.from(data.hex, 'hex'));
            if (options.hex) process.stdout.write(`${data.hex.replace(/(..)/g, '$1 ').trim()}\n`);
          }),
          api.on('ports.console.text', (data) => data.path === path && !options.hex && process.stdout.write(data.text)),
          api.on('ports.device.log', (line) => line.path === path && !options.hex && process.stdout.write(`${deviceLogLineText(line)}\n`)),
          api.on('ports.console.closed', (closed) => closed.path === path && endConsole(closed.reason)),
        ];
        printProgress(global.json, { type: 'console', path, baud: options.baud }, `console on ${path} at ${options.baud} baud (Ctrl-C to quit)`);
        const input = process.stdin.isTTY || !process.stdin.readableEnded ? createInterface({ input: process.stdin }) : null;
        input?.on('line', (line) => void api.call('ports.console.write', options.hex ? { path, hex: line.replace(/\s+/g, '') } : { path, text: line + EOL[options.eol] }));
        const timer = options.duration ? setTimeout(() => endConsole('duration'), options.duration) : null;
        const stop = () => endConsole('interrupted');
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const reason = await ended;
        if (timer) clearTimeout(timer);
        input?.close();
        offs.forEach((off) => off());
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await api.call('ports.console.close', { path });
        return ok({ closed: reason });
      });
      printResult(result, global.json, (value) => `console closed (${value.closed})`);
    });

  program
    .command('sim')
    .description('run a virtual device on a pseudo-terminal pair (socat) and print the host-side path')
    .option('--pty', 'serve on a pseudo-terminal pair (the only transport)')
    .option('--link <path>', 'stable host-side path (a symlink): the port identity of this sim')
    .option('--model <name>', 'hardware model the device reports', 'SIM-1')
    .option('--thing-model <file>', 'thing model (EnOS JSON) the telemetry follows (default: a built-in meter)')
    .option('--serial <s>', 'serial number (default: SIM + process id)')
    .option('--state <file>', 'the device flash: credentials survive a restart')
    .addOption(new Option('--protocol <kind>', 'what the device speaks').choices(['framed', 'at']).default('framed'))
    .addOption(baudOption())
    .option('--fault <kind...>', `inject faults: ${FAULT_NAMES.join(', ')}`)
    .addOption(new Option('--heartbeat <ms>', 'log an "alive" line this often (0 = never)').argParser(parseCount('--heartbeat', 0, 86_400_000)).default(0))
    .addOption(new Option('--post-interval <ms>', 'telemetry period once committed').argParser(parseCount('--post-interval', 50, 86_400_000)).default(5000))
    .addOption(new Option('--count <n>', 'devices served by this one process (a test rig): device i gets LINK-i, SERIAL-i and STATE-i').argParser(parseCount('--count', 1, 64)).default(1))
    .action(async (options: { pty?: boolean; link?: string; model: string; thingModel?: string; serial?: string; state?: string; protocol: 'framed' | 'at'; baud: number; fault?: string[]; heartbeat: number; postInterval: number; count: number }, command: Command) => {
      const global = globalOptions(command);
      if (!options.pty) throw new UsageError('--pty is required: the sim serves on a pseudo-terminal pair');
      const faults = parseFaults(options.fault ?? []);
      if (typeof faults === 'string') throw new UsageError(faults);
      const thingModel = loadThingModel(options.thingModel);
      if (!thingModel.ok) return printResult(thingModel, global.json, () => '');
      const serial = options.serial ?? `SIM${process.pid}`;
      // Listening before the sim announces itself: a signal right after the "on PATH" line (or a
      // second one while stopping) must stop it cleanly, never kill it half-way.
      let stopRequested = false;
      let stop = () => void (stopRequested = true);
      const onSignal = () => stop();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      // One device keeps its names as given; a rig of several numbers them (LINK-1, SERIAL-1, …).
      const numbered = (name: string | undefined, index: number) => (name === undefined || options.count === 1 ? name : `${name}-${index + 1}`);
      const serials = Array.from({ length: options.count }, (_, index) => numbered(serial, index)!);
      const started = await Promise.all(
        serials.map((deviceSerial, index) =>
          startSim({
            link: numbered(options.link, index),
            model: options.model,
            serial: deviceSerial,
            state: numbered(options.state, index),
            protocol: options.protocol,
            baud: options.baud,
            thingModel: thingModel.value,
            faults,
            heartbeatMs: options.heartbeat,
            postIntervalMs: options.postInterval,
            report: (text) => process.stderr.write(`sim ${deviceSerial}: ${text}\n`),
          }),
        ),
      );
      const sims = started.flatMap((result) => (result.ok ? [result.value] : []));
      const failed = started.find((result) => !result.ok);
      if (failed) await Promise.all(sims.map((sim) => sim.stop()));
      else {
        stop = () => void sims.forEach((sim) => void sim.stop());
        if (stopRequested) stop();
        else sims.forEach((sim, index) => printProgress(global.json, { type: 'ready', path: sim.hostPath, serial: serials[index], model: options.model, protocol: options.protocol, baud: options.baud }, `sim ${options.model} ${serials[index]} (${options.protocol}, ${options.baud} baud) on ${sim.hostPath}`));
      }
      const ended = await Promise.all(sims.map(async (sim) => ({ path: sim.hostPath, ended: await sim.ended })));
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (failed) printResult(failed, global.json, () => '');
      else if (options.count === 1) printResult(ok(ended[0]!), global.json, (value) => `sim on ${value.path} ${value.ended}`);
      else printResult(ok({ sims: ended }), global.json, (value) => value.sims.map((sim) => `sim on ${sim.path} ${sim.ended}`).join('\n'));
    });
}
