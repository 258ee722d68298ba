import type { RequestChannel } from '../../shared/contract';
import type { DeviceProtocol, Product } from '../../shared/contract/products';
import type { BirthRecord, ProvisionResult } from '../../shared/contract/provisioning';
import { formatIdentityUri, type DeviceIdentityUri } from '../../shared/model/identity-uri';
import { err, ok, type Result } from '../../shared/result';
import type { ServiceContext, ServiceModule } from '../core/module';
import type { Hub } from '../hub/hub';
import type { LocalCaIssuer } from '../pki/device-certificates';
import type { StationKey } from '../pki/station-key';
import type { AssetTrees } from '../registry/asset-trees';
import type { Registry } from '../registry/registry';
import type { Endpoint } from '../serial/drivers/driver';
import type { SerialModule } from '../serial/module';
import { verifyBirthRecord } from './birth-record';
import { targetEndpoints, type Destinations } from './destination';
import { Journal } from './journal';
import { labelPdf, labelZpl } from './label';
import { exportLedger, Ledger } from './ledger';
import { Pipeline } from './pipeline';
import { printLabel, type PrinterConfig } from './printer';
import { importPlan, runSlots, SlotWatcher, type StationConfig } from './station';

/** `ServicesConfig.provisioning`: the station's label printer and its safe verification services. */
export interface ProvisioningConfig {
  printer?: PrinterConfig;
  /** productKey → a service the product marks safe for verification (no side effects); default: measurepoint get. */
  safeServices?: Record<string, string>;
  /** A factory station: slots watched for devices, each plugged device provisioned without a click. */
  station?: StationConfig;
}

type ProvisioningChannel = Extract<RequestChannel, `provisioning.${string}`>;

export interface ProvisioningModule extends ServiceModule<ProvisioningChannel> {
  pipeline: Pipeline;
}

export interface ProvisioningDeps {
  registry: Registry;
  assets: AssetTrees;
  issuer: LocalCaIssuer;
  stationKey: StationKey;
  hub: Hub;
  /** Every listener port of the hub (MQTT, and the HTTP and CoAP endpoints served beside it). */
  hubPorts(): Partial<Record<string, number>>;
  serial: Pick<SerialModule, 'withDriver' | 'registry'>;
  /** Sync targets as destinations (EnOS, another hub); absent: only this hub. */
  destinations?: Destinations;
  /** Trusts a CA chain a destination returned, so the station hub verifies its device certificates. */
  trustDestinationChain?(pem: string): Result<number>;
}

/** A listener bound to every interface is reached on loopback from this machine. */
const reachableHost = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);

/** Domain `provisioning` (issue 9): the pipeline, the factory station, the ledger, birth records and labels. */
export function createProvisioningModule(context: ServiceContext, deps: ProvisioningDeps): ProvisioningModule {
  const config: ProvisioningConfig = context.config.provisioning ?? {};
  const logger = context.logger.child('provisioning');
  const journal = new Journal(context.db, context.clock);
  const ledger = new Ledger(context.db);
  const host = reachableHost(context.config.hub?.host ?? '127.0.0.1');

  /** The station hub's device-facing endpoint: the one the device is told for verification. */
  const stationEndpoint = (protocol: DeviceProtocol, tls: boolean): Endpoint | null => {
    const ports = deps.hubPorts();
    const port = protocol === 'mqtt' ? ports[tls ? 'mqtts' : 'mqtt'] : ports[tls ? `${protocol}s` : protocol];
    return port ? { protocol, host, port, tls } : null;
  };
  const destinationEndpoints = (product: Product): Result<Endpoint[]> => {
    if (product.destination !== 'local') return targetEndpoints(deps.destinations ?? null, product);
    const tls = product.authScheme === 'certificate';
    const endpoints = product.protocols.map((protocol) => stationEndpoint(protocol, tls)).filter((endpoint): endpoint is Endpoint => endpoint !== null);
    return endpoints.length > 0 ? ok(endpoints) : err('NO_OWNER', 'The station hub has no listener for this product; start the hub (or the station) with its MQTT listeners.');
  };

  const pipeline = new Pipeline({
    db: context.db,
    registry: deps.registry,
    assets: deps.assets,
    issuer: deps.issuer,
    stationKey: deps.stationKey,
    hub: deps.hub,
    stationEndpoint,
    destinationEndpoints,
    withDriver: (request, body) => deps.serial.withDriver(request, body),
    journal,
    ledger,
    vault: () => context.vault(),
    events: context.events,
    logger,
    clock: context.clock,
    stationId: context.stationId,
    safeService: (productKey) => config.safeServices?.[productKey] ?? null,
    destinations: deps.destinations ?? null,
    trustDestinationChain: (pem) => (deps.trustDestinationChain ? deps.trustDestinationChain(pem) : err('UNSUPPORTED', 'This station cannot trust destination CA chains.')),
  });

  const latestRecord = (ref: string): Result<BirthRecord> => {
    const device = deps.registry.resolveDevice(ref);
    if (!device.ok) return device;
    const row = context.db
      .prepare<[string, string], { record: string }>('SELECT record FROM birth_records WHERE product_key = ? AND device_key = ? ORDER BY run_id DESC LIMIT 1')
      .get(device.value.productKey, device.value.deviceKey);
    return row ? ok(JSON.parse(row.record) as BirthRecord) : err('NOT_FOUND', `${device.value.productKey}/${device.value.deviceKey} has no birth record: it was not provisioned at this station.`);
  };
  const identityOf = (ref: string): Result<DeviceIdentityUri> => {
    const device = deps.registry.resolveDevice(ref);
    return device.ok ? ok({ productKey: device.value.productKey, deviceKey: device.value.deviceKey, serial: device.value.serial, mac: device.value.mac }) : device;
  };

  /** A station configured with a printer labels every device it provisions; a printer fault never fails the run. */
  const autoPrint = async (result: ProvisionResult) => {
    if (!config.printer || result.outcome !== 'provisioned' || !result.deviceKey) return;
    const identity = identityOf(`${result.productKey}/${result.deviceKey}`);
    if (!identity.ok) return;
    const printed = await printLabel(config.printer, { zpl: labelZpl(identity.value), pdf: () => labelPdf(identity.value) });
    if (!printed.ok) logger.warn('label not printed', { productKey: result.productKey, deviceKey: result.deviceKey, code: printed.error.code, reason: printed.error.message });
  };

  /** One device through the pipeline, then its label (the provision handler and the station's slots). */
  const provisionAndPrint: Pick<Pipeline, 'run'> = {
    async run(request) {
      const result = await pipeline.run(request);
      if (result.ok) await autoPrint(result.value);
      return result;
    },
  };

  const station = config.station ? new SlotWatcher(provisionAndPrint, config.station, (port, error) => logger.error('station slot run failed', { port, error: error instanceof Error ? String(error) : error })) : null;
  const offPlug: Array<() => void> = [];

  return {
    pipeline,
    components: station
      ? [
          {
            name: 'provisioning station',
            async start() {
              offPlug.push(context.events.subscribe((channel, payload) => channel === 'ports.added' && station.plugged(payload as { path: string; identity: string })));
              // Slots given by path are watched (a pseudo-terminal is not listed by the OS); the devices already there run now.
              const present = await deps.serial.registry.watch(config.station!.slots.filter((slot) => slot.startsWith('/')));
              for (const port of present) station.plugged(port, false);
            },
            async stop() {
              offPlug.splice(0).forEach((off) => off());
              await station.idle();
            },
          },
        ]
      : [],
    handlers: {
      'provisioning.provision': ({ port, ...request }) => provisionAndPrint.run({ ...request, port }),
      'provisioning.batch': async ({ ports, all, planCsv, ...request }) => {
        if (!deps.registry.getProduct(request.productKey)) return err('NOT_FOUND', `No product "${request.productKey.slice(0, 40)}" in the registry. See \`commissioner product list\`.`);
        if (planCsv !== undefined) {
          const imported = importPlan(deps.registry, planCsv, request.productKey);
          if (!imported.ok) return imported;
          logger.info('plan imported', { ...imported.value });
        }
        const slots = all ? (await deps.serial.registry.list()).map((port) => port.path) : (ports ?? []);
        if (slots.length === 0) return err('INVALID_INPUT', all ? 'The station knows no ports; add pseudo-terminals with `commissioner ports --watch`.' : 'Name the slots with --ports P1,P2 or use --all.');
        const results = await runSlots(pipeline, [...new Set(slots)], request);
        await Promise.all(results.map(autoPrint));
        const count = (outcome: ProvisionResult['outcome']) => results.filter((result) => result.outcome === outcome).length;
        return ok({ results, summary: { provisioned: count('provisioned'), failed: count('failed'), skipped: count('skipped'), held: count('held') } });
      },
      'provisioning.today': (input) => ok(journal.startedSince(input.since)),
      'provisioning.ledger.verify': () => ledger.verify(),
      'provisioning.ledger.device': (input) => {
        const device = deps.registry.resolveDevice(input.device);
        if (!device.ok) return device;
        return ok(ledger.entriesOf(device.value.productKey, device.value.deviceKey, input.limit));
      },
      'provisioning.ledger.export': (input) => {
        const entries = ledger.entries();
        return ok({ text: exportLedger(entries, input.format), entries: entries.length });
      },
      'provisioning.report': (input) => latestRecord(input.device),
      'provisioning.report.verify': (input) => {
        const key = deps.stationKey.publicKey();
        if (!key.ok) return key;
        const verified = verifyBirthRecord(input.record, key.value.fingerprint);
        return verified.ok ? ok({ valid: true as const, keyId: verified.value.signature.keyId, deviceKey: verified.value.body.deviceKey }) : verified;
      },
      'provisioning.label': async (input) => {
        const identity = identityOf(input.device);
        if (!identity.ok) return identity;
        const bytes = input.format === 'zpl' ? Buffer.from(labelZpl(identity.value), 'utf8') : await labelPdf(identity.value);
        return ok({ identityUri: formatIdentityUri(identity.value), ...identity.value, format: input.format, base64: bytes.toString('base64') });
      },
    },
  };
}
