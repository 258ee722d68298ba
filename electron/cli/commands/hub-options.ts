import { Option, type Command } from 'commander';
import { DEFAULT_HUB_PORTS, type HubConfig } from '../../hub/module';
import { UsageError } from '../output';
// station.ts imports this file too; parsePort is only called while parsing, after both loaded.
import { parsePort } from './station';

/** `off`: commander turns a parser's null into '', so the flag keeps a number and -1 means off. */
const OFF = -1;

/** `--mqtt-port` and friends: a port, 0 for any free port, or `off`. */
function parseListenerPort(value: string): number {
  return value === 'off' ? OFF : parsePort(value);
}

const listenerPort = (port: number): number | null => (port === OFF ? null : port);

function collectMonitor(value: string, previous: string[]): string[] {
  if (!/^[A-Za-z0-9_-]{1,20}\/[A-Za-z0-9_-]{1,64}$/.test(value)) throw new UsageError(`--monitor takes PK/DK, not "${value}"`);
  return [...previous, value];
}

export interface HubListenerOptions {
  host: string;
  /** -1 = off */
  mqttPort: number;
  mqttsPort: number;
  wssPort: number;
  /** EnOS HTTP (§8) and CoAP (§7) endpoints: off unless given. */
  httpPort: number;
  httpsPort: number;
  coapPort: number;
  monitor: string[];
}

/**
 * The hub's listener flags, shared by `commissioner hub` and `commissioner station` (EnOS ports by
 * default, §2). Each can also come from `COMMISSIONER_<NAME>_PORT` (a service unit, a test suite).
 */
export function addHubListenerOptions(command: Command): Command {
  return command
    .addOption(new Option('--mqtt-port <n>', 'MQTT over TCP (0 = any free port, off = no listener)').env('COMMISSIONER_MQTT_PORT').argParser(parseListenerPort).default(DEFAULT_HUB_PORTS.mqtt))
    .addOption(new Option('--mqtts-port <n>', 'MQTT over TLS (0 = any free port, off = no listener)').env('COMMISSIONER_MQTTS_PORT').argParser(parseListenerPort).default(DEFAULT_HUB_PORTS.mqtts))
    .addOption(new Option('--wss-port <n>', 'MQTT over secure WebSocket (0 = any free port, off = no listener)').env('COMMISSIONER_WSS_PORT').argParser(parseListenerPort).default(DEFAULT_HUB_PORTS.wss))
    .addOption(new Option('--http-port <n>', 'EnOS HTTP device endpoint (0 = any free port; off by default)').env('COMMISSIONER_HTTP_PORT').argParser(parseListenerPort).default(OFF, 'off'))
    .addOption(new Option('--https-port <n>', "EnOS HTTP device endpoint over TLS with the hub's server certificate (0 = any free port; off by default)").env('COMMISSIONER_HTTPS_PORT').argParser(parseListenerPort).default(OFF, 'off'))
    .addOption(new Option('--coap-port <n>', 'EnOS CoAP device endpoint over UDP, without DTLS (0 = any free port; off by default; EnOS uses 5683)').env('COMMISSIONER_COAP_PORT').argParser(parseListenerPort).default(OFF, 'off'))
    .addOption(new Option('--monitor <PK/DK>', 'a registered device that may subscribe read-only to every device topic of its product (repeatable)').argParser(collectMonitor).default([]));
}

/** `bestEffort`: the station keeps running when a hub port is taken (the hub command does not). */
export function hubConfigFrom(options: HubListenerOptions, bestEffort = false): HubConfig {
  return { host: options.host, mqttPort: listenerPort(options.mqttPort), mqttsPort: listenerPort(options.mqttsPort), wssPort: listenerPort(options.wssPort), ...transportPorts(options), monitors: options.monitor, bestEffort };
}

function transportPorts(options: HubListenerOptions): Pick<HubConfig, 'httpPort' | 'httpsPort' | 'coapPort'> {
  return { httpPort: listenerPort(options.httpPort), httpsPort: listenerPort(options.httpsPort), coapPort: listenerPort(options.coapPort) };
}
