import { Option, type Command } from 'commander';
import { DEFAULT_HUB_PORTS, type HubConfig } from '../../hub/module';
import { UsageError } from '../output';
// station.ts imports this file too; parsePort is only called while parsing, after both loaded.
import { parsePort } from './station';

/** `--mqtt-port` and friends: a port, 0 for any free port, or `off`. */
function parseListenerPort(value: string): number | null {
  return value === 'off' ? null : parsePort(value);
}

function collectMonitor(value: string, previous: string[]): string[] {
  if (!/^[A-Za-z0-9_-]{1,20}\/[A-Za-z0-9_-]{1,64}$/.test(value)) throw new UsageError(`--monitor takes PK/DK, not "${value}"`);
  return [...previous, value];
}

export interface HubListenerOptions {
  host: string;
  mqttPort: number | null;
  mqttsPort: number | null;
  wssPort: number | null;
  monitor: string[];
}

/** The hub's listener flags, shared by `commissioner hub` and `commissioner station` (EnOS ports by default, §2). */
export function addHubListenerOptions(command: Command): Command {
  return command
    .addOption(new Option('--mqtt-port <n>', 'MQTT over TCP (0 = any free port, off = no listener)').argParser(parseListenerPort).default(DEFAULT_HUB_PORTS.mqtt))
    .addOption(new Option('--mqtts-port <n>', 'MQTT over TLS (0 = any free port, off = no listener)').argParser(parseListenerPort).default(DEFAULT_HUB_PORTS.mqtts))
    .addOption(new Option('--wss-port <n>', 'MQTT over secure WebSocket (0 = any free port, off = no listener)').argParser(parseListenerPort).default(DEFAULT_HUB_PORTS.wss))
    .addOption(new Option('--monitor <PK/DK>', 'a registered device that may subscribe read-only to every device topic of its product (repeatable)').argParser(collectMonitor).default([]));
}

/** `bestEffort`: the station keeps running when a hub port is taken (the hub command does not). */
export function hubConfigFrom(options: HubListenerOptions, bestEffort = false): HubConfig {
  return { host: options.host, mqttPort: options.mqttPort, mqttsPort: options.mqttsPort, wssPort: options.wssPort, monitors: options.monitor, bestEffort };
}
