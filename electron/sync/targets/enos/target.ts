import { failed, type Attempt, type SyncFailure } from '../../failure';
import type { OutboxItem } from '../../outbox';
import type { DeliveryContext, DeliveryOutcome, Mapping, SyncTarget } from '../../target';
import type { EnosAnswer, EnosClient } from './client';

/**
 * Pushes outbox rows to EnOS (issue 10, protocol reference §11.3, §11.5). Products and trees are
 * EnOS's own: they are pulled, never pushed, so their rows only confirm the cloud has them.
 * Devices carry their deviceKey, so a repeated create answers 11702 and is adopted; asset nodes
 * take no client key, so each carries its local id in a tag and, after an attempt whose outcome
 * is unknown, is looked up by that tag before it is created again.
 */
export const LOCAL_ID_TAG = 'commissionerLocalId';

const CONNECT = '/connect-service/v2.1';
const TREES = '/asset-tree-service/v2.1';

/** Cloud codes the target interprets (§11.3, §11.5). */
const CODE = { deviceKeyExists: 11702, notFound: 11404, alreadyInTree: 17558, treeNodeMissing: 17404 } as const;

interface DevicePayload {
  productKey?: string;
  deviceKey?: string;
  name?: unknown;
  timezone?: string;
  description?: string;
  attributes?: Record<string, unknown>;
  tags?: Record<string, string>;
}

interface NodePayload {
  treeId?: string;
  parentId?: string | null;
  name?: unknown;
  /** The EnOS model of the logical asset; the registry's node `type` carries it when no modelId is given. */
  modelId?: string;
  type?: string;
  timezone?: string;
  description?: string;
  attributes?: Record<string, unknown>;
}

interface PlacementPayload {
  treeId?: string;
  nodeId?: string | null;
  productKey?: string;
  deviceKey?: string;
}

/** Where the device secrets EnOS hands back are kept (the vault), by `PK/DK`. */
export interface DeviceSecretSink {
  (productKey: string, deviceKey: string, secret: string): void;
}

/** Whether the registry still holds an asset tree (a pulled tree removed here is gone). */
export interface TreeHeld {
  (treeId: string): boolean;
}

function i18n(name: unknown, fallback: string): unknown {
  if (name && typeof name === 'object') return name;
  return { defaultValue: typeof name === 'string' && name ? name : fallback };
}

function splitKey(key: string): { productKey: string; deviceKey: string } {
  const slash = key.indexOf('/');
  return { productKey: key.slice(0, slash), deviceKey: key.slice(slash + 1) };
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const failure = (f: SyncFailure): DeliveryOutcome => ({ kind: 'failed', failure: f });
const rejected = (what: string, answer: { cloudCode: number; msg: string }): DeliveryOutcome =>
  failure({ code: 'SYNC_REJECTED', message: `EnOS refused ${what}: code ${answer.cloudCode} ${answer.msg}`, retryable: false });
const notPulled = (message: string): DeliveryOutcome => failure({ code: 'SYNC_NOT_PULLED', message, retryable: false });
const badBody = (what: string): DeliveryOutcome =>
  failure({ code: 'SYNC_BAD_RESPONSE', message: `EnOS answered success to ${what} without the expected data; it will be checked and retried.`, retryable: true });

export class EnosTarget implements SyncTarget {
  constructor(
    private readonly client: EnosClient,
    private readonly name: string,
    private readonly keepDeviceSecret: DeviceSecretSink,
    private readonly treeHeld: TreeHeld,
  ) {}

  /** Only node creates take no client key; devices carry their key, placements and topology repeat harmlessly. */
  needsAttemptRecord(item: OutboxItem): boolean {
    return item.entity === 'asset_node' && item.operation !== 'delete';
  }

  async deliver(item: OutboxItem, context: DeliveryContext): Promise<DeliveryOutcome> {
    // Products and devices name their destination (architecture §5); others' go elsewhere.
    const destination = item.payload.destination;
    if ((item.entity === 'product' || item.entity === 'device') && typeof destination === 'string' && destination !== this.name) {
      return { kind: 'skipped', reason: `bound for ${destination}` };
    }
    switch (item.entity) {
      case 'product':
        return this.confirmProduct(item);
      case 'asset_tree':
        return this.confirmTree(item, context);
      case 'device':
        return item.operation === 'delete' ? this.deleteDevice(item) : item.operation === 'create' ? this.createDevice(item, context) : this.updateDevice(item, context);
      case 'topology':
        return this.topology(item);
      case 'asset_node':
        return item.operation === 'delete' ? this.deleteNode(item, context) : item.operation === 'create' ? this.createNode(item, context) : this.updateNode(item, context);
      case 'placement':
        return this.place(item, context);
    }
  }

  private async call(method: 'GET' | 'POST', path: string, query: Record<string, string>, body?: unknown): Promise<Attempt<EnosAnswer>> {
    return this.client.call(method, path, query, body);
  }

  private async confirmProduct(item: OutboxItem): Promise<DeliveryOutcome> {
    if (item.operation === 'delete') return { kind: 'skipped', reason: 'products are owned by EnOS; deleting one locally does not delete it there' };
    const answer = await this.call('GET', `${CONNECT}/products`, { action: 'get', productKey: item.entityId });
    if (!answer.ok) return failure(answer.failure);
    if (answer.value.code === 0) return { kind: 'skipped', reason: 'products are pulled from EnOS, never pushed' };
    return notPulled(`Product ${item.entityId} does not exist in EnOS. EnOS assigns product keys: pull products with \`commissioner sync pull\` and use one of them.`);
  }

  private async confirmTree(item: OutboxItem, context: DeliveryContext): Promise<DeliveryOutcome> {
    if (item.operation === 'delete') return { kind: 'skipped', reason: 'asset trees are owned by EnOS' };
    const treeId = context.mapping('asset_tree', item.entityId)?.cloudId ?? item.entityId;
    const answer = await this.call('GET', `${TREES}/asset-trees`, { action: 'get', treeId });
    if (!answer.ok) return failure(answer.failure);
    if (answer.value.code === 0) return { kind: 'skipped', reason: 'asset trees are pulled from EnOS, never pushed' };
    return notPulled(`Asset tree ${item.entityId} does not exist in EnOS. Pull trees with \`commissioner sync pull\` and build under them.`);
  }

  private deviceBody(item: OutboxItem) {
    const payload = item.payload as DevicePayload;
    const { productKey, deviceKey } = splitKey(item.entityId);
    const state = {
      deviceName: i18n(payload.name, deviceKey),
      timezone: payload.timezone ?? '+00:00',
      deviceAttributes: payload.attributes ?? {},
      deviceTags: payload.tags ?? {},
    };
    return { productKey, deviceKey, state, body: { productKey, deviceKey, ...state, ...(payload.description ? { deviceDesc: payload.description } : {}) } };
  }

  private async getDevice(productKey: string, deviceKey: string): Promise<Attempt<Record<string, unknown> | null>> {
    const answer = await this.call('GET', `${CONNECT}/devices`, { action: 'get', productKey, deviceKey });
    if (!answer.ok) return answer;
    if (answer.value.code === 0) {
      const data = answer.value.data as Record<string, unknown> | null;
      if (!data || typeof data.assetId !== 'string') return failed('SYNC_BAD_RESPONSE', `EnOS answered the look-up of ${productKey}/${deviceKey} without an assetId.`, true);
      return { ok: true, value: data };
    }
    if (answer.value.cloudCode === CODE.notFound) return { ok: true, value: null };
    return failed('SYNC_REJECTED', `EnOS refused the look-up of ${productKey}/${deviceKey}: code ${answer.value.cloudCode} ${answer.value.msg}`, false);
  }

  private async createDevice(item: OutboxItem, context: DeliveryContext): Promise<DeliveryOutcome> {
    // Created in EnOS before its row (the plan step online, or the credential pool): what the
    // registry holds for it (name, tags…, the claim) is written onto that registration.
    if (context.mapping('device', item.entityId)) return this.updateDevice(item, context);
    return this.registerDevice(item, context);
  }

  /** Creates the device in EnOS with its deviceKey; a repeat (11702) is adopted, a key of another product is a conflict. */
  private async registerDevice(item: OutboxItem, context: DeliveryContext): Promise<DeliveryOutcome> {
    const { productKey, deviceKey, state, body } = this.deviceBody(item);
    const answer = await this.call('POST', `${CONNECT}/devices`, { action: 'create' }, body);
    if (!answer.ok) return failure(answer.failure);
    const mapping = (assetId: string): Mapping => ({ entity: 'device', localId: item.entityId, cloudId: assetId, cloudState: state });
    if (answer.value.code === 0) {
      const data = answer.value.data as { assetId?: unknown; deviceSecret?: unknown } | null;
      if (typeof data?.assetId !== 'string' || typeof data.deviceSecret !== 'string') return badBody(`creating ${item.entityId}`);
      this.keepDeviceSecret(productKey, deviceKey, data.deviceSecret);
      return { kind: 'sent', mappings: [mapping(data.assetId)] };
    }
    if (answer.value.cloudCode === CODE.notFound) return notPulled(`Product ${productKey} of ${item.entityId} does not exist in EnOS; pull products first.`);
    if (answer.value.cloudCode !== CODE.deviceKeyExists) return rejected(`device ${item.entityId}`, answer.value);
    // 11702: our own earlier create (its answer lost), or the key is taken under another product.
    const existing = await this.getDevice(productKey, deviceKey);
    if (!existing.ok) return failure(existing.failure);
    if (existing.value) return { kind: 'sent', mappings: [mapping(existing.value.assetId as string)] };
    const other = await this.call('POST', `${CONNECT}/devices`, { action: 'search' }, { expression: `deviceKey = '${deviceKey}'`, pagination: { pageNo: 1, pageSize: 10 } });
    if (!other.ok) return failure(other.failure);
    const holder = other.value.code === 0 && Array.isArray(other.value.data) ? (other.value.data[0] as Record<string, unknown> | undefined) : undefined;
    if (!holder) return badBody(`the search for device key ${deviceKey}`);
    if (!context.force) {
      return { kind: 'conflict', conflict: 'other_product', local: { productKey, deviceKey }, cloud: { productKey: holder.productKey, deviceKey: holder.deviceKey, assetId: holder.assetId } };
    }
    // "keep local" chosen: the device moves to this product (the old registration is deleted).
    const removed = await this.call('POST', `${CONNECT}/devices`, { action: 'delete', assetId: String(holder.assetId) });
    if (!removed.ok) return failure(removed.failure);
    return this.registerDevice(item, { ...context, force: false });
  }

  private async updateDevice(item: OutboxItem, context: DeliveryContext): Promise<DeliveryOutcome> {
    const { productKey, deviceKey, state } = this.deviceBody(item);
    const current = await this.getDevice(productKey, deviceKey);
    if (!current.ok) return failure(current.failure);
    if (!current.value) {
      if (context.force) return this.registerDevice(item, { ...context, force: false });
      return { kind: 'conflict', conflict: 'deleted_remotely', local: state, cloud: null };
    }
    const known = context.mapping('device', item.entityId)?.cloudState;
    const cloud = { deviceName: current.value.deviceName, timezone: current.value.timezone, deviceAttributes: current.value.deviceAttributes ?? {}, deviceTags: current.value.deviceTags ?? {} };
    if (known !== undefined && !sameJson(known, cloud) && !context.force) return { kind: 'conflict', conflict: 'changed_remotely', local: state, cloud };
    const answer = await this.call('POST', `${CONNECT}/devices`, { action: 'update', productKey, deviceKey }, state);
    if (!answer.ok) return failure(answer.failure);
    if (answer.value.code !== 0) return rejected(`the update of ${item.entityId}`, answer.value);
    return { kind: 'sent', mappings: [{ entity: 'device', localId: item.entityId, cloudId: current.value.assetId as string, cloudState: state }] };
  }

  private async deleteDevice(item: OutboxItem): Promise<DeliveryOutcome> {
    const { productKey, deviceKey } = splitKey(item.entityId);
    const answer = await this.call('POST', `${CONNECT}/devices`, { action: 'delete', productKey, deviceKey });
    if (!answer.ok) return failure(answer.failure);
    if (answer.value.code !== 0 && answer.value.cloudCode !== CODE.notFound) return rejected(`the deletion of ${item.entityId}`, answer.value);
    return { kind: 'sent', forget: [{ entity: 'device', localId: item.entityId }] };
  }

  /** `gwPK/gwDK>subPK/subDK`: adding an existing sub-device, or removing a missing one, changes nothing. */
  private async topology(item: OutboxItem): Promise<DeliveryOutcome> {
    const [gateway, sub] = item.entityId.split('>');
    if (!gateway || !sub) return failure({ code: 'VALIDATION_FAILED', message: `Topology id ${item.entityId} is not "gwPK/gwDK>subPK/subDK".`, retryable: false });
    const action = item.operation === 'delete' ? 'removeSubDevice' : 'addSubDevice';
    const answer = await this.call('POST', `${CONNECT}/device-topos`, { action }, { gateway: splitKey(gateway), subDevices: [splitKey(sub)] });
    if (!answer.ok) return failure(answer.failure);
    if (answer.value.code !== 0) return rejected(`${action} ${item.entityId}`, answer.value);
    return { kind: 'sent' };
  }

  private tree(treeId: string | undefined, context: DeliveryContext): { treeId: string; rootAssetId: string } | undefined {
    const mapping = treeId ? context.mapping('asset_tree', treeId) : undefined;
    const root = (mapping?.cloudState as { rootAssetId?: string } | undefined)?.rootAssetId;
    return mapping && root ? { treeId: mapping.cloudId, rootAssetId: root } : undefined;
  }

  private parentAsset(parentId: string | null | undefined, tree: { rootAssetId: string }, context: DeliveryContext): string | undefined {
    return parentId ? context.mapping('asset_node', parentId)?.cloudId : tree.rootAssetId;
  }

  private async findNodeByTag(treeId: string, localId: string): Promise<Attempt<string | undefined>> {
    const answer = await this.call('POST', `${TREES}/asset-nodes`, { action: 'searchAsset' }, { expression: `treeId = '${treeId}' and tags.${LOCAL_ID_TAG} = '${localId}'`, pagination: { pageNo: 1, pageSize: 10 } });
    if (!answer.ok) return answer;
    if (answer.value.code !== 0 || !Array.isArray(answer.value.data)) return failed('SYNC_BAD_RESPONSE', `EnOS did not answer the look-up of node ${localId} with a list.`, true);
    const found = answer.value.data[0] as { assetId?: unknown } | undefined;
    return { ok: true, value: typeof found?.assetId === 'string' ? found.assetId : undefined };
  }

  private nodeAsset(item: OutboxItem) {
    const payload = item.payload as NodePayload;
    return { name: i18n(payload.name, item.entityId), description: payload.description ?? '', attributes: payload.attributes ?? {} };
  }

  private async createNode(item: OutboxItem, context: DeliveryContext): Promise<DeliveryOutcome> {
    const payload = item.payload as NodePayload;
    const tree = this.tree(payload.treeId, context);
    if (!tree) return notPulled(`Node ${item.entityId} belongs to tree ${payload.treeId ?? '(none)'}, which was not pulled from EnOS.`);
    const parent = this.parentAsset(payload.parentId, tree, context);
    if (!parent) return notPulled(`The parent ${payload.parentId} of node ${item.entityId} has no EnOS counterpart.`);
    const state = this.nodeAsset(item);
    const mapping = (assetId: string): DeliveryOutcome => ({ kind: 'sent', mappings: [{ entity: 'asset_node', localId: item.entityId, cloudId: assetId, cloudState: state }] });
    if (context.previousAttempts > 0) {
      // The earlier attempt may have created the node before its answer was lost.
      const found = await this.findNodeByTag(tree.treeId, item.entityId);
      if (!found.ok) return failure(found.failure);
      if (found.value) return mapping(found.value);
    }
    const modelId = payload.modelId ?? payload.type;
    if (!modelId) return failure({ code: 'VALIDATION_FAILED', message: `Node ${item.entityId} has no model; give it the id of a model pulled from EnOS as its type.`, retryable: false });
    const asset = { modelId, timezone: payload.timezone ?? '+00:00', ...state, tags: { [LOCAL_ID_TAG]: item.entityId } };
    const answer = await this.call('POST', `${TREES}/asset-nodes`, { action: 'createAsset', treeId: tree.treeId, parentAssetId: parent }, { asset });
    if (!answer.ok) return failure(answer.failure);
    if (answer.value.code !== 0) return rejected(`node ${item.entityId}`, answer.value);
    return typeof answer.value.data === 'string' && answer.value.data ? mapping(answer.value.data) : badBody(`creating node ${item.entityId}`);
  }

  private async updateNode(item: OutboxItem, context: DeliveryContext): Promise<DeliveryOutcome> {
    const payload = item.payload as NodePayload;
    // The node's tree was removed here since (a pulled tree leaves only this station): there is
    // no local state left to push, and EnOS keeps its own.
    if (payload.treeId && !this.treeHeld(payload.treeId)) return { kind: 'skipped', reason: `its tree ${payload.treeId} was removed from this station` };
    const mapped = context.mapping('asset_node', item.entityId);
    const tree = this.tree(payload.treeId, context);
    if (!mapped || !tree) return notPulled(`Node ${item.entityId} has no EnOS counterpart yet.`);
    const state = this.nodeAsset(item);
    const current = await this.call('GET', '/asset-service/v2.1/assets', { action: 'get', assetId: mapped.cloudId });
    if (!current.ok) return failure(current.failure);
    if (current.value.code !== 0) {
      if (context.force) return this.createNode(item, { ...context, force: false });
      return { kind: 'conflict', conflict: 'deleted_remotely', local: state, cloud: null };
    }
    const data = (current.value.data ?? {}) as Record<string, unknown>;
    const cloud = { name: data.name, description: data.description ?? '', attributes: data.attributes ?? {} };
    if (mapped.cloudState !== undefined && !sameJson(mapped.cloudState, cloud) && !context.force) return { kind: 'conflict', conflict: 'changed_remotely', local: state, cloud };
    const answer = await this.call('POST', '/asset-service/v2.1/assets', { action: 'update', isPatchUpdate: 'true' }, { asset: { assetId: mapped.cloudId, ...state } });
    if (!answer.ok) return failure(answer.failure);
    if (answer.value.code !== 0) return rejected(`the update of node ${item.entityId}`, answer.value);
    const parent = this.parentAsset(payload.parentId, tree, context);
    if (parent) {
      const moved = await this.call('POST', `${TREES}/asset-nodes`, { action: 'move', treeId: tree.treeId, assetId: mapped.cloudId, parentAssetId: parent });
      if (!moved.ok) return failure(moved.failure);
      if (moved.value.code !== 0) return rejected(`moving node ${item.entityId}`, moved.value);
    }
    return { kind: 'sent', mappings: [{ ...mapped, cloudState: state }] };
  }

  private async deleteNode(item: OutboxItem, context: DeliveryContext): Promise<DeliveryOutcome> {
    const mapped = context.mapping('asset_node', item.entityId);
    const tree = this.tree((item.payload as NodePayload).treeId, context);
    if (!mapped || !tree) return { kind: 'skipped', reason: 'the node never reached EnOS' };
    const answer = await this.call('POST', `${TREES}/asset-nodes`, { action: 'delete', treeId: tree.treeId, assetId: mapped.cloudId });
    if (!answer.ok) return failure(answer.failure);
    if (answer.value.code !== 0 && answer.value.cloudCode !== CODE.treeNodeMissing) return rejected(`the deletion of node ${item.entityId}`, answer.value);
    return { kind: 'sent', forget: [{ entity: 'asset_node', localId: item.entityId }] };
  }

  /** Placement `treeId:PK/DK`: attach the device under its node, or move it there when it already hangs elsewhere. */
  private async place(item: OutboxItem, context: DeliveryContext): Promise<DeliveryOutcome> {
    const payload = item.payload as PlacementPayload;
    const colon = item.entityId.indexOf(':');
    const treeLocalId = payload.treeId ?? item.entityId.slice(0, colon);
    const { productKey, deviceKey } = payload.productKey && payload.deviceKey ? { productKey: payload.productKey, deviceKey: payload.deviceKey } : splitKey(item.entityId.slice(colon + 1));
    const tree = this.tree(treeLocalId, context);
    if (!tree) return notPulled(`Placement ${item.entityId} is in tree ${treeLocalId}, which was not pulled from EnOS.`);
    const deviceAsset = context.mapping('device', `${productKey}/${deviceKey}`)?.cloudId;
    if (item.operation === 'delete') {
      if (!deviceAsset) return { kind: 'skipped', reason: 'the device never reached EnOS' };
      const answer = await this.call('POST', `${TREES}/asset-nodes`, { action: 'delete', treeId: tree.treeId, assetId: deviceAsset });
      if (!answer.ok) return failure(answer.failure);
      if (answer.value.code !== 0 && answer.value.cloudCode !== CODE.treeNodeMissing) return rejected(`removing ${item.entityId}`, answer.value);
      return { kind: 'sent' };
    }
    const parent = this.parentAsset(payload.nodeId, tree, context);
    if (!parent) return notPulled(`The node ${payload.nodeId} of placement ${item.entityId} has no EnOS counterpart.`);
    if (item.operation === 'create') {
      const answer = await this.call('POST', `${TREES}/asset-nodes`, { action: 'associateAsset', treeId: tree.treeId, parentAssetId: parent, productKey, deviceKey });
      if (!answer.ok) return failure(answer.failure);
      if (answer.value.code === 0) return { kind: 'sent' };
      if (answer.value.cloudCode !== CODE.alreadyInTree) return rejected(`placement ${item.entityId}`, answer.value);
    }
    if (!deviceAsset) return notPulled(`Device ${productKey}/${deviceKey} of placement ${item.entityId} has no EnOS counterpart.`);
    // Already in the tree (an earlier attempt, or an update): a move to the same parent changes nothing.
    const moved = await this.call('POST', `${TREES}/asset-nodes`, { action: 'move', treeId: tree.treeId, assetId: deviceAsset, parentAssetId: parent });
    if (!moved.ok) return failure(moved.failure);
    if (moved.value.code !== 0) return rejected(`moving ${item.entityId}`, moved.value);
    return { kind: 'sent' };
  }
}
