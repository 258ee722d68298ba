import type { RequestChannel } from '../../shared/contract';
import { err, ok, type Result } from '../../shared/result';
import type { ServiceContext, ServiceModule } from '../core/module';
import type { Registry } from '../registry/registry';
import type { ConnectGuardOptions } from './connect-guard';
import type { DeviceRef } from './directory';
import { Hub, type HubEvent } from './hub';
import { LastSeenLog } from './last-seen';
import { RegistryDirectory } from './registry-directory';
import type { TrustProvider } from './tls';
import { createTransports, type TransportConfig } from './transports';

/** Hub options in `ServicesConfig` (set by the owners: `commissioner hub`, the station, the desktop app); HTTP and CoAP (issue 6) are off unless set. */
export interface HubConfig extends Pick<TransportConfig, 'httpPort' | 'httpsPort' | 'coapPort' | 'httpTimeouts'> {
  host: string;
  /** null: that listener is off; 0: any free port. */
  mqttPort: number | null;
  mqttsPort: number | null;
  wssPort: number | null;
  /** `PK/DK` of read-only monitor devices (`--monitor`). */
  monitors?: string[];
  connectGuard?: ConnectGuardOptions | null;
  /** Skip a listener whose port is taken instead of failing the start (the station; `commissioner hub` fails). */
  bestEffort?: boolean;
}

/** EnOS's ports (protocol reference §2), the defaults of `commissioner hub` and the station. */
export const DEFAULT_HUB_PORTS = { mqtt: 11883, mqtts: 18883, wss: 18885 } as const;

/** The PKI's trust object; `onRevoked` lets the hub drop a revoked device's session. */
export type HubTrust = TrustProvider & { onRevoked?(listener: (revoked: { productKey: string | null; deviceKey: string | null }) => void): () => void };

type HubChannel = Extract<RequestChannel, `hub.${string}`>;

export interface HubModule extends ServiceModule<HubChannel> {
  hub: Hub;
}

/** Domain `hub` (issue 5): the hub over the registry; listeners only when the host configured them. */
export function createHubModule(context: ServiceContext, deps: { registry: Registry; trust?: HubTrust }): HubModule {
  const config = context.config.hub;
  const logger = context.logger.child('hub');
  const directory = new RegistryDirectory(deps.registry, context.events, () => context.vault(), logger);
  const hub = new Hub({
    directory,
    logger,
    clock: context.clock,
    listeners: { host: config?.host ?? '127.0.0.1', mqtt: config?.mqttPort, mqtts: config?.mqttsPort, wss: config?.wssPort, bestEffort: config?.bestEffort ?? false },
    monitors: config?.monitors ?? [],
    connectGuard: config?.connectGuard ?? null,
    ...(deps.trust ? { trust: deps.trust } : {}),
  });
  const transports = createTransports(hub, config ?? { host: '127.0.0.1' }, { logger, clock: context.clock, dataDir: context.config.dataDir });
  const lastSeen = new LastSeenLog(context.db, logger);
  let running = false;
  const unsubscribers: Array<() => void> = [];

  const resolve = (ref: string): Result<DeviceRef> => directory.resolve(ref);
  const forward = (event: HubEvent) => {
    if (event.type === 'session') lastSeen.record(event.session, event.online, event.reason, context.clock());
    if (event.type === 'session') context.events.emit('hub.session', { online: event.online, session: event.session, ...(event.reason ? { reason: event.reason } : {}) });
    else if (event.type === 'stats') context.events.emit('hub.stats', { ...event.stats, guardBlocked: hub.guardBlocked() });
    else if (event.type === 'messages') context.events.emit('hub.messages', { messages: event.messages, dropped: event.dropped });
    else if (event.outcome.status !== 'timeout' && event.outcome.status !== 'offline') context.events.emit('hub.command', { ...event.device, outcome: event.outcome });
  };
  const command = async <T>(ref: string, run: (device: DeviceRef) => Promise<Result<T>>): Promise<Result<T>> => {
    if (!running) return err('NO_OWNER', 'The hub is not running in this process. Start `commissioner hub` or `commissioner station`.');
    const device = resolve(ref);
    return device.ok ? run(device.value) : device;
  };

  return {
    hub,
    handlers: {
      'hub.status': () => ok({ running, ports: { ...hub.ports, ...transports.ports }, online: hub.sessions.online, monitors: config?.monitors ?? [] }),
      'hub.sessions': (input) => ok({ online: hub.sessionList(), recent: hub.sessionHistory(input.recent) }),
      'hub.lastSeen': (input) => {
        if (!input.device) return ok(lastSeen.list(null, input.limit));
        const device = resolve(input.device);
        return device.ok ? ok(lastSeen.list(device.value, input.limit)) : device;
      },
      'hub.stats': (input) => ok({ ...hub.statsSnapshot(input.devices), guardBlocked: hub.guardBlocked() }),
      'hub.messages': (input) => {
        const device = resolve(input.device);
        return device.ok ? ok(hub.messages(device.value, input.limit)) : device;
      },
      'hub.invoke': (input) =>
        command(input.device, (device) => hub.invokeService({ device, serviceId: input.service, params: input.params, timeoutMs: input.timeoutS * 1000, pendingTtlMs: input.pendingTtlS * 1000 })),
      'hub.set': (input) => command(input.device, (device) => hub.setMeasurepoints({ device, values: input.measurepoints, timeoutMs: input.timeoutS * 1000, pendingTtlMs: input.pendingTtlS * 1000 })),
      'hub.get': (input) => command(input.device, (device) => hub.getMeasurepoints({ device, ids: input.measurepoints, timeoutMs: input.timeoutS * 1000 })),
    },
    components: [
      {
        name: 'hub',
        async start() {
          if (!config) return;
          unsubscribers.push(hub.onEvent(forward));
          if (deps.trust?.onRevoked) {
            unsubscribers.push(
              deps.trust.onRevoked((revoked) => {
                if (revoked.productKey && revoked.deviceKey) hub.disconnect({ productKey: revoked.productKey, deviceKey: revoked.deviceKey }, 'revoked');
              }),
            );
          }
          await hub.start();
          try {
            await transports.start();
          } catch (error) {
            await hub.stop();
            throw error;
          }
          running = true;
        },
        async stop() {
          running = false;
          // Sessions end with `hub-stopped` while the listeners are still subscribed (last seen).
          await transports.stop();
          await hub.stop();
          for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
          directory.close();
          lastSeen.close();
        },
        runInfo: () => ({ ...hub.ports, ...transports.ports }),
      },
    ],
  };
}
