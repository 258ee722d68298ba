import type { DeviceIdentity, DriverKind } from '../../shared/contract/ports';
import { ok, type Result } from '../../shared/result';
import type { ServiceContext, ServiceModule } from '../core/module';
import type { ByteChannel } from './channel';
import { deviceLogEvent, SerialConsoles } from './console';
import { AtDriver } from './drivers/at';
import { atProfile } from './drivers/at-profile';
import type { DeviceDriver } from './drivers/driver';
import { FramedDriver } from './drivers/framed';
import { Link } from './link';
import { PortRegistry } from './registry';
import { WatchStore } from './watch-store';

/** `ServicesConfig.serial`: what to watch besides the OS list, and the link's patience (spec §3.3). */
export interface SerialConfig {
  watch?: string[];
  pollMs?: number;
  timeoutMs?: number;
  attempts?: number;
}

export interface DriverRequest {
  path: string;
  driver: DriverKind;
  baud: number;
  profile?: string;
}

export interface SerialModule extends ServiceModule<'ports.list' | 'ports.watch' | 'ports.identify' | 'ports.console.open' | 'ports.console.write' | 'ports.console.close'> {
  registry: PortRegistry;
  /**
   * Runs `body` with a driver on the port, held for the pipeline, and releases it afterwards.
   * The provisioning pipeline uses this; nothing else opens a port.
   */
  withDriver<T>(request: DriverRequest, body: (driver: DeviceDriver) => Promise<Result<T>>): Promise<Result<T>>;
}

/** Domain `ports`: the port registry, the device drivers and the serial console. */
export function createSerialModule(context: ServiceContext): SerialModule {
  const config: SerialConfig = context.config.serial ?? {};
  const logger = context.logger.child('serial');
  const watched = new WatchStore(context.db, context.clock);
  const registry = new PortRegistry({
    watch: [...(config.watch ?? []), ...watched.all()],
    pollMs: config.pollMs ?? 1000,
    logger,
    onAdded: (port) => context.events.emit('ports.added', port),
    onRemoved: (port) => context.events.emit('ports.removed', port),
  });
  const consoles = new SerialConsoles(registry, context.events);

  function driverFor(request: DriverRequest, channel: ByteChannel): Result<DeviceDriver> {
    if (request.driver === 'at') {
      const profile = atProfile(request.profile);
      return profile.ok ? ok(new AtDriver(channel, profile.value)) : profile;
    }
    const link = new Link(channel, {
      timeoutMs: config.timeoutMs ?? 1000,
      attempts: config.attempts ?? 3,
      baud: request.baud,
      logger,
      onEvent: (frame) => frame.command === 'log.line' && context.events.emit('ports.device.log', deviceLogEvent(channel.path, frame)),
    });
    return ok(new FramedDriver(link));
  }

  async function withDriver<T>(request: DriverRequest, body: (driver: DeviceDriver) => Promise<Result<T>>): Promise<Result<T>> {
    const acquired = await registry.acquire(request.path, 'pipeline', { baud: request.baud });
    if (!acquired.ok) return acquired;
    const driver = driverFor(request, acquired.value);
    try {
      return driver.ok ? await body(driver.value) : driver;
    } finally {
      if (driver.ok) driver.value.close();
      await registry.release(request.path, acquired.value);
    }
  }

  return {
    registry,
    withDriver,
    handlers: {
      'ports.list': async () => ok(await registry.list()),
      'ports.watch': async (input) => {
        watched.add(input.patterns);
        return ok(await registry.watch(input.patterns));
      },
      'ports.identify': (input) => withDriver<DeviceIdentity>(input, (driver) => driver.identify()),
      'ports.console.open': (input) => consoles.open(input.path, input.baud, input.takeover),
      'ports.console.write': (input) => consoles.write(input.path, Buffer.concat([Buffer.from(input.text ?? '', 'utf8'), Buffer.from(input.hex ?? '', 'hex')])),
      'ports.console.close': (input) => consoles.close(input.path),
    },
    components: [{ name: 'serial ports', start: () => registry.start(), stop: () => registry.stop() }],
  };
}
