import type { z } from 'zod';
import type { SyncConflictSchema, SyncStatus, SyncTargetAddSchema, SyncTargetInfo } from '../../shared/contract/sync';
import type { Device } from '../../shared/contract/devices';
import type { AuthScheme } from '../../shared/contract/products';
import { err, ok, type Result } from '../../shared/result';
import type { Logger } from '../core/logger';
import { processAlive } from '../core/owner';
import type { Vault } from '../pki/vault';
import type { AssetTrees } from '../registry/asset-trees';
import type { Db } from '../registry/database';
import { deviceSecretId, type Registry } from '../registry/registry';
import type { Attempt } from './failure';
import { PacedHttp } from './http';
import { OutboxReader } from './outbox';
import { DEFAULT_BACKOFF, DEFAULT_BURST, DEFAULT_RATE, TokenBucket } from './pacing';
import { SyncProcessor, type DrainSummary } from './processor';
import { SyncStore, type ConflictRow, type TargetRow } from './store';
import type { SyncTarget } from './target';
import { EnosClient } from './targets/enos/client';
import { EnosIssuer } from './targets/enos/issuer';
import { createCloudDevice, createPoolDevice, i18nText, pullFromEnos, pulledTreeImport, taggedLocalId, treeMapping, type CloudDevice, type PulledTree } from './targets/enos/pull';
import { EnosTarget } from './targets/enos/target';
import { hubTreeImports } from './targets/hub/pull';
import { HubTarget } from './targets/hub/target';

type TargetAdd = z.output<typeof SyncTargetAddSchema>;
type Conflict = z.infer<typeof SyncConflictSchema>;

/** Optional per-target settings kept in the target's config beside its address. */
interface TargetTuning {
  concurrency?: number;
  backoffMs?: number;
  timeoutMs?: number;
}

export interface SyncServiceOptions {
  db: Db;
  vault: () => Result<Vault>;
  clock: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  logger: Logger;
  stationId: string;
  env: NodeJS.ProcessEnv;
  /** The local registry: pulled EnOS products (their secrets in its vault entries) go into it, claimed pool devices too. */
  registry: Pick<Registry, 'importProduct' | 'createDevice' | 'transaction'>;
  /** The registry's asset trees: pulled EnOS trees go into them, with their cloud ids. */
  assets: Pick<AssetTrees, 'importPulledTree' | 'show'>;
  onStatus?: (status: SyncStatus) => void;
  onConflict?: (conflict: Conflict) => void;
}

export const appSecretId = (target: string) => `sync:${target}:app-secret`;
export const poolSecretId = (target: string, productKey: string, deviceKey: string) => `sync:${target}:pool:${productKey}/${deviceKey}:secret`;

/** What a claimed pool device is bound to: the physical device's identity (architecture §5). */
export interface PoolClaimant {
  serial: string;
  mac?: string;
  firmware?: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_CONCURRENCY = 4;
/** A drain sits out a Retry-After or backoff up to this long before it returns. */
const DEFAULT_MAX_WAIT_MS = 30_000;

function attemptToResult<T>(attempt: Attempt<T>): Result<T> {
  return attempt.ok ? ok(attempt.value) : err(attempt.failure.code, attempt.failure.message);
}

/** The sync domain behind the `sync.*` requests: targets, the processors, pull, pool, conflicts, status. */
export class SyncService {
  readonly store: SyncStore;
  private outboxReader: OutboxReader | undefined;
  private readonly paced = new Map<string, PacedHttp>();
  private readonly draining = new Map<string, Promise<unknown>>();
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: SyncServiceOptions) {
    this.store = new SyncStore(options.db, options.clock);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Prepared on first use, so composing the services never touches the sync tables. */
  private get reader(): OutboxReader {
    this.outboxReader ??= new OutboxReader(this.options.db);
    return this.outboxReader;
  }

  addTarget(input: TargetAdd): Result<SyncTargetInfo> {
    const vault = input.kind === 'enos' ? this.options.vault() : undefined;
    if (vault && !vault.ok) return vault;
    const { kind, name, rate, burst, concurrency, backoffMs, timeoutMs } = input;
    const tuning: TargetTuning = { concurrency, backoffMs, timeoutMs };
    const config =
      input.kind === 'enos'
        ? { url: input.url, orgId: input.orgId, appKey: input.appKey, deviceEndpoints: input.deviceEndpoints, ...tuning }
        : { url: input.url, tokenEnv: input.tokenEnv, ...tuning };
    const added = this.options.db.transaction(() => {
      if (!this.store.addTarget({ name, kind, config, rate: rate ?? DEFAULT_RATE, burst: burst ?? DEFAULT_BURST })) return false;
      if (input.kind === 'enos') vault!.value!.put(appSecretId(name), input.appSecret, 'enos-app-secret');
      return true;
    })();
    if (!added) return err('ALREADY_EXISTS', `A sync target named "${name}" exists. Remove it first or choose another --name.`);
    return ok(this.describe(this.store.target(name)!));
  }

  describe(row: TargetRow): SyncTargetInfo {
    const config = row.config as { url: string; orgId?: string; appKey?: string; deviceEndpoints?: string[]; tokenEnv?: string };
    return { name: row.name, kind: row.kind, url: config.url, orgId: config.orgId, appKey: config.appKey, deviceEndpoints: config.deviceEndpoints, tokenEnv: config.tokenEnv, rate: row.rate, burst: row.burst, createdAt: row.createdAt };
  }

  removeTarget(name: string): Result<{ removed: string }> {
    if (!this.store.target(name)) return err('SYNC_TARGET_NOT_FOUND', `No sync target named "${name}".`);
    this.options.db.transaction(() => {
      this.store.removeTarget(name);
      const vault = this.options.vault();
      if (vault.ok) vault.value.delete(appSecretId(name));
    })();
    this.paced.get(name)?.close();
    this.paced.delete(name);
    return ok({ removed: name });
  }

  /** The named target, or every target (`all`), or the only one. */
  private select(name: string | undefined, many: boolean): Result<TargetRow[]> {
    if (name) {
      const row = this.store.target(name);
      return row ? ok([row]) : err('SYNC_TARGET_NOT_FOUND', `No sync target named "${name}".`);
    }
    const rows = this.store.targets();
    if (rows.length === 0) return err('SYNC_TARGET_NOT_FOUND', 'No sync target is configured. Add one with `commissioner sync target add`.');
    if (rows.length > 1 && !many) return err('INVALID_INPUT', `Several sync targets exist (${rows.map((row) => row.name).join(', ')}); name one with --target.`);
    return ok(rows);
  }

  private http(row: TargetRow): PacedHttp {
    let paced = this.paced.get(row.name);
    if (!paced) {
      const tuning = row.config as TargetTuning;
      paced = new PacedHttp({ bucket: new TokenBucket(row.rate, row.burst, this.options.clock), clock: this.options.clock, sleep: this.sleep, timeoutMs: tuning.timeoutMs ?? DEFAULT_TIMEOUT_MS });
      this.paced.set(row.name, paced);
    }
    return paced;
  }

  private enosClient(row: TargetRow): Result<EnosClient> {
    const vault = this.options.vault();
    if (!vault.ok) return vault;
    const appSecret = vault.value.get(appSecretId(row.name));
    if (!appSecret) return err('SYNC_APP_SECRET_MISSING', `The app secret of target "${row.name}" is not in the vault; add the target again.`);
    const config = row.config as { url: string; orgId: string; appKey: string };
    return ok(new EnosClient({ url: config.url, orgId: config.orgId, appKey: config.appKey, appSecret }, this.http(row), this.options.clock));
  }

  private hubTarget(row: TargetRow): Result<HubTarget> {
    const config = row.config as { url: string; tokenEnv: string };
    const token = this.options.env[config.tokenEnv];
    if (!token) return err('SYNC_AUTH_FAILED', `The hub token of target "${row.name}" is read from $${config.tokenEnv}, which is not set.`);
    return ok(new HubTarget(config.url, token, this.options.stationId, this.http(row)));
  }

  private connect(row: TargetRow): Result<SyncTarget> {
    if (row.kind === 'hub') return this.hubTarget(row);
    const client = this.enosClient(row);
    if (!client.ok) return client;
    const vault = this.options.vault();
    return ok(
      new EnosTarget(
        client.value,
        row.name,
        (productKey, deviceKey, secret) => {
          // The secret EnOS issued, kept so the local hub can verify the device too (architecture §5).
          if (vault.ok && !vault.value.has(deviceSecretId(productKey, deviceKey))) vault.value.put(deviceSecretId(productKey, deviceKey), secret, 'device-secret');
        },
        (treeId) => this.options.assets.show(treeId).ok,
      ),
    );
  }

  /** `sync run`: one drain of each selected target; `signal` ends it early. */
  async run(name: string | undefined, options: { maxWaitMs?: number; signal?: AbortSignal } = {}): Promise<Result<(DrainSummary & { target: string })[]>> {
    const rows = this.select(name, true);
    if (!rows.ok) return rows;
    const summaries: (DrainSummary & { target: string })[] = [];
    for (const row of rows.value) {
      const summary = await this.serialized(row.name, () => this.drainTarget(row, options));
      if (!summary.ok) return summary;
      summaries.push({ target: row.name, ...summary.value });
    }
    return ok(summaries);
  }

  /** Drains of one target never overlap in this process (a background run and a requested one take turns). */
  private serialized<T>(target: string, body: () => Promise<T>): Promise<T> {
    const previous = this.draining.get(target) ?? Promise.resolve();
    const current = previous.then(body, body);
    this.draining.set(target, current.catch(() => undefined));
    return current;
  }

  private async drainTarget(row: TargetRow, options: { maxWaitMs?: number; signal?: AbortSignal }): Promise<Result<DrainSummary>> {
    const target = this.connect(row);
    if (!target.ok) {
      this.store.setLastError(row.name, { code: target.error.code, message: target.error.message, at: this.options.clock() });
      return target;
    }
    const claim = this.store.claimRunner(row.name, process.pid, processAlive);
    if (!claim.claimed) return err('SYNC_BUSY', `Process ${claim.holder} is delivering to target "${row.name}" right now.`);
    try {
      const tuning = row.config as TargetTuning;
      const processor = new SyncProcessor({
        targetName: row.name,
        store: this.store,
        reader: this.reader,
        target: target.value,
        logger: this.options.logger,
        clock: this.options.clock,
        sleep: this.sleep,
        random: this.options.random,
        backoff: { ...DEFAULT_BACKOFF, ...(tuning.backoffMs ? { baseMs: tuning.backoffMs, maxMs: tuning.backoffMs * 64 } : {}) },
        concurrency: tuning.concurrency ?? DEFAULT_CONCURRENCY,
        onProgress: () => this.options.onStatus?.(this.statusOf(this.store.target(row.name)!)),
        onConflict: (id) => {
          const conflict = this.store.conflicts().find((row) => row.id === id);
          if (conflict) this.options.onConflict?.(conflict);
        },
      });
      return ok(await processor.drain({ signal: options.signal, maxWaitMs: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS }));
    } finally {
      this.store.releaseRunner(row.name, process.pid);
    }
  }

  /**
   * The owner's background sync (issue 10: "whenever a network is there"): every target is
   * drained again and again, briefly idle between rounds, until `signal` ends it.
   */
  async runContinuously(signal: AbortSignal, idleMs = 2000): Promise<void> {
    if (!this.store.hasTables()) {
      this.options.logger.warn('background sync is off: the database has no sync tables yet');
      return;
    }
    while (!signal.aborted) {
      try {
        if (this.store.targets().length > 0) {
          const run = await this.run(undefined, { maxWaitMs: 1000, signal });
          if (!run.ok && run.error.code !== 'SYNC_BUSY') this.options.logger.info('background sync round failed', { code: run.error.code });
        }
      } catch (error) {
        this.options.logger.error('background sync round crashed', { error });
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, idleMs);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }

  private statusOf(row: TargetRow): SyncStatus {
    const counts = this.store.counts(row.name, row.cursor);
    const now = this.options.clock();
    const recent = this.options.db
      .prepare("SELECT COUNT(*) AS n, MIN(updated_at) AS first, MAX(updated_at) AS last FROM sync_deliveries WHERE target = ? AND state IN ('sent', 'skipped') AND updated_at > ?")
      .get(row.name, now - 10_000) as { n: number; first: number | null; last: number | null };
    // The pace of the last ten seconds while items flow, the configured rate otherwise.
    const measured = recent.n >= 2 && recent.last! > recent.first! ? ((recent.n - 1) * 1000) / (recent.last! - recent.first!) : 0;
    const pace = measured > 0 ? Math.min(measured, row.rate) : row.rate;
    const paused = row.pausedUntil > now ? row.pausedUntil : null;
    return {
      target: row.name,
      kind: row.kind,
      ...counts,
      cursor: row.cursor,
      etaSeconds: Math.round((counts.pending / pace + (paused ? (paused - now) / 1000 : 0)) * 10) / 10,
      pausedUntil: paused,
      lastError: row.lastError,
    };
  }

  status(name: string | undefined): Result<SyncStatus[]> {
    const rows = name ? this.select(name, true) : ok(this.store.targets());
    return rows.ok ? ok(rows.value.map((row) => this.statusOf(row))) : rows;
  }

  /** `sync pull`: what the target owns (EnOS products with secrets, models, trees; a hub's products and trees), for offline work. */
  async pull(name: string | undefined): Promise<Result<{ target: string; products: number; models: number; trees: number }>> {
    const rows = this.select(name, false);
    if (!rows.ok) return rows;
    const row = rows.value[0]!;
    const now = this.options.clock();
    const keep = this.options.db.prepare(
      'INSERT INTO sync_pulled (target, kind, id, snapshot, pulled_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (target, kind, id) DO UPDATE SET snapshot = excluded.snapshot, pulled_at = excluded.pulled_at',
    );
    if (row.kind === 'hub') {
      const hub = this.hubTarget(row);
      if (!hub.ok) return hub;
      const pulled = await hub.value.pull();
      if (!pulled.ok) return attemptToResult(pulled);
      for (const tree of hubTreeImports(pulled.value.trees)) {
        // This station's own tree, pushed to the hub earlier: it is held here already.
        const held = this.options.assets.show(tree.treeId);
        if (held.ok && held.value.tree.origin === 'local') continue;
        const imported = this.options.assets.importPulledTree(tree);
        if (!imported.ok) return err(imported.error.code, `Asset tree ${tree.treeId} of hub "${row.name}" could not be imported: ${imported.error.message}`);
      }
      this.options.db.transaction(() => {
        for (const product of pulled.value.products) keep.run(row.name, 'product', product.entityId, JSON.stringify(product.payload), now);
        for (const node of pulled.value.trees) keep.run(row.name, 'asset_tree', `${node.entity}:${node.entityId}`, JSON.stringify(node.payload), now);
      })();
      return ok({ target: row.name, products: pulled.value.products.length, models: 0, trees: pulled.value.trees.filter((item) => item.entity === 'asset_tree').length });
    }
    const client = this.enosClient(row);
    if (!client.ok) return client;
    const pulled = await pullFromEnos(client.value);
    if (!pulled.ok) return attemptToResult(pulled);
    const models = new Map(pulled.value.models.map((model) => [model.modelId, model.snapshot]));
    for (const product of pulled.value.products) {
      const snapshot = product.snapshot;
      const authScheme: AuthScheme = snapshot.biDirectionalAuth ? 'certificate' : snapshot.dynamicActivateEnabled ? 'product-secret' : 'device-secret';
      // The productSecret is kept once, under the registry's vault id (`product:<pk>:secret`).
      const imported = this.options.registry.importProduct({ productKey: snapshot.productKey, name: i18nText(snapshot.productName, snapshot.productKey), authScheme, productSecret: product.productSecret, thingModel: models.get(snapshot.modelId) ?? null, destination: row.name });
      if (!imported.ok) return err(imported.error.code, `Product ${snapshot.productKey} could not be imported: ${imported.error.message}`);
    }
    for (const tree of pulled.value.trees) {
      const imported = this.importTree(row.name, tree);
      if (!imported.ok) return err(imported.error.code, `Asset tree ${tree.treeId} could not be imported: ${imported.error.message}`);
    }
    this.options.db.transaction(() => {
      for (const product of pulled.value.products) {
        keep.run(row.name, 'product', product.snapshot.productKey, JSON.stringify(product.snapshot), now);
        this.store.putMapping(row.name, { entity: 'product', localId: product.snapshot.productKey, cloudId: product.snapshot.productKey });
      }
      for (const model of pulled.value.models) keep.run(row.name, 'thing_model', model.modelId, JSON.stringify(model.snapshot), now);
      for (const tree of pulled.value.trees) keep.run(row.name, 'asset_tree', tree.treeId, JSON.stringify({ ...tree, assets: tree.assets.length }), now);
    })();
    return ok({ target: row.name, products: pulled.value.products.length, models: pulled.value.models.length, trees: pulled.value.trees.length });
  }

  /**
   * A pulled EnOS tree into the registry (origin 'enos') together with the mappings the EnOS
   * target pushes by: the tree, and each node the import added (cloud id = local id). The import
   * writes no outbox rows, so nothing pulled is pushed back; nodes and placements made under the
   * tree later are. An asset that is a local node's counterpart (mapped, or tagged with the id of
   * a node of this tree, e.g. pushed before its answer was lost) is not imported again.
   */
  private importTree(target: string, tree: PulledTree): Result<{ added: number }> {
    const view = this.options.assets.show(tree.treeId);
    const localNodes = new Set(view.ok ? view.value.nodes.map((node) => node.id) : []);
    const pulled = pulledTreeImport(tree, (asset) => {
      const tagged = taggedLocalId(asset);
      return this.store.localIdOf(target, 'asset_node', asset.assetId) ?? (tagged && localNodes.has(tagged) ? tagged : undefined);
    });
    return this.options.registry.transaction(() => {
      const imported = this.options.assets.importPulledTree(pulled.tree);
      if (!imported.ok) return imported;
      this.store.putMapping(target, treeMapping(tree));
      for (const node of imported.value.added) this.store.putMapping(target, pulled.mappings.get(node.id)!);
      return ok({ added: imported.value.added.length });
    });
  }

  /** `sync pool`: N devices created in EnOS now, their keys listed and their secrets in the vault. */
  async pool(name: string | undefined, productKey: string, count: number): Promise<Result<{ target: string; created: { productKey: string; deviceKey: string }[] }>> {
    const rows = this.select(name, false);
    if (!rows.ok) return rows;
    const row = rows.value[0]!;
    if (row.kind !== 'enos') return err('UNSUPPORTED', 'A credential pool is made in EnOS; a hub target generates credentials locally.');
    const client = this.enosClient(row);
    if (!client.ok) return client;
    const vault = this.options.vault();
    if (!vault.ok) return vault;
    const created: { productKey: string; deviceKey: string }[] = [];
    for (let index = 0; index < count; index++) {
      const device = await createPoolDevice(client.value, productKey);
      if (!device.ok) {
        if (created.length === 0) return attemptToResult(device);
        this.options.logger.warn('pool stopped early', { target: row.name, productKey, created: created.length, code: device.failure.code });
        break;
      }
      const { deviceKey, assetId, deviceSecret } = device.value;
      this.options.db.transaction(() => {
        vault.value.put(poolSecretId(row.name, productKey, deviceKey), deviceSecret, 'device-secret');
        this.options.db.prepare('INSERT INTO sync_pool (target, product_key, device_key, asset_id, created_at) VALUES (?, ?, ?, ?, ?)').run(row.name, productKey, deviceKey, assetId, this.options.clock());
        this.store.putMapping(row.name, { entity: 'device', localId: `${productKey}/${deviceKey}`, cloudId: assetId });
      })();
      created.push({ productKey, deviceKey });
    }
    return ok({ target: row.name, created });
  }

  /**
   * The offline plan step (architecture §5): the oldest unclaimed pool device of the product
   * becomes a registry device bound to the claimant's serial and MAC, with the secret EnOS made
   * for it. The claim, the registry row (and its outbox row) and the secret's move to the device's
   * vault id are one immediate transaction, so two stations or slots never get the same device.
   */
  claimPoolDevice(name: string | undefined, productKey: string, claimant: PoolClaimant): Result<{ target: string; device: Device }> {
    const rows = this.select(name, false);
    if (!rows.ok) return rows;
    const row = rows.value[0]!;
    if (row.kind !== 'enos') return err('UNSUPPORTED', `Target "${row.name}" is a hub; it has no credential pool (its devices get secrets locally).`);
    const vault = this.options.vault();
    if (!vault.ok) return vault;
    const claim = () =>
      this.options.registry.transaction(() => {
        const deviceKey = this.options.db
          .prepare('SELECT device_key FROM sync_pool WHERE target = ? AND product_key = ? AND claimed_at IS NULL ORDER BY created_at, device_key LIMIT 1')
          .pluck()
          .get(row.name, productKey) as string | undefined;
        if (!deviceKey) return err('SYNC_POOL_EMPTY', `The credential pool of ${productKey} at "${row.name}" has no unclaimed device left; add some while online with \`commissioner sync pool --product ${productKey} --count N\`.`);
        const secret = vault.value.get(poolSecretId(row.name, productKey, deviceKey));
        if (!secret) return err('NOT_FOUND', `The secret of pool device ${productKey}/${deviceKey} is not in the vault; it cannot be claimed.`);
        this.options.db.prepare('UPDATE sync_pool SET claimed_at = ? WHERE target = ? AND product_key = ? AND device_key = ?').run(this.options.clock(), row.name, productKey, deviceKey);
        const created = this.options.registry.createDevice({ productKey, deviceKey, deviceSecret: secret, serial: claimant.serial, mac: claimant.mac, firmware: claimant.firmware });
        if (!created.ok) return created;
        vault.value.delete(poolSecretId(row.name, productKey, deviceKey));
        return ok({ target: row.name, device: created.value.device });
      });
    return this.options.db.transaction(claim).immediate();
  }

  /** A pool device that was claimed: EnOS made it and its secret earlier (its secret is the device's now). */
  private claimedPoolDevice(target: string, productKey: string, deviceKey: string): CloudDevice | undefined {
    const assetId = this.options.db.prepare('SELECT asset_id FROM sync_pool WHERE target = ? AND product_key = ? AND device_key = ? AND claimed_at IS NOT NULL').pluck().get(target, productKey, deviceKey) as string | undefined;
    const vault = this.options.vault();
    const deviceSecret = assetId && vault.ok ? vault.value.get(deviceSecretId(productKey, deviceKey)) : undefined;
    return assetId && deviceSecret ? { productKey, deviceKey, assetId, deviceSecret } : undefined;
  }

  /**
   * Whether the target answers now, for the plan step's choice between the cloud and the pool
   * (architecture §5). A look-up of the product: it takes a token as any call does. Only an
   * unreachable target counts as offline; other trouble shows in the call that follows.
   */
  async reachable(name: string, productKey: string): Promise<Result<boolean>> {
    const row = this.store.target(name);
    if (!row) return err('SYNC_TARGET_NOT_FOUND', `No sync target named "${name}".`);
    if (row.kind !== 'enos') return ok(true);
    const client = this.enosClient(row);
    if (!client.ok) return client;
    const answer = await client.value.call('GET', '/connect-service/v2.1/products', { action: 'get', productKey });
    return ok(answer.ok || answer.failure.code !== 'SYNC_UNREACHABLE');
  }

  /**
   * The plan step online (architecture §5): creates the device in EnOS now and hands back the
   * deviceSecret EnOS made, for the caller to burn and keep in the vault. The mapping is recorded,
   * so the device's outbox row later adopts this registration instead of creating another. A
   * claimed pool device exists in EnOS already: its secret is handed back without a call.
   */
  async createDeviceNow(name: string, device: { productKey: string; deviceKey: string; name?: string }): Promise<Result<CloudDevice>> {
    const row = this.store.target(name);
    if (!row) return err('SYNC_TARGET_NOT_FOUND', `No sync target named "${name}".`);
    if (row.kind !== 'enos') return err('UNSUPPORTED', `Target "${name}" is a hub; its device secrets are generated locally.`);
    const pooled = this.claimedPoolDevice(row.name, device.productKey, device.deviceKey);
    if (pooled) return ok(pooled);
    const client = this.enosClient(row);
    if (!client.ok) return client;
    const created = await createCloudDevice(client.value, device.productKey, device.deviceKey, device.name);
    if (created.ok) this.store.putMapping(row.name, { entity: 'device', localId: `${device.productKey}/${device.deviceKey}`, cloudId: created.value.assetId });
    return attemptToResult(created);
  }

  /**
   * The certificate issuer of an EnOS target, for the PKI's issuance of devices bound to it
   * (architecture §5). Serials are remembered per target so a revocation can name its device.
   */
  enosIssuer(name: string): Result<EnosIssuer> {
    const row = this.store.target(name);
    if (!row) return err('SYNC_TARGET_NOT_FOUND', `No sync target named "${name}".`);
    if (row.kind !== 'enos') return err('UNSUPPORTED', `Target "${name}" is a hub; its devices get certificates from the local CA.`);
    const client = this.enosClient(row);
    if (!client.ok) return client;
    return ok(
      new EnosIssuer(client.value, {
        remember: (mapping) => this.store.putMapping(row.name, mapping),
        lookup: (serial) => this.store.mapping(row.name, 'certificate', serial),
      }),
    );
  }

  conflicts(open: boolean): ConflictRow[] {
    return this.store.conflicts({ open });
  }

  resolve(id: number, keep: 'local' | 'cloud'): Result<ConflictRow> {
    const resolved = this.store.resolveConflict(id, keep);
    return resolved ? ok(resolved) : err('NOT_FOUND', `No open conflict #${id}. List them with \`commissioner sync conflicts\`.`);
  }

  retry(name: string | undefined): Result<{ requeued: number }> {
    const rows = this.select(name, true);
    if (!rows.ok) return rows;
    return ok({ requeued: rows.value.reduce((sum, row) => sum + this.store.retryFailed(row.name), 0) });
  }
}
