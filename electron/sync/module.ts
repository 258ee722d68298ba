import { ok } from '../../shared/result';
import type { Component } from '../core/lifecycle';
import type { ServiceContext, ServiceModule } from '../core/module';
import type { AssetTrees } from '../registry/asset-trees';
import type { Registry } from '../registry/registry';
import { deviceSyncStates } from './device-state';
import { SyncService } from './service';
import { startRegistryServer, type HubCatalog, type RegistryServer } from './targets/hub/server';

type SyncChannels =
  | 'sync.target.add'
  | 'sync.target.list'
  | 'sync.target.remove'
  | 'sync.run'
  | 'sync.status'
  | 'sync.pull'
  | 'sync.pool'
  | 'sync.pool.claim'
  | 'sync.conflicts'
  | 'sync.resolve'
  | 'sync.retry'
  | 'sync.device';

/** Where a station serves the sync API for other stations (`commissioner station --serve-registry`). */
export interface ServeRegistryConfig {
  host: string;
  port: number;
}

export interface SyncDeps {
  /** Pulled EnOS products are imported into it, claimed pool devices too; a served registry lists its products. */
  registry: Pick<Registry, 'importProduct' | 'createDevice' | 'listProducts' | 'transaction'>;
  /** Pulled EnOS trees are imported into them; a served registry lists its trees and nodes. */
  assets: Pick<AssetTrees, 'listTrees' | 'show' | 'importPulledTree'>;
}

/** The serving station's own products and trees for the sync API (a revision per entity, as in its outbox). */
function catalogOf(deps: SyncDeps): HubCatalog {
  return {
    products: () => deps.registry.listProducts().map((product) => ({ entity: 'product', entityId: product.productKey, revision: product.revision, payload: { ...product } })),
    trees: () =>
      deps.assets.listTrees().flatMap((tree) => {
        const view = deps.assets.show(tree.id);
        const nodes = view.ok ? view.value.nodes.map((node) => ({ entity: 'asset_node', entityId: node.id, revision: tree.revision, payload: { ...node } })) : [];
        return [{ entity: 'asset_tree', entityId: tree.id, revision: tree.revision, payload: { id: tree.id, name: tree.name } }, ...nodes];
      }),
  };
}

/** Domain `sync` (issue 10): the outbox to EnOS and to central hubs; with `serveRegistry`, the hub side too. */
export function createSyncModule(context: ServiceContext, deps: SyncDeps): ServiceModule<SyncChannels> & { service: SyncService } {
  const service = new SyncService({
    db: context.db,
    vault: context.vault,
    clock: context.clock,
    logger: context.logger.child('sync'),
    stationId: context.stationId,
    env: process.env,
    registry: deps.registry,
    assets: deps.assets,
    onStatus: (status) => context.events.emit('sync.progress', status),
    onConflict: (conflict) => context.events.emit('sync.conflict', conflict),
  });
  const components: Component[] = [];
  // An owner (desktop app, station, hub) keeps syncing in the background; a CLI command syncs only on `sync run`.
  if (context.config.host !== 'cli') {
    const stopping = new AbortController();
    let loop: Promise<void> | undefined;
    components.push({
      name: 'sync-processor',
      start() {
        loop = service.runContinuously(stopping.signal);
      },
      async stop() {
        stopping.abort();
        await loop;
      },
    });
  }
  const serve = context.config.serveRegistry;
  if (serve) {
    let server: RegistryServer | undefined;
    components.push({
      name: 'sync-registry',
      async start() {
        server = await startRegistryServer({ host: serve.host, port: serve.port, db: context.db, clock: context.clock, logger: context.logger.child('sync-registry'), catalog: catalogOf(deps) });
      },
      stop: () => server?.close(),
      runInfo: () => (server ? { registry: server.port, registryToken: server.token } : {}),
    });
  }
  return {
    service,
    components,
    handlers: {
      'sync.target.add': (input) => service.addTarget(input),
      'sync.target.list': () => ok(service.store.targets().map((row) => service.describe(row))),
      'sync.target.remove': (input) => service.removeTarget(input.name),
      'sync.run': (input) => service.run(input.target, { maxWaitMs: input.maxWaitMs }),
      'sync.status': (input) => service.status(input.target),
      'sync.pull': (input) => service.pull(input.target),
      'sync.pool': (input) => service.pool(input.target, input.productKey, input.count),
      'sync.pool.claim': (input) => service.claimPoolDevice(input.target, input.productKey, { serial: input.serial, mac: input.mac, firmware: input.firmware }),
      'sync.conflicts': (input) => ok(service.conflicts(input.open)),
      'sync.resolve': (input) => service.resolve(input.id, input.keep),
      'sync.retry': (input) => service.retry(input.target),
      'sync.device': (input) => ok(deviceSyncStates(context.db, service.store.targets(), input)),
    },
  };
}
