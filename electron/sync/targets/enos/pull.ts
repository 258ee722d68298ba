import { randomBytes } from 'node:crypto';
import { failed, succeeded, type Attempt } from '../../failure';
import type { PulledTreeImport } from '../../../registry/asset-trees';
import type { Mapping } from '../../target';
import type { EnosClient } from './client';
import { LOCAL_ID_TAG } from './target';

/** A product as pulled: the snapshot (no secret) and its productSecret, which goes to the vault. */
export interface PulledProduct {
  snapshot: {
    productKey: string;
    productName: unknown;
    productType: string;
    dataFormat: string;
    modelId: string;
    dynamicActivateEnabled: boolean;
    biDirectionalAuth: boolean;
  };
  productSecret: string;
}

/** A logical asset (label "1") below a tree's root; parentAssetId null: a child of the root. */
export interface PulledAsset {
  assetId: string;
  parentAssetId: string | null;
  modelId: string;
  name: unknown;
  description: string;
  attributes: Record<string, unknown>;
  tags: Record<string, string>;
}

export interface PulledTree {
  treeId: string;
  name: unknown;
  rootAssetId: string;
  rootModelId: string;
  /** Parents before children. Device assets (label "0") are left out: placements are made locally and pushed. */
  assets: PulledAsset[];
}

export interface PullResult {
  products: PulledProduct[];
  models: { modelId: string; snapshot: unknown }[];
  trees: PulledTree[];
}

const PAGE_SIZE = 100;
const TREES = '/asset-tree-service/v2.1';

/** An EnOS I18n name (`{defaultValue, …}`) or a plain string, as text. */
export function i18nText(value: unknown, fallback: string): string {
  if (typeof value === 'string' && value) return value;
  const text = value && typeof value === 'object' ? (value as { defaultValue?: unknown }).defaultValue : undefined;
  return typeof text === 'string' && text ? text : fallback;
}

/** §13 row 21: read `totalSize`, fall back to the sample's `totalSzie`. */
export function totalOf(pagination: Record<string, unknown> | undefined): number | undefined {
  const total = pagination?.totalSize ?? pagination?.totalSzie;
  return typeof total === 'number' ? total : undefined;
}

/** §13 row 20: `get` says `dynamicActiveEnabled`, create/update `dynamicActivateEnabled`; a sample sends the string "false". */
export function dynamicActivation(product: Record<string, unknown>): boolean {
  const value = product.dynamicActivateEnabled ?? product.dynamicActiveEnabled;
  return value === true || value === 'true';
}

/** Every row of a paged search; `pageSize` is always sent (§13 row 21: without it only 10 rows come back). */
async function searchAll(client: EnosClient, path: string, body: Record<string, unknown> = {}, query: Record<string, string> = { action: 'search' }): Promise<Attempt<Record<string, unknown>[]>> {
  const rows: Record<string, unknown>[] = [];
  for (let pageNo = 1; ; pageNo++) {
    const answer = await client.call('POST', path, query, { ...body, pagination: { pageNo, pageSize: PAGE_SIZE } });
    if (!answer.ok) return answer;
    if (answer.value.code !== 0) return failed('SYNC_REJECTED', `EnOS refused the search of ${path}: code ${answer.value.cloudCode} ${answer.value.msg}`, false);
    if (!Array.isArray(answer.value.data)) return failed('SYNC_BAD_RESPONSE', `EnOS answered the search of ${path} without a list.`, true);
    rows.push(...(answer.value.data as Record<string, unknown>[]));
    const total = totalOf(answer.value.pagination);
    if (answer.value.data.length < PAGE_SIZE || (total !== undefined && rows.length >= total)) return succeeded(rows);
  }
}

async function getData(client: EnosClient, path: string, query: Record<string, string>, what: string): Promise<Attempt<Record<string, unknown>>> {
  const answer = await client.call('GET', path, { action: 'get', ...query });
  if (!answer.ok) return answer;
  if (answer.value.code !== 0) return failed('SYNC_REJECTED', `EnOS refused ${what}: code ${answer.value.cloudCode} ${answer.value.msg}`, false);
  const data = answer.value.data;
  if (!data || typeof data !== 'object') return failed('SYNC_BAD_RESPONSE', `EnOS answered ${what} without data.`, true);
  return succeeded(data as Record<string, unknown>);
}

/** `sync pull` (architecture §5): products with their secrets, their thing models, and the asset trees. */
export async function pullFromEnos(client: EnosClient): Promise<Attempt<PullResult>> {
  const listed = await searchAll(client, '/connect-service/v2.1/products');
  if (!listed.ok) return listed;
  const products: PulledProduct[] = [];
  for (const row of listed.value) {
    const productKey = String(row.productKey ?? '');
    const full = await getData(client, '/connect-service/v2.1/products', { productKey }, `product ${productKey}`);
    if (!full.ok) return full;
    const product = full.value;
    if (typeof product.productSecret !== 'string' || typeof product.modelId !== 'string') return failed('SYNC_BAD_RESPONSE', `EnOS answered product ${productKey} without its secret or model.`, true);
    products.push({
      snapshot: {
        productKey,
        productName: product.productName,
        productType: String(product.productType ?? 'Device'),
        dataFormat: String(product.dataFormat ?? 'Json'),
        modelId: product.modelId,
        dynamicActivateEnabled: dynamicActivation(product),
        biDirectionalAuth: product.biDirectionalAuth === true || product.biDirectionalAuth === 'true',
      },
      productSecret: product.productSecret,
    });
  }
  const models: PullResult['models'] = [];
  for (const modelId of new Set(products.map((product) => product.snapshot.modelId))) {
    const model = await getData(client, '/model-service/v2.1/thing-models', { modelId }, `thing model ${modelId}`);
    if (!model.ok) return model;
    models.push({ modelId, snapshot: model.value });
  }
  const treeRows = await searchAll(client, `${TREES}/asset-trees`);
  if (!treeRows.ok) return treeRows;
  const trees: PulledTree[] = [];
  for (const row of treeRows.value) {
    const asset = row.asset as { assetId?: unknown; modelId?: unknown } | undefined;
    if (typeof row.treeId !== 'string' || typeof asset?.assetId !== 'string') return failed('SYNC_BAD_RESPONSE', 'EnOS listed an asset tree without its id or root asset.', true);
    const assets = await logicalAssets(client, row.treeId, asset.assetId);
    if (!assets.ok) return assets;
    trees.push({ treeId: row.treeId, name: row.name, rootAssetId: asset.assetId, rootModelId: String(asset.modelId ?? ''), assets: assets.value });
  }
  return succeeded({ products, models, trees });
}

/** The logical assets below the root, level by level (§11.5 searchRelatedAsset with `isChildOfAssetId`). */
async function logicalAssets(client: EnosClient, treeId: string, rootAssetId: string): Promise<Attempt<PulledAsset[]>> {
  const assets: PulledAsset[] = [];
  const seen = new Set([rootAssetId]);
  for (let parents = [rootAssetId]; parents.length > 0; ) {
    const next: string[] = [];
    for (const parent of parents) {
      const children = await searchAll(client, `${TREES}/asset-nodes`, { filter: { isChildOfAssetId: parent } }, { action: 'searchRelatedAsset', treeId });
      if (!children.ok) return children;
      for (const child of children.value) {
        if (typeof child.assetId !== 'string' || typeof child.modelId !== 'string') return failed('SYNC_BAD_RESPONSE', `EnOS listed a node of tree ${treeId} without its assetId or modelId.`, true);
        if (String(child.label) !== '1' || seen.has(child.assetId)) continue;
        seen.add(child.assetId);
        assets.push({
          assetId: child.assetId,
          parentAssetId: parent === rootAssetId ? null : parent,
          modelId: child.modelId,
          name: child.name,
          description: typeof child.description === 'string' ? child.description : '',
          attributes: (child.attributes ?? {}) as Record<string, unknown>,
          tags: (child.tags ?? {}) as Record<string, string>,
        });
        next.push(child.assetId);
      }
    }
    parents = next;
  }
  return succeeded(assets);
}

/** A pulled tree is known to the processor by the same id locally and in the cloud. */
export function treeMapping(tree: PulledTree): Mapping {
  return { entity: 'asset_tree', localId: tree.treeId, cloudId: tree.treeId, cloudState: { rootAssetId: tree.rootAssetId } };
}

/**
 * The registry's import of a pulled tree, and the mapping of each node it would add (its assetId
 * locally and in the cloud; the cloud state in the shape the target compares before an update).
 * An asset that is already a local node's counterpart (`localIdOf`: mapped by an earlier push, or
 * tagged by this station) is not imported again; its cloud children hang under that local node.
 */
export function pulledTreeImport(tree: PulledTree, localIdOf: (asset: PulledAsset) => string | undefined): { tree: PulledTreeImport; mappings: Map<string, Mapping> } {
  const local = new Map<string, string>();
  const nodes: PulledTreeImport['nodes'][number][] = [];
  const mappings = new Map<string, Mapping>();
  for (const asset of tree.assets) {
    const known = localIdOf(asset);
    local.set(asset.assetId, known ?? asset.assetId);
    if (known) continue;
    const parentId = asset.parentAssetId === null ? null : (local.get(asset.parentAssetId) ?? null);
    nodes.push({ id: asset.assetId, parentId, name: i18nText(asset.name, asset.assetId), type: asset.modelId, attributes: asset.attributes });
    mappings.set(asset.assetId, { entity: 'asset_node', localId: asset.assetId, cloudId: asset.assetId, cloudState: { name: asset.name, description: asset.description, attributes: asset.attributes } });
  }
  return { tree: { treeId: tree.treeId, name: i18nText(tree.name, tree.treeId), nodes }, mappings };
}

/** The local id a pushed node carries in the cloud (the tag the EnOS target writes on create). */
export const taggedLocalId = (asset: PulledAsset): string | undefined => asset.tags[LOCAL_ID_TAG];

export interface CloudDevice {
  productKey: string;
  deviceKey: string;
  assetId: string;
  deviceSecret: string;
}

/**
 * Creates one device in EnOS with the deviceKey given and returns the secret EnOS made for it
 * (architecture §5: the plan step online, and the credential pool). A taken key is ALREADY_EXISTS.
 */
export async function createCloudDevice(client: EnosClient, productKey: string, deviceKey: string, name?: string): Promise<Attempt<CloudDevice>> {
  const answer = await client.call('POST', '/connect-service/v2.1/devices', { action: 'create' }, { productKey, deviceKey, timezone: '+00:00', deviceName: { defaultValue: name ?? deviceKey } });
  if (!answer.ok) return answer;
  if (answer.value.code === 'refused') {
    if (answer.value.cloudCode === 11702) return failed('ALREADY_EXISTS', `EnOS already has a device with the key ${deviceKey}.`, false);
    if (answer.value.cloudCode === 11404) return failed('SYNC_NOT_PULLED', `Product ${productKey} does not exist in EnOS; pull products and choose one of them.`, false);
    return failed('SYNC_REJECTED', `EnOS refused device ${productKey}/${deviceKey}: code ${answer.value.cloudCode} ${answer.value.msg}`, false);
  }
  const data = answer.value.data as { assetId?: unknown; deviceSecret?: unknown } | null;
  if (typeof data?.assetId !== 'string' || typeof data.deviceSecret !== 'string') return failed('SYNC_BAD_RESPONSE', `EnOS created ${productKey}/${deviceKey} but answered without its assetId and secret.`, true);
  return succeeded({ productKey, deviceKey, assetId: data.assetId, deviceSecret: data.deviceSecret });
}

/**
 * `sync pool` (architecture §5): pre-creates devices in EnOS while online so an offline station
 * can burn them. Keys are chosen here (`pool-` + 10 random characters) so a key clash is retried
 * with another key instead of creating a device whose key nobody knows.
 */
export async function createPoolDevice(client: EnosClient, productKey: string): Promise<Attempt<CloudDevice>> {
  for (let round = 0; round < 3; round++) {
    const created = await createCloudDevice(client, productKey, `pool-${randomBytes(8).toString('base64url').replace(/[-_]/g, 'x').slice(0, 10)}`);
    if (created.ok || created.failure.code !== 'ALREADY_EXISTS') return created;
  }
  return failed('SYNC_REJECTED', 'EnOS kept refusing generated pool device keys as taken.', true);
}
