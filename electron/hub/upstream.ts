import { validateAttributes, validateEvent, validateMeasurepoints, type ThingModel, type Violation } from '../../shared/model/thing-model';
import { readSubDeviceCredentials, ReturnCode, verifySubDeviceSign, type RequestEnvelope, type RoutedTopic, type SubDeviceCredentials, type UpstreamKind } from '../protocol';
import { deviceId, type DeviceRef, type Directory, type DirectoryDevice, type DirectoryProduct } from './directory';
import type { Session } from './session';

/**
 * Answers to every upstream method of protocol reference §6.1, §6.3 and §6.4: the `{code, data,
 * message}` of the reply envelope (the hub adds the echoed id). Payloads are checked against the
 * product's thing model; valid data is handed to `record`.
 */

export interface Answer {
  code: number;
  data?: unknown;
  message?: string;
}

export type MessageKind = 'measurepoints' | 'event' | 'attributes' | 'ota' | 'raw' | 'log';

/** One accepted upstream message as the live views and the per-device rings keep it. */
export interface DeviceMessage {
  receivedAt: number;
  productKey: string;
  deviceKey: string;
  kind: MessageKind;
  /** Event id, OTA step name, or the resume marker. */
  name?: string;
  /** The device's own time (ms) when it sent one (§6.3), else null. */
  time: number | null;
  values: unknown;
}

export interface UpstreamDeps {
  readonly directory: Directory;
  readonly clock: () => number;
  record(message: DeviceMessage): void;
  /** A sub-device login passed every check: put it online under the gateway. */
  subDeviceOnline(gateway: Session, device: DirectoryDevice, product: DirectoryProduct): void;
  /** Logged out (or removed): take it offline; false when it was not online under this gateway. */
  subDeviceOffline(gateway: Session, device: DeviceRef): boolean;
  /** The session carrying a device's traffic, if online. */
  carrier(device: DeviceRef): Session | undefined;
}

/** §6.4: at most 200 online sub-devices per gateway. */
export const MAX_SUB_DEVICES_ONLINE = 200;
/** §9: items per attribute or tag request. */
const MAX_ITEMS = 200;
/** Java sends at most 1000 registrations per request (§6.4). */
const MAX_REGISTRATIONS = 1000;
/** §9: device tag keys. */
const TAG_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

const OK: Answer = { code: ReturnCode.SUCCESS, data: {} };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function violationAnswer(violations: Violation[]): Answer {
  const first = violations[0]!;
  return { code: ReturnCode.MODEL_VALIDATION_FAILED, message: `${first.path}: ${first.message}` };
}

/** §13 #9: `time` is a number or a numeric string. */
function deviceTime(params: Record<string, unknown>): number | null {
  const time = typeof params.time === 'string' ? Number(params.time) : params.time;
  return typeof time === 'number' && Number.isFinite(time) ? time : null;
}

function refOf(value: unknown): DeviceRef | null {
  if (!isRecord(value) || typeof value.productKey !== 'string' || typeof value.deviceKey !== 'string') return null;
  return { productKey: value.productKey, deviceKey: value.deviceKey };
}

export class Upstream {
  constructor(private readonly deps: UpstreamDeps) {}

  /** `target` is the device the topic names: the session's own, or a logged-in sub-device. */
  answer(session: Session, target: DirectoryDevice, product: DirectoryProduct, routed: RoutedTopic, request: RequestEnvelope): Answer {
    const kind = routed.kind as UpstreamKind;
    const params = request.params;
    const model = product.thingModel;
    switch (kind) {
      case 'measurepoint.post':
      case 'measurepoint.resume':
        return this.measurepoints(target, model, params, kind === 'measurepoint.resume');
      case 'measurepoint.post.batch':
      case 'measurepoint.resume.batch':
        return this.batch(session, target, params, request.body, kind === 'measurepoint.resume.batch');
      case 'event.post':
        return this.event(target, model, routed.param, params);
      case 'attribute.query':
        return this.attributeQuery(target, params);
      case 'attribute.update':
        return this.attributeUpdate(target, model, params);
      case 'attribute.delete':
        return this.attributeDelete(target, params);
      case 'tag.query':
        return this.tagQuery(target, params);
      case 'tag.update':
        return this.tagUpdate(target, params);
      case 'tag.delete':
        return this.tagDelete(target, params);
      case 'tsltemplate.get':
        return { code: ReturnCode.SUCCESS, data: tslTemplate(model) };
      case 'topo.add':
        return this.topoAdd(target, params);
      case 'topo.delete':
        return this.topoDelete(target, params);
      case 'topo.get':
        return this.topoGet(target, product);
      case 'device.register':
        return this.register(target, params);
      case 'combine.login':
        return this.combineLogin(session, params);
      case 'combine.login.batch':
        return this.combineLoginBatch(session, params);
      case 'combine.logout':
        return this.combineLogout(session, params);
      case 'ota.inform':
        return this.otaInform(target, params);
      case 'ota.progress':
        return this.otaProgress(target, params);
      case 'ota.getversion':
        // OTA campaigns are a later issue: no task is ever waiting.
        return { code: ReturnCode.SUCCESS, data: [] };
      case 'log.post':
        this.record(target, 'log', params, null);
        return OK;
      case 'network.status':
      case 'connection.state':
      case 'up_raw':
        return OK;
    }
  }

  private record(target: DeviceRef, kind: MessageKind, values: unknown, time: number | null, name?: string): void {
    const message: DeviceMessage = { receivedAt: this.deps.clock(), productKey: target.productKey, deviceKey: target.deviceKey, kind, time, values };
    if (name) message.name = name;
    this.deps.record(message);
  }

  private measurepoints(target: DeviceRef, model: ThingModel | null, params: unknown, resume: boolean): Answer {
    if (!isRecord(params) || !isRecord(params.measurepoints)) return { code: ReturnCode.MEASUREPOINT_FORMAT, message: 'params must be {measurepoints:{…}, time?}' };
    if (model) {
      const violations = validateMeasurepoints(model, params);
      if (violations.length > 0) return violationAnswer(violations);
    }
    this.record(target, 'measurepoints', params.measurepoints, deviceTime(params), resume ? 'resume' : undefined);
    return OK;
  }

  /** §6.3: missing pk/dk means the topic's device; all-or-nothing unless a skip flag is set; the first error wins. */
  private batch(session: Session, topicDevice: DirectoryDevice, params: unknown, body: Readonly<Record<string, unknown>>, resume: boolean): Answer {
    if (!Array.isArray(params)) return { code: ReturnCode.MEASUREPOINT_FORMAT, message: 'params must be an array' };
    const skipInvalid = body.skipInvalidMeasurepoints === true;
    const allowOffline = body.allowOfflineSubDevice === true;
    const accepted: Array<{ target: DeviceRef; entry: Record<string, unknown> }> = [];
    let firstError: Answer | null = null;
    for (const entry of params) {
      const failure = this.batchEntry(session, topicDevice, entry, allowOffline, accepted);
      if (!failure) continue;
      firstError ??= failure;
      if (!skipInvalid) return failure;
    }
    for (const { target, entry } of accepted) this.record(target, 'measurepoints', entry.measurepoints, deviceTime(entry), resume ? 'resume' : undefined);
    return accepted.length > 0 || !firstError ? OK : firstError;
  }

  private batchEntry(session: Session, topicDevice: DirectoryDevice, entry: unknown, allowOffline: boolean, accepted: Array<{ target: DeviceRef; entry: Record<string, unknown> }>): Answer | null {
    if (!isRecord(entry) || !isRecord(entry.measurepoints)) return { code: ReturnCode.MEASUREPOINT_FORMAT, message: 'each entry must be {productKey?, deviceKey?, measurepoints, time?}' };
    const productKey = typeof entry.productKey === 'string' ? entry.productKey : topicDevice.productKey;
    const deviceKey = typeof entry.deviceKey === 'string' ? entry.deviceKey : topicDevice.deviceKey;
    const target = { productKey, deviceKey };
    const acting = session.actsFor(productKey, deviceKey);
    let product: DirectoryProduct | null = acting === 'self' ? session.product : acting?.product ?? null;
    if (!acting) {
      const gateway = allowOffline ? this.deps.directory.gatewayOf(target) : null;
      if (!gateway || deviceId(gateway) !== session.id) return { code: ReturnCode.SUB_DEVICE_NO_PERMISSION, message: `${productKey}/${deviceKey} is not online under this gateway` };
      product = this.deps.directory.product(productKey);
    }
    const model = product?.thingModel ?? null;
    if (model) {
      const violations = validateMeasurepoints(model, { measurepoints: entry.measurepoints, ...(entry.time !== undefined ? { time: entry.time } : {}) });
      if (violations.length > 0) return violationAnswer(violations);
    }
    accepted.push({ target, entry });
    return null;
  }

  private event(target: DeviceRef, model: ThingModel | null, eventId: string, params: unknown): Answer {
    if (!isRecord(params) || !isRecord(params.events)) return { code: ReturnCode.PARSE_ERROR, message: 'params must be {events:{…}, time?}' };
    if (model) {
      const violations = validateEvent(model, eventId, params);
      if (violations.length > 0) return violationAnswer(violations);
    }
    this.record(target, 'event', params.events, deviceTime(params), eventId);
    return OK;
  }

  private attributeQuery(target: DeviceRef, params: unknown): Answer {
    const ids = isRecord(params) ? (params.attributes ?? []) : null;
    if (!isStringArray(ids) || ids.length > MAX_ITEMS) return { code: ReturnCode.ATTRIBUTE_QUERY_FORMAT, message: 'params must be {attributes:[id…]} (at most 200)' };
    const all = this.deps.directory.attributes(target);
    if (ids.length === 0) return { code: ReturnCode.SUCCESS, data: all };
    return { code: ReturnCode.SUCCESS, data: Object.fromEntries(ids.filter((id) => id in all).map((id) => [id, all[id]])) };
  }

  private attributeUpdate(target: DeviceRef, model: ThingModel | null, params: unknown): Answer {
    const values = isRecord(params) ? params.attributes : null;
    if (!isRecord(values) || Object.keys(values).length > MAX_ITEMS) return { code: ReturnCode.ATTRIBUTE_UPDATE_FORMAT, message: 'params must be {attributes:{id:value…}} (at most 200)' };
    if (model) {
      const violations = validateAttributes(model, values);
      if (violations.length > 0) return violationAnswer(violations);
    }
    const updated = this.deps.directory.updateAttributes(target, values);
    if (!updated.ok) return { code: ReturnCode.ATTRIBUTE_UPDATE_FORMAT, message: updated.error.message };
    this.record(target, 'attributes', values, null);
    return OK;
  }

  private attributeDelete(target: DeviceRef, params: unknown): Answer {
    const ids = isRecord(params) ? (params.attributes ?? []) : null;
    if (!isStringArray(ids) || ids.length > MAX_ITEMS) return { code: ReturnCode.ATTRIBUTE_DELETE_FORMAT, message: 'params must be {attributes:[id…]} (at most 200)' };
    const deleted = this.deps.directory.deleteAttributes(target, ids);
    return deleted.ok ? OK : { code: ReturnCode.ATTRIBUTE_DELETE_FORMAT, message: deleted.error.message };
  }

  private tagQuery(target: DeviceRef, params: unknown): Answer {
    const keys = isRecord(params) ? (params.tags ?? []) : null;
    if (!isStringArray(keys) || keys.length > MAX_ITEMS) return { code: ReturnCode.PARSE_ERROR, message: 'params must be {tags:[key…]} (at most 200)' };
    const all = this.deps.directory.tags(target);
    if (keys.length === 0) return { code: ReturnCode.SUCCESS, data: all };
    return { code: ReturnCode.SUCCESS, data: Object.fromEntries(keys.filter((key) => key in all).map((key) => [key, all[key]])) };
  }

  /** §6.1: params is an **array** of `{tagKey, tagValue}`. */
  private tagUpdate(target: DeviceRef, params: unknown): Answer {
    const valid =
      Array.isArray(params) &&
      params.length <= MAX_ITEMS &&
      params.every((item) => isRecord(item) && typeof item.tagKey === 'string' && TAG_KEY.test(item.tagKey) && typeof item.tagValue === 'string');
    if (!valid) return { code: ReturnCode.PARSE_ERROR, message: 'params must be [{tagKey, tagValue}] (keys [A-Za-z_][A-Za-z0-9_]*, values strings, at most 200)' };
    const values = Object.fromEntries((params as Array<{ tagKey: string; tagValue: string }>).map((item) => [item.tagKey, item.tagValue]));
    const updated = this.deps.directory.updateTags(target, values);
    return updated.ok ? OK : { code: ReturnCode.PARSE_ERROR, message: updated.error.message };
  }

  private tagDelete(target: DeviceRef, params: unknown): Answer {
    const keys = isRecord(params) ? (params.tags ?? []) : null;
    if (!isStringArray(keys) || keys.length > MAX_ITEMS) return { code: ReturnCode.PARSE_ERROR, message: 'params must be {tags:[key…]} (at most 200)' };
    const deleted = this.deps.directory.deleteTags(target, keys);
    return deleted.ok ? OK : { code: ReturnCode.PARSE_ERROR, message: deleted.error.message };
  }

  /** §6.4 topo.add: every entry signed by the sub-device; 1255 with the reason otherwise. */
  private topoAdd(gateway: DirectoryDevice, params: unknown): Answer {
    if (!Array.isArray(params) || params.length === 0) return { code: ReturnCode.TOPO_ADD_FAILED, message: 'params must be a non-empty array of signed sub-devices' };
    for (const entry of params) {
      const credentials = readSubDeviceCredentials(entry);
      if (!credentials) return { code: ReturnCode.TOPO_ADD_FAILED, message: 'an entry lacks productKey, deviceKey, clientId, timestamp, signMethod or sign' };
      const checked = this.checkSubDeviceSign(credentials);
      if (checked.code !== ReturnCode.SUCCESS) return { code: ReturnCode.TOPO_ADD_FAILED, message: checked.message ?? '' };
      const added = this.deps.directory.addSubDevice(gateway, credentials);
      if (!added.ok) return { code: ReturnCode.TOPO_ADD_FAILED, message: added.error.message };
    }
    return OK;
  }

  private topoDelete(gateway: DirectoryDevice, params: unknown): Answer {
    if (!Array.isArray(params)) return { code: ReturnCode.TOPO_DELETE_FAILED, message: 'params must be [{productKey, deviceKey}]' };
    for (const entry of params) {
      const sub = refOf(entry);
      if (!sub) return { code: ReturnCode.TOPO_DELETE_FAILED, message: 'each entry must be {productKey, deviceKey}' };
      if (this.deps.carrier(sub)) return { code: ReturnCode.TOPO_DELETE_FAILED, message: `${deviceId(sub)} is online; log it out first` };
      const removed = this.deps.directory.removeSubDevice(gateway, sub);
      if (!removed.ok) return { code: ReturnCode.TOPO_DELETE_FAILED, message: removed.error.message };
    }
    return OK;
  }

  private topoGet(gateway: DirectoryDevice, product: DirectoryProduct): Answer {
    if (product.subDeviceOnly) return { code: ReturnCode.PARSE_ERROR, message: 'the device is not a gateway' };
    const subs = this.deps.directory.subDevices(gateway).map((sub) => ({ ...sub, assetId: this.deps.directory.device(sub.productKey, sub.deviceKey)?.assetId ?? '' }));
    return { code: ReturnCode.SUCCESS, data: subs };
  }

  /** §6.4 thing.device.register: 702 key exists, 739 product full, 714 anything else. */
  private register(gateway: DirectoryDevice, params: unknown): Answer {
    if (!Array.isArray(params) || params.length === 0 || params.length > MAX_REGISTRATIONS) return { code: ReturnCode.PARSE_ERROR, message: 'params must be an array of 1–1000 registrations' };
    const registered: unknown[] = [];
    for (const entry of params) {
      if (!isRecord(entry) || typeof entry.productKey !== 'string' || (entry.deviceKey !== undefined && typeof entry.deviceKey !== 'string')) {
        return { code: ReturnCode.PARSE_ERROR, message: 'each entry needs productKey, deviceName and optionally deviceKey' };
      }
      const name = isRecord(entry.deviceName) ? String(entry.deviceName.defaultValue ?? '') : String(entry.deviceName ?? '');
      const result = this.deps.directory.registerSubDevice(gateway, { productKey: entry.productKey, deviceName: name, ...(typeof entry.deviceKey === 'string' ? { deviceKey: entry.deviceKey } : {}) });
      if (!result.ok) {
        const code = result.error.code === 'ALREADY_EXISTS' ? 702 : result.error.code === 'CONFLICT' ? 739 : 714;
        return { code, message: result.error.message };
      }
      registered.push(result.value);
    }
    return { code: ReturnCode.SUCCESS, data: registered };
  }

  /** Sub-device checks shared by topo.add and combine.login (§6.4 error codes). */
  private checkSubDeviceSign(credentials: SubDeviceCredentials): Answer & { device?: DirectoryDevice; product?: DirectoryProduct } {
    const { productKey, deviceKey } = credentials;
    const device = this.deps.directory.device(productKey, deviceKey);
    const product = this.deps.directory.product(productKey);
    if (!device || !product || device.state === 'decommissioned') return { code: ReturnCode.SUB_DEVICE_NOT_FOUND, message: `sub-device ${productKey}/${deviceKey} does not exist` };
    if (device.state === 'disabled') return { code: ReturnCode.DEVICE_DISABLED, message: `sub-device ${productKey}/${deviceKey} is disabled` };
    if (product.authScheme === 'certificate') return { code: ReturnCode.CERTIFICATE_REQUIRED, message: 'the sub-device product requires certificate login' };
    if (credentials.secureMode === 3 && !product.dynamicActivation) return { code: ReturnCode.DYNAMIC_ACTIVATION_DISABLED, message: 'dynamic activation is not enabled for the sub-device product' };
    if (credentials.secureMode === 3 && device.hasSecret) return { code: ReturnCode.DYNAMIC_ACTIVATION_DISABLED, message: 'the sub-device is already activated; log in with secureMode 2' };
    const secret = credentials.secureMode === 3 ? this.deps.directory.productSecret(productKey) : this.deps.directory.deviceSecret(productKey, deviceKey);
    if (secret === null || !verifySubDeviceSign(credentials, secret)) return { code: ReturnCode.SIGNATURE_FAILED, message: 'sub-device signature check failed' };
    return { code: ReturnCode.SUCCESS, device, product };
  }

  private loginOne(gateway: Session, credentials: SubDeviceCredentials): Answer {
    const checked = this.checkSubDeviceSign(credentials);
    if (checked.code !== ReturnCode.SUCCESS) return checked;
    const device = checked.device!;
    const under = this.deps.directory.gatewayOf(device);
    if (!under || deviceId(under) !== gateway.id) return { code: ReturnCode.SUB_DEVICE_NOT_UNDER_GATEWAY, message: `${deviceId(device)} is not a sub-device of this gateway` };
    const alreadyHere = gateway.subDevices?.has(deviceId(device)) ?? false;
    if (!alreadyHere && (gateway.subDevices?.size ?? 0) >= MAX_SUB_DEVICES_ONLINE) return { code: ReturnCode.DEVICE_DISABLED, message: 'the gateway already has 200 online sub-devices' };
    let deviceSecret: string | undefined;
    if (credentials.secureMode === 3) {
      const activated = this.deps.directory.activate(device);
      if (!activated.ok) return { code: ReturnCode.DYNAMIC_ACTIVATION_DISABLED, message: activated.error.message };
      deviceSecret = activated.value.deviceSecret;
    }
    this.deps.subDeviceOnline(gateway, device, checked.product!);
    return { code: ReturnCode.SUCCESS, data: { productKey: device.productKey, deviceKey: device.deviceKey, assetId: device.assetId, ...(deviceSecret ? { deviceSecret } : {}) } };
  }

  private combineLogin(gateway: Session, params: unknown): Answer {
    const credentials = readSubDeviceCredentials(params);
    if (!credentials) return { code: ReturnCode.PARSE_ERROR, message: 'params need productKey, deviceKey, clientId, timestamp, signMethod and sign' };
    return this.loginOne(gateway, credentials);
  }

  /** §13 #17: 200 all in, 723 partial, 1200 with empty lists for a request error. */
  private combineLoginBatch(gateway: Session, params: unknown): Answer {
    const empty = { loginedSubDevices: [], failedSubDevices: [] };
    if (!isRecord(params) || !Array.isArray(params.subDevices) || params.subDevices.length === 0) return { code: ReturnCode.PARSE_ERROR, message: 'params need clientId, timestamp, signMethod and subDevices', data: empty };
    const logined: unknown[] = [];
    const failed: DeviceRef[] = [];
    const reasons: string[] = [];
    for (const entry of params.subDevices) {
      const credentials = readSubDeviceCredentials(entry, params);
      const answer = credentials ? this.loginOne(gateway, credentials) : { code: ReturnCode.PARSE_ERROR, message: 'malformed entry' };
      if (answer.code === ReturnCode.SUCCESS) logined.push(answer.data);
      else {
        const ref = refOf(entry);
        if (ref) failed.push(ref);
        reasons.push(answer.message ?? String(answer.code));
      }
    }
    const data = { loginedSubDevices: logined, failedSubDevices: failed };
    if (failed.length === 0) return { code: ReturnCode.SUCCESS, data };
    return { code: ReturnCode.DEVICE_DISABLED, data, message: reasons.join('; ') };
  }

  private combineLogout(gateway: Session, params: unknown): Answer {
    const sub = refOf(params);
    if (!sub) return { code: ReturnCode.PARSE_ERROR, message: 'params must be {productKey, deviceKey}' };
    if (!this.deps.subDeviceOffline(gateway, sub)) return { code: ReturnCode.SUB_DEVICE_NO_PERMISSION, message: `${deviceId(sub)} is not logged in under this gateway` };
    return { code: ReturnCode.SUCCESS, data: sub };
  }

  private otaInform(target: DeviceRef, params: unknown): Answer {
    if (!isRecord(params) || typeof params.version !== 'string') return { code: ReturnCode.PARSE_ERROR, message: 'params must be {version}' };
    this.deps.directory.reportFirmware(target, params.version);
    this.record(target, 'ota', { version: params.version }, null, 'inform');
    return OK;
  }

  private otaProgress(target: DeviceRef, params: unknown): Answer {
    if (!isRecord(params) || (typeof params.step !== 'string' && typeof params.step !== 'number')) return { code: ReturnCode.PARSE_ERROR, message: 'params must be {step, desc?}' };
    this.record(target, 'ota', { step: String(params.step), desc: params.desc ?? null }, null, 'progress');
    return OK;
  }
}

/** §6.1 `thing.tsltemplate.get`: the model's four maps under their device-side names. */
export function tslTemplate(model: ThingModel | null): Record<string, unknown> {
  return {
    tslAttributeMap: model?.attributes ?? {},
    tslMeasurepointMap: model?.measurepoints ?? {},
    tslEventMap: model?.events ?? {},
    tslServiceMap: model?.services ?? {},
  };
}

