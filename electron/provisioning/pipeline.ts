import type { Device } from '../../shared/contract/devices';
import type { DeviceIdentity } from '../../shared/contract/ports';
import type { DeviceProtocol, Product } from '../../shared/contract/products';
import type { Check, IfProvisioned, PipelineStep, ProvisionResult, StepResult } from '../../shared/contract/provisioning';
import { formatIdentityUri } from '../../shared/model/identity-uri';
import { err, ok, type AppError, type Result } from '../../shared/result';
import type { EventBus } from '../core/event-bus';
import type { Logger } from '../core/logger';
import type { DeviceRef } from '../hub/directory';
import type { Hub } from '../hub/hub';
import type { LocalCaIssuer } from '../pki/device-certificates';
import type { StationKey } from '../pki/station-key';
import type { Vault } from '../pki/vault';
import type { AssetTrees } from '../registry/asset-trees';
import { isDiskFull, type Db } from '../registry/database';
import { deviceSecretId, type Registry } from '../registry/registry';
import { inOrder, type DeviceDriver, type Endpoint } from '../serial/drivers/driver';
import type { DriverRequest } from '../serial/module';
import { signBirthRecord } from './birth-record';
import { provideCredential, type CredentialContext, type CredentialOutcome } from './credential';
import { offlineClaim, type Destinations } from './destination';
import type { CredentialNote, Journal, RunRow } from './journal';
import type { Ledger } from './ledger';
import { planDevice } from './plan';
import { verificationPassed, verifyDevice } from './verify';

export interface RunRequest {
  port: string;
  productKey: string;
  protocols?: DeviceProtocol[];
  node?: string;
  driver: DriverRequest['driver'];
  profile?: string;
  baud: number;
  ifProvisioned: IfProvisioned;
  unmatched: 'naming-rule' | 'hold';
  verifyTimeoutMs: number;
  samples: number;
  operator: string;
}

export interface PipelineDeps {
  db: Db;
  registry: Registry;
  assets: AssetTrees;
  issuer: LocalCaIssuer;
  stationKey: StationKey;
  hub: Hub;
  /** The station hub's endpoint for a protocol (what the device is told for verification), or null. */
  stationEndpoint(protocol: DeviceProtocol, tls: boolean): Endpoint | null;
  /** The device-facing endpoints of a destination (the commit step writes them). */
  destinationEndpoints(product: Product): Result<Endpoint[]>;
  withDriver<T>(request: DriverRequest, body: (driver: DeviceDriver) => Promise<Result<T>>): Promise<Result<T>>;
  journal: Journal;
  ledger: Ledger;
  vault(): Result<Vault>;
  events: EventBus;
  logger: Logger;
  clock(): number;
  stationId: string;
  /** A safe-for-verification service per product (null: measurepoint get). */
  safeService(productKey: string): string | null;
  destinations: Destinations | null;
  trustDestinationChain(pem: string): Result<number>;
}

/** Everything a run learns, step by step; what the result, the ledger and the birth record are made of. */
interface RunState {
  run: RunRow;
  product: Product;
  steps: StepResult[];
  checks: Check[];
  identity: DeviceIdentity | null;
  device: Device | null;
  credential: CredentialNote;
  resumedFrom: RunRow | null;
  alreadyProvisioned: boolean;
  ledgerSeq: number | null;
}

type StepBody<T> = () => Promise<Result<{ value: T; reused?: boolean; detail: string }>>;

/**
 * The one-device pipeline (architecture §6): identify → plan → credential → verify → commit →
 * record, each step journaled. A step either finishes or leaves the run resumable: the next run of
 * the same device (by product and serial) continues with its deviceKey and credential, and each
 * step checks the device before writing, so nothing is done twice. Only the record step marks the
 * device provisioned, after every other step succeeded.
 */
export class Pipeline {
  constructor(private readonly deps: PipelineDeps) {}

  async run(request: RunRequest): Promise<Result<ProvisionResult>> {
    const product = this.deps.registry.getProduct(request.productKey);
    if (!product) return err('NOT_FOUND', `No product "${request.productKey.slice(0, 40)}" in the registry. See \`commissioner product list\`.`);
    const unknown = (request.protocols ?? []).find((protocol) => !product.protocols.includes(protocol));
    if (unknown) return err('INVALID_INPUT', `Product ${product.productKey} does not speak ${unknown}; it speaks ${product.protocols.join(', ')}.`);
    let run: RunRow;
    try {
      run = this.deps.journal.begin(request.port, product.productKey, product.authScheme);
    } catch (error) {
      if (isDiskFull(error)) return err('PROVISION_STORAGE_FULL');
      throw error;
    }
    const state: RunState = { run, product, steps: [], checks: [], identity: null, device: null, credential: {}, resumedFrom: null, alreadyProvisioned: false, ledgerSeq: null };
    const done = await this.deps
      .withDriver({ path: request.port, driver: request.driver, baud: request.baud, ...(request.profile ? { profile: request.profile } : {}) }, (driver) => this.steps(driver, request, state))
      .catch((error: unknown) => this.internalFailure(state, error));
    return ok(this.finish(state, request, done));
  }

  /**
   * A step threw (a bug, not a failure value): the run still ends as failed in the journal, the
   * ledger and the result event, so a station slot or a wizard never waits for it forever.
   */
  private internalFailure(state: RunState, error: unknown): Result<never> {
    this.deps.logger.error('provisioning run stopped on an internal error', { runId: state.run.id, port: state.run.port, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    return err('INTERNAL', `The run on ${state.run.port} stopped on an internal error; the details are in the log.`);
  }

  private async steps(driver: DeviceDriver, request: RunRequest, state: RunState): Promise<Result<'provisioned' | 'skipped'>> {
    const { product } = state;
    const identified = await this.step(state, 'identify', async () => {
      const identity = await driver.identify();
      if (!identity.ok) return identity;
      if (!identity.value.serial) return err('PROVISION_IDENTITY_MISMATCH', 'The device reports no serial number; it cannot be matched to a plan or recognised again.');
      this.deps.journal.identify(state.run.id, identity.value);
      state.identity = identity.value;
      return ok({ value: identity.value, detail: `${identity.value.model} serial ${identity.value.serial}, MAC ${identity.value.mac}, firmware ${identity.value.firmware}, state ${identity.value.state}` });
    });
    if (!identified.ok) return identified;
    const identity = identified.value;

    const planned = await this.step(state, 'plan', async () => {
      const resumable = this.deps.journal.unfinished(product.productKey, identity.serial, state.run.id);
      const plan = await planDevice(this.deps.registry, product, identity, request.unmatched, resumable?.deviceKey ?? null, offlineClaim(this.deps.destinations, product));
      if (!plan.ok) return plan;
      const device = plan.value.device;
      if (resumable?.deviceKey === device.deviceKey) {
        state.resumedFrom = resumable;
        state.credential = resumable.credential;
        this.deps.journal.supersede(resumable.id, state.run.id);
      }
      state.alreadyProvisioned = !state.resumedFrom && (device.state === 'provisioned' || this.deps.journal.lastProvisioned(device.productKey, device.deviceKey) !== undefined);
      state.device = device;
      this.deps.journal.planned(state.run.id, device.deviceKey);
      const how = state.resumedFrom
        ? `resumed run ${state.resumedFrom.id}`
        : plan.value.matched
          ? 'matched the plan'
          : plan.value.pooled
            ? `claimed from the credential pool of "${product.destination}", which cannot be reached`
            : `named by the rule ${product.namingRule.prefix}{${product.namingRule.source}}`;
      return ok({ value: device, reused: plan.value.matched, detail: `${device.productKey}/${device.deviceKey} (${how})` });
    });
    if (!planned.ok) return planned;
    const device: DeviceRef = { productKey: planned.value.productKey, deviceKey: planned.value.deviceKey };
    if (state.alreadyProvisioned && request.ifProvisioned === 'skip') return ok('skipped');
    const rotate = state.alreadyProvisioned && request.ifProvisioned === 'reprovision';
    const keepCredential = state.alreadyProvisioned && request.ifProvisioned === 'reverify';

    const credential = await this.step(state, 'credential', async (): Promise<Result<{ value: CredentialOutcome | null; reused?: boolean; detail: string }>> => {
      if (keepCredential) return ok({ value: null, reused: true, detail: 're-verify: the credential on the device is kept' });
      const provided = await provideCredential(this.credentialContext(product), driver, product, device, identity, state.credential, rotate);
      if (!provided.ok) return provided;
      state.credential = provided.value.note;
      this.deps.journal.credential(state.run.id, provided.value.note);
      return ok({ value: provided.value, reused: provided.value.reused, detail: provided.value.detail });
    });
    if (!credential.ok) return credential;

    const verified = await this.step(state, 'verify', async () => {
      // Product-secret devices activate afresh at the station: forget the station-side and device-side
      // verification secret first, unless the device is already live at this hub (its destination).
      const activates = product.authScheme === 'product-secret' && !(product.destination === 'local' && state.alreadyProvisioned);
      const target = {
        device,
        product: this.deps.registry.getProduct(product.productKey) ?? product,
        protocols: request.protocols ?? product.protocols,
        endpoint: (protocol: DeviceProtocol) => this.deps.stationEndpoint(protocol, product.authScheme === 'certificate'),
        timeoutMs: request.verifyTimeoutMs,
        samples: request.samples,
        certificateSerial: state.credential.certificateSerial ?? null,
        safeService: this.deps.safeService(product.productKey),
      };
      let checks: Check[] = [];
      // An activation push the device missed (it was not listening yet) is tried once more from a clean slate.
      for (let attempt = 0; attempt < (activates ? 2 : 1); attempt++) {
        if (activates) {
          const station = this.forgetStationActivation(device);
          if (!station.ok) return station;
          // The device's forget goes out with the test right behind it: the device answers in order (commissioning protocol §3.4).
          const run = await inOrder(driver, () => driver.forgetSecret('deviceSecret'), async () => ok(await verifyDevice(this.deps.hub, driver, target)));
          if (!run.ok) return run;
          checks = run.value[1];
        } else {
          checks = await verifyDevice(this.deps.hub, driver, target);
        }
        if (!checks.some((check) => check.check === 'activation' && check.result === 'failed')) break;
      }
      state.checks = checks;
      const failed = checks.filter((check) => check.result === 'failed');
      if (!verificationPassed(checks)) return err('PROVISION_VERIFY_FAILED', failed.length > 0 ? failed.map((check) => `${check.protocol} ${check.check}: ${check.explanation}`).join('; ') : 'no protocol could be verified at the station hub');
      return ok({ value: checks, detail: checks.map((check) => `${check.protocol} ${check.check} ${check.result}`).join(', ') });
    });
    if (!verified.ok) return verified;

    const committed = await this.step(state, 'commit', async () => {
      const endpoints = this.deps.destinationEndpoints(product);
      if (!endpoints.ok) return endpoints;
      const written = await driver.writeConfig({ productKey: device.productKey, deviceKey: device.deviceKey, endpoints: endpoints.value });
      if (!written.ok) return written;
      const forget = product.authScheme === 'product-secret' && product.destination !== 'local';
      if (forget) {
        const reset = await this.resetActivation(driver, device);
        if (!reset.ok) return reset;
      }
      const commit = await driver.commit();
      if (!commit.ok) return commit;
      const reboot = await driver.reboot();
      if (!reboot.ok) return reboot;
      return ok({ value: endpoints.value, detail: `production endpoint ${endpoints.value.map((endpoint) => `${endpoint.protocol}://${endpoint.host}:${endpoint.port}`).join(', ')} written${forget ? '; verification secret forgotten (the device activates at its destination)' : ''}; committed and rebooted` });
    });
    if (!committed.ok) return committed;

    const recorded = await this.step(state, 'record', async () => this.record(state, request, device));
    return recorded.ok ? ok('provisioned') : recorded;
  }

  private credentialContext(product: Product): CredentialContext {
    const { destinations } = this.deps;
    const target = product.destination !== 'local' && destinations ? destinations.target(product.destination) : null;
    return {
      registry: this.deps.registry,
      issuer: this.deps.issuer,
      vault: () => this.deps.vault(),
      secretChanged: (device: DeviceRef) => this.deps.events.emit('devices.changed', { operation: 'update', productKey: device.productKey, deviceKey: device.deviceKey }),
      // A hub target's devices get their secrets and certificates here, as for this hub (architecture §5).
      enos: target?.ok && target.value.kind === 'enos' ? { target: product.destination, destinations: destinations!, trustChain: (pem) => this.deps.trustDestinationChain(pem) } : null,
    };
  }

  /** The verification-only activation (architecture §5): the station and the device both forget its secret. */
  private async resetActivation(driver: DeviceDriver, device: DeviceRef): Promise<Result<void>> {
    const station = this.forgetStationActivation(device);
    if (!station.ok) return station;
    return driver.forgetSecret('deviceSecret');
  }

  /** The station's half, first: once its copy is gone, the device's next mode-3 login is a fresh activation (§3.7). */
  private forgetStationActivation(device: DeviceRef): Result<void> {
    const vault = this.deps.vault();
    if (!vault.ok) return vault;
    vault.value.delete(deviceSecretId(device.productKey, device.deviceKey));
    this.deps.events.emit('devices.changed', { operation: 'update', productKey: device.productKey, deviceKey: device.deviceKey });
    return ok(undefined);
  }

  /** Marks the device provisioned, places it, writes the ledger entry and the birth record: all or nothing. */
  private async record(state: RunState, request: RunRequest, device: DeviceRef): Promise<Result<{ value: number; detail: string }>> {
    const { registry, ledger, stationKey, db } = this.deps;
    const identity = state.identity!;
    const now = this.deps.clock();
    const written = registry.transaction(() => {
      const current = registry.getDevice(device.productKey, device.deviceKey);
      if (!current) return err('NOT_FOUND', `${device.productKey}/${device.deviceKey} was deleted during the run.`);
      if (current.state !== 'provisioned') {
        const marked = registry.setDeviceState(device.productKey, device.deviceKey, 'provisioned');
        if (!marked.ok) return marked;
      }
      if (request.node) {
        const placed = this.deps.assets.place(`${device.productKey}/${device.deviceKey}`, request.node);
        if (!placed.ok) return placed;
      }
      const entry = ledger.append(this.ledgerFields(state, request, 'provisioned', now));
      state.ledgerSeq = entry.seq;
      const record = signBirthRecord(stationKey, {
        productKey: device.productKey,
        deviceKey: device.deviceKey,
        serial: identity.serial,
        mac: identity.mac,
        model: identity.model,
        firmware: identity.firmware,
        scheme: state.product.authScheme,
        credentialFingerprint: state.credential.fingerprint ?? null,
        stationId: this.deps.stationId,
        operator: request.operator,
        runId: state.run.id,
        ledgerSeq: entry.seq,
        ledgerHash: entry.hash,
        provisionedAt: now,
        checks: state.checks,
        identityUri: formatIdentityUri({ productKey: device.productKey, deviceKey: device.deviceKey, serial: identity.serial, mac: identity.mac }),
      });
      if (!record.ok) return record;
      db.prepare('INSERT INTO birth_records (product_key, device_key, run_id, record, created_at) VALUES (?, ?, ?, ?, ?)').run(device.productKey, device.deviceKey, state.run.id, JSON.stringify(record.value), now);
      this.deps.journal.finish(state.run.id, 'provisioned', null);
      return ok(entry.seq);
    });
    if (!written.ok) return written;
    return ok({ value: written.value, detail: `ledger entry ${written.value}, birth record signed${request.node ? `, placed under ${request.node}` : ''}, queued for sync` });
  }

  private ledgerFields(state: RunState, request: RunRequest, outcome: 'provisioned' | 'failed', now: number) {
    return {
      at: now,
      stationId: this.deps.stationId,
      operator: request.operator,
      runId: state.run.id,
      outcome,
      productKey: state.product.productKey,
      deviceKey: state.device?.deviceKey ?? null,
      serial: state.identity?.serial ?? null,
      mac: state.identity?.mac ?? null,
      firmware: state.identity?.firmware ?? null,
      scheme: state.product.authScheme,
      credentialFingerprint: state.credential.fingerprint ?? null,
      steps: state.steps,
      checks: state.checks,
    };
  }

  /** Runs one step: journaled before and after, timed, announced; a full disk is an expected failure. */
  private async step<T>(state: RunState, step: PipelineStep, body: StepBody<T>): Promise<Result<T>> {
    const { journal, events } = this.deps;
    const runId = state.run.id;
    const announce = (status: 'started' | 'done' | 'reused' | 'failed', detail: string) =>
      events.emit('provisioning.progress', { runId, port: state.run.port, step, status, deviceKey: state.device?.deviceKey ?? null, detail });
    journal.step(runId, step, 'running');
    announce('started', '');
    const started = performance.now();
    let result: Awaited<ReturnType<StepBody<T>>>;
    try {
      result = await body();
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      result = err('PROVISION_STORAGE_FULL');
    }
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const status = !result.ok ? 'failed' : result.value.reused ? 'reused' : 'done';
    const detail = result.ok ? result.value.detail : `${result.error.code}: ${result.error.message}`;
    state.steps.push({ step, status, ms, detail });
    try {
      journal.step(runId, step, status, detail, ms);
    } catch (error) {
      if (!isDiskFull(error)) throw error;
    }
    announce(status, detail);
    return result.ok ? ok(result.value.value) : result;
  }

  /** Closes the run in the journal (and, for a failure, the ledger) and builds the result. */
  private finish(state: RunState, request: RunRequest, done: Result<'provisioned' | 'skipped'>): ProvisionResult {
    const { journal } = this.deps;
    const outcome = done.ok ? done.value : done.error.code === 'PROVISION_HELD' ? 'held' : 'failed';
    const error: AppError | null = done.ok ? null : done.error;
    try {
      if (outcome !== 'provisioned') {
        // A failed run is in the ledger too (who, what, which step failed), never as done.
        if (outcome === 'failed' && state.device) state.ledgerSeq = this.deps.ledger.append(this.ledgerFields(state, request, 'failed', this.deps.clock())).seq;
        journal.finish(state.run.id, outcome, error);
      }
    } catch (failure) {
      if (!isDiskFull(failure)) throw failure;
    }
    const result: ProvisionResult = {
      runId: state.run.id,
      port: request.port,
      productKey: state.product.productKey,
      deviceKey: state.device?.deviceKey ?? null,
      serial: state.identity?.serial ?? null,
      outcome,
      resumed: state.resumedFrom !== null,
      steps: state.steps,
      checks: state.checks,
      error,
      ledgerSeq: state.ledgerSeq,
    };
    this.deps.logger.info('provisioning run finished', { runId: result.runId, port: result.port, productKey: result.productKey, deviceKey: result.deviceKey, outcome, code: error?.code });
    this.deps.events.emit('provisioning.finished', result);
    return result;
  }
}
