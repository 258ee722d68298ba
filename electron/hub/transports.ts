import { join } from 'node:path';
import type { Logger } from '../core/logger';
import { CoapEndpoint } from './coap/endpoint';
import { HttpEndpoint, type HttpTimeouts } from './http/endpoint';
import type { Hub } from './hub';
import type { ListenerPorts } from './listeners';

/** The HTTP (§8) and CoAP (§7) endpoints beside the hub's MQTT listeners (issue 6), each optional. */

export interface TransportConfig {
  host: string;
  /** null or absent: off; 0: any free port. */
  httpPort?: number | null;
  httpsPort?: number | null;
  coapPort?: number | null;
  httpTimeouts?: Partial<HttpTimeouts>;
  /** Skip an endpoint whose port is taken instead of failing the start (the station). */
  bestEffort?: boolean;
}

export interface Transports {
  readonly ports: ListenerPorts;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createTransports(hub: Hub, config: TransportConfig, deps: { logger: Logger; clock: () => number; dataDir: string }): Transports {
  const ports: ListenerPorts = {};
  const http =
    (config.httpPort ?? null) !== null || (config.httpsPort ?? null) !== null
      ? new HttpEndpoint({ hub, logger: deps.logger.child('http'), clock: deps.clock, host: config.host, httpPort: config.httpPort ?? null, httpsPort: config.httpsPort ?? null, filesDir: join(deps.dataDir, 'hub-files'), timeouts: config.httpTimeouts ?? {} })
      : null;
  const coap = (config.coapPort ?? null) !== null ? new CoapEndpoint({ hub, logger: deps.logger.child('coap'), clock: deps.clock, host: config.host, port: config.coapPort! }) : null;
  const attempt = async (name: string, start: () => Promise<void>) => {
    try {
      await start();
    } catch (error) {
      if (!config.bestEffort) throw error;
      deps.logger.error('hub endpoint not started', { endpoint: name, code: (error as NodeJS.ErrnoException).code ?? 'ERROR', host: config.host });
    }
  };
  return {
    ports,
    async start() {
      if (http) await attempt('http', async () => void Object.assign(ports, await http.start()));
      if (coap) await attempt('coap', async () => void (ports.coap = await coap.start()));
    },
    async stop() {
      await coap?.stop();
      await http?.stop();
    },
  };
}
