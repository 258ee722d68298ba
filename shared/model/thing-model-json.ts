import {
  ARRAY_ITEM_TYPES,
  ARRAY_MAX_ITEMS,
  DATA_TYPES,
  childPath,
  type ArrayItemType,
  type Attribute,
  type DataDefinition,
  type DataType,
  type Measurepoint,
  type Parameter,
  type Range,
  type Service,
  type StringI18n,
  type StructMember,
  type ThingEvent,
  type ThingModel,
  type Typed,
  type Unit,
  type Violation,
} from './thing-model';

/**
 * Import and export of thing models in the EnOS JSON shape (protocol reference §10): four maps
 * keyed by identifier (`attributes`, `measurepoints`, `services`, `events`, or the device-side
 * `tsl<Kind>Map`), `dataDefinition` as a JSON string. A model exported from EnOS loads unchanged;
 * unknown keys are ignored. Local extensions: `passthrough` on the model, `range` on elements.
 */

type Json = Record<string, unknown>;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const STRING_MAX = 1024;
const NUMERIC: ReadonlySet<DataType> = new Set(['INT', 'FLOAT', 'DOUBLE']);
const KINDS = ['attributes', 'measurepoints', 'services', 'events'] as const;
type Kind = (typeof KINDS)[number];
const DEVICE_SIDE: Record<Kind, string> = { attributes: 'tslAttributeMap', measurepoints: 'tslMeasurepointMap', services: 'tslServiceMap', events: 'tslEventMap' };

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Reader {
  readonly violations: Violation[] = [];
  /** Feature identifier → where it was first declared, to refuse duplicates across the model. */
  readonly features = new Map<string, string>();

  fail(path: string, message: string): undefined {
    this.violations.push({ path, message });
    return undefined;
  }

  i18n(value: unknown, path: string, fallback: string): StringI18n {
    if (typeof value === 'string') return { defaultValue: value };
    if (isObject(value) && typeof value.defaultValue === 'string') {
      const i18n = isObject(value.i18nValue) ? value.i18nValue : undefined;
      const out: StringI18n = { defaultValue: value.defaultValue };
      if (i18n) {
        out.i18nValue = {};
        if (typeof i18n.en_US === 'string') out.i18nValue.en_US = i18n.en_US;
        if (typeof i18n.zh_CN === 'string') out.i18nValue.zh_CN = i18n.zh_CN;
      }
      return out;
    }
    if (value !== undefined && value !== null) this.fail(path, 'a name must be a string or {defaultValue, i18nValue}');
    return { defaultValue: fallback };
  }

  identifier(value: unknown, path: string): string | undefined {
    if (typeof value !== 'string' || !IDENTIFIER.test(value)) return this.fail(path, `identifier ${JSON.stringify(value)} must match [A-Za-z_][A-Za-z0-9_]* (at most 64 characters)`);
    return value;
  }

  definitionObject(raw: unknown, path: string): Json | undefined {
    let value = raw;
    if (typeof raw === 'string') {
      try {
        value = JSON.parse(raw);
      } catch {
        return this.fail(path, 'dataDefinition is not valid JSON');
      }
    }
    if (!isObject(value)) return this.fail(path, 'dataDefinition must be an object (or its JSON string)');
    return value;
  }

  range(raw: unknown, dataType: DataType, path: string): Range | undefined {
    if (raw === undefined || raw === null) return undefined;
    const numericArray = dataType === 'ARRAY';
    if (!NUMERIC.has(dataType) && !numericArray) return this.fail(path, `a range applies to INT, FLOAT, DOUBLE and numeric ARRAY items, not ${dataType}`);
    if (!isObject(raw)) return this.fail(path, 'range must be {min?, max?}');
    const range: Range = {};
    for (const bound of ['min', 'max'] as const) {
      const value = raw[bound];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(childPath(path, bound), `${bound} must be a number`);
      else range[bound] = value;
    }
    if (range.min !== undefined && range.max !== undefined && range.min > range.max) this.fail(path, `min ${range.min} is above max ${range.max}`);
    return range;
  }

  unit(raw: unknown, dataType: DataType, path: string): Unit | null {
    if (raw === undefined || raw === null) return null;
    if (dataType === 'ENUM' || dataType === 'STRUCT') {
      this.fail(path, `§10: ${dataType} has no unit`);
      return null;
    }
    if (!isObject(raw) || typeof raw.unitId !== 'string') {
      this.fail(path, 'unit must be {unitId, multiplier}');
      return null;
    }
    return { unitId: raw.unitId, multiplier: typeof raw.multiplier === 'string' ? raw.multiplier : 'ONE' };
  }

  dataDefinition(raw: unknown, dataType: DataType, path: string, nested: boolean): DataDefinition | null | undefined {
    switch (dataType) {
      case 'INT':
      case 'FLOAT':
      case 'DOUBLE':
      case 'TIMESTAMP':
      case 'DATE':
      case 'FILE':
        return null;
      case 'BOOL': {
        if (raw === undefined || raw === null || raw === '') return {};
        const value = this.definitionObject(raw, path);
        if (!value) return undefined;
        const boolDesc = isObject(value.boolDesc) ? value.boolDesc : undefined;
        return {
          ...(boolDesc ? { boolDesc: { true: this.i18n(boolDesc.true, childPath(path, 'boolDesc'), 'true'), false: this.i18n(boolDesc.false, childPath(path, 'boolDesc'), 'false') } } : {}),
          ...(typeof value.defaultValue === 'boolean' ? { defaultValue: value.defaultValue } : {}),
        };
      }
      case 'ENUM': {
        const value = this.definitionObject(raw, path);
        if (!value) return undefined;
        const enumDesc = value.enumDesc;
        if (!isObject(enumDesc) || Object.keys(enumDesc).length === 0) return this.fail(childPath(path, 'enumDesc'), 'an ENUM needs at least one value in enumDesc');
        const keys = Object.keys(enumDesc);
        // §10: one string key makes all keys strings.
        const enumType = value.enumType === 'STRING' || keys.some((key) => !/^-?\d+$/.test(key)) ? 'STRING' : 'INT';
        if (value.enumType !== undefined && value.enumType !== 'INT' && value.enumType !== 'STRING') this.fail(childPath(path, 'enumType'), 'enumType must be INT or STRING');
        const desc: Record<string, StringI18n> = {};
        for (const key of keys) {
          if (key.length > 32) this.fail(childPath(childPath(path, 'enumDesc'), key), 'an ENUM value has at most 32 characters (§9)');
          desc[key] = this.i18n(enumDesc[key], childPath(childPath(path, 'enumDesc'), key), key);
        }
        const out = { enumType, enumDesc: desc } as const;
        return value.defaultValue === undefined || value.defaultValue === null ? out : { ...out, defaultValue: value.defaultValue as string | number };
      }
      case 'STRING': {
        const value = this.definitionObject(raw, path);
        if (!value) return undefined;
        const maxLength = typeof value.maxLength === 'string' ? Number(value.maxLength) : value.maxLength;
        if (typeof maxLength !== 'number' || !Number.isInteger(maxLength) || maxLength < 1 || maxLength > STRING_MAX) {
          return this.fail(childPath(path, 'maxLength'), `a STRING needs maxLength 1–${STRING_MAX}`);
        }
        return { maxLength };
      }
      case 'ARRAY': {
        const value = this.definitionObject(raw, path);
        if (!value) return undefined;
        if (!ARRAY_ITEM_TYPES.includes(value.itemType as ArrayItemType)) return this.fail(childPath(path, 'itemType'), `itemType must be one of ${ARRAY_ITEM_TYPES.join(', ')}`);
        const size = value.maxSize;
        if (size !== undefined && (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > ARRAY_MAX_ITEMS)) {
          return this.fail(childPath(path, 'maxSize'), `maxSize must be 1–${ARRAY_MAX_ITEMS}`);
        }
        return size === undefined ? { itemType: value.itemType as ArrayItemType } : { itemType: value.itemType as ArrayItemType, maxSize: size };
      }
      case 'STRUCT': {
        if (nested) return this.fail(path, '§10: a STRUCT member cannot itself be a STRUCT');
        const value = this.definitionObject(raw, path);
        if (!value) return undefined;
        const itemsPath = childPath(path, 'items');
        if (!Array.isArray(value.items) || value.items.length === 0) return this.fail(itemsPath, 'a STRUCT needs at least one member in items');
        const items = this.typedList(value.items, itemsPath, true);
        return items ? { items: items as StructMember[] } : undefined;
      }
    }
  }

  typed(raw: unknown, path: string, nested: boolean): Typed | undefined {
    if (!isObject(raw)) return this.fail(path, 'expected an object');
    const identifier = this.identifier(raw.identifier, childPath(path, 'identifier'));
    const dataType = raw.dataType;
    if (!DATA_TYPES.includes(dataType as DataType)) return this.fail(childPath(path, 'dataType'), `dataType ${JSON.stringify(dataType)} is not one of ${DATA_TYPES.join(' ')}`);
    const type = dataType as DataType;
    const dataDefinition = this.dataDefinition(raw.dataDefinition, type, childPath(path, 'dataDefinition'), nested);
    const unit = this.unit(raw.unit, type, childPath(path, 'unit'));
    const range = this.range(raw.range, type, childPath(path, 'range'));
    if (identifier === undefined || dataDefinition === undefined) return undefined;
    const typed: Typed = { identifier, name: this.i18n(raw.name, childPath(path, 'name'), identifier), dataType: type, dataDefinition, unit };
    if (typeof raw.desc === 'string' && raw.desc) typed.desc = raw.desc;
    if (range) typed.range = range;
    if (nested && raw.required !== undefined) (typed as StructMember).required = raw.required === true || raw.required === 'true';
    return typed;
  }

  /** Parameters and struct members: a list whose identifiers are unique within it. */
  typedList(raw: unknown, path: string, nested: boolean): Typed[] | undefined {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) return this.fail(path, 'expected an array');
    const seen = new Set<string>();
    const out: Typed[] = [];
    raw.forEach((entry, index) => {
      const typed = this.typed(entry, childPath(path, index), nested);
      if (!typed) return;
      if (seen.has(typed.identifier)) this.fail(childPath(childPath(path, index), 'identifier'), `duplicate identifier "${typed.identifier}"`);
      seen.add(typed.identifier);
      out.push(typed);
    });
    return out;
  }

  /** A feature map keyed by identifier (or a list of features); identifiers are unique across the model. */
  featureMap<T extends { identifier: string }>(raw: unknown, path: string, read: (entry: Json, entryPath: string) => T | undefined): Record<string, T> {
    const out: Record<string, T> = {};
    if (raw === undefined || raw === null) return out;
    const entries: [string | number, unknown][] = Array.isArray(raw) ? raw.map((entry, index) => [index, entry]) : isObject(raw) ? Object.entries(raw) : [];
    if (!Array.isArray(raw) && !isObject(raw)) this.fail(path, 'expected a map of features keyed by identifier');
    for (const [key, entry] of entries) {
      const entryPath = childPath(path, key);
      if (!isObject(entry)) {
        this.fail(entryPath, 'expected an object');
        continue;
      }
      // A map entry may omit its identifier: the key is the identifier (§10 "keyed by identifier").
      const withId = typeof key === 'string' && entry.identifier === undefined ? { ...entry, identifier: key } : entry;
      if (typeof key === 'string' && withId.identifier !== key) this.fail(childPath(entryPath, 'identifier'), `identifier "${String(withId.identifier)}" differs from its key "${key}"`);
      const feature = read(withId, entryPath);
      if (!feature) continue;
      const first = this.features.get(feature.identifier);
      if (first) {
        this.fail(childPath(entryPath, 'identifier'), `duplicate identifier "${feature.identifier}", already declared at ${first}`);
        continue;
      }
      this.features.set(feature.identifier, entryPath);
      out[feature.identifier] = feature;
    }
    return out;
  }
}

function readAttribute(reader: Reader, raw: Json, path: string): Attribute | undefined {
  const typed = reader.typed(raw, path, false);
  if (!typed) return undefined;
  const attribute: Attribute = { ...typed };
  if (raw.isRequired !== undefined) attribute.isRequired = raw.isRequired === true;
  if (raw.defaultValue !== undefined && raw.defaultValue !== null) attribute.defaultValue = raw.defaultValue;
  return attribute;
}

const SIGNAL_TYPES = ['AI', 'DI', 'PI', 'Generic'] as const;

function readMeasurepoint(reader: Reader, raw: Json, path: string): Measurepoint | undefined {
  const typed = reader.typed(raw, path, false);
  if (!typed) return undefined;
  const point: Measurepoint = { ...typed };
  if (raw.hasQuality === true) {
    if (!NUMERIC.has(typed.dataType)) return reader.fail(childPath(path, 'hasQuality'), `§10: a point with quality is INT, FLOAT or DOUBLE, not ${typed.dataType}`);
    point.hasQuality = true;
  }
  if (raw.signalType !== undefined && raw.signalType !== null) {
    if (!SIGNAL_TYPES.includes(raw.signalType as Measurepoint['signalType'] & string)) return reader.fail(childPath(path, 'signalType'), `signalType must be one of ${SIGNAL_TYPES.join(', ')}`);
    point.signalType = raw.signalType as Measurepoint['signalType'];
  }
  return point;
}

function readService(reader: Reader, raw: Json, path: string): Service | undefined {
  const identifier = reader.identifier(raw.identifier, childPath(path, 'identifier'));
  const inputData = reader.typedList(raw.inputData, childPath(path, 'inputData'), false);
  const outputData = reader.typedList(raw.outputData, childPath(path, 'outputData'), false);
  const callType = raw.callType ?? 'ASYNC';
  if (callType !== 'SYNC' && callType !== 'ASYNC') return reader.fail(childPath(path, 'callType'), 'callType must be SYNC or ASYNC');
  if (!identifier || !inputData || !outputData) return undefined;
  const service: Service = { identifier, name: reader.i18n(raw.name, childPath(path, 'name'), identifier), inputData, outputData, callType };
  if (typeof raw.desc === 'string' && raw.desc) service.desc = raw.desc;
  return service;
}

function readEvent(reader: Reader, raw: Json, path: string): ThingEvent | undefined {
  const identifier = reader.identifier(raw.identifier, childPath(path, 'identifier'));
  const outputData = reader.typedList(raw.outputData, childPath(path, 'outputData'), false);
  const eventType = raw.eventType ?? 'INFO';
  if (eventType !== 'INFO' && eventType !== 'WARN' && eventType !== 'ERROR') return reader.fail(childPath(path, 'eventType'), 'eventType must be INFO, WARN or ERROR');
  if (!identifier || !outputData) return undefined;
  const item: ThingEvent = { identifier, name: reader.i18n(raw.name, childPath(path, 'name'), identifier), outputData, eventType };
  if (typeof raw.desc === 'string' && raw.desc) item.desc = raw.desc;
  return item;
}

export type ParsedModel = { ok: true; model: ThingModel } | { ok: false; violations: Violation[] };

/** Reads a model in the EnOS JSON shape; every problem comes back with its JSON path. */
export function parseThingModel(json: unknown): ParsedModel {
  if (!isObject(json)) return { ok: false, violations: [{ path: '$', message: 'a thing model is a JSON object' }] };
  const reader = new Reader();
  const modelId = json.modelId;
  if (typeof modelId !== 'string' || modelId.trim() === '') reader.fail('$.modelId', 'modelId is required');
  const maps = {} as Record<Kind, unknown>;
  for (const kind of KINDS) maps[kind] = json[kind] ?? json[DEVICE_SIDE[kind]];
  const pathOf = (kind: Kind) => (json[kind] === undefined && json[DEVICE_SIDE[kind]] !== undefined ? `$.${DEVICE_SIDE[kind]}` : `$.${kind}`);
  const model: ThingModel = {
    modelId: typeof modelId === 'string' ? modelId : '',
    name: reader.i18n(json.name, '$.name', typeof modelId === 'string' ? modelId : ''),
    attributes: reader.featureMap(maps.attributes, pathOf('attributes'), (raw, path) => readAttribute(reader, raw, path)),
    measurepoints: reader.featureMap(maps.measurepoints, pathOf('measurepoints'), (raw, path) => readMeasurepoint(reader, raw, path)),
    services: reader.featureMap(maps.services, pathOf('services'), (raw, path) => readService(reader, raw, path)),
    events: reader.featureMap(maps.events, pathOf('events'), (raw, path) => readEvent(reader, raw, path)),
  };
  if (typeof json.desc === 'string' && json.desc) model.desc = json.desc;
  if (json.passthrough !== undefined) {
    if (typeof json.passthrough !== 'boolean') reader.fail('$.passthrough', 'passthrough must be true or false');
    else model.passthrough = json.passthrough;
  }
  return reader.violations.length > 0 ? { ok: false, violations: reader.violations } : { ok: true, model };
}

function exportTyped(element: Typed): Json {
  const out: Json = {
    identifier: element.identifier,
    name: element.name ?? { defaultValue: element.identifier },
    desc: element.desc ?? '',
    tags: {},
    dataType: element.dataType,
    // §10: dataDefinition is a JSON string, null for the scalar types.
    dataDefinition: element.dataDefinition === null ? null : JSON.stringify(element.dataDefinition),
    unit: element.unit ?? null,
  };
  if (element.range) out.range = element.range;
  if ((element as StructMember).required !== undefined) out.required = (element as StructMember).required;
  return out;
}

function exportStruct(element: Typed): Json {
  if (element.dataType !== 'STRUCT') return exportTyped(element);
  const items = (element.dataDefinition as { items: StructMember[] }).items.map((member) => exportTyped(member));
  return { ...exportTyped(element), dataDefinition: JSON.stringify({ items }) };
}

const feature = (item: { identifier: string; name?: StringI18n; desc?: string }) => ({
  identifier: item.identifier,
  name: item.name ?? { defaultValue: item.identifier },
  desc: item.desc ?? '',
  tags: {},
  isStdElement: false,
});

function mapValues<T, U>(record: Record<string, T>, map: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}

/** The model in the EnOS JSON shape; `parseThingModel(exportThingModel(m))` gives `m` back. */
export function exportThingModel(model: ThingModel): Json {
  const params = (list: Parameter[]) => list.map((param) => exportStruct(param));
  const out: Json = {
    modelId: model.modelId,
    name: model.name,
    desc: model.desc ?? '',
    tags: {},
    attributes: mapValues(model.attributes, (item) => ({ ...feature(item), ...exportStruct(item), isRequired: item.isRequired ?? false, defaultValue: item.defaultValue ?? null })),
    measurepoints: mapValues(model.measurepoints, (item) => ({ ...feature(item), ...exportStruct(item), hasQuality: item.hasQuality ?? false, signalType: item.signalType ?? 'Generic' })),
    services: mapValues(model.services, (item) => ({ ...feature(item), inputData: params(item.inputData), outputData: params(item.outputData), callType: item.callType })),
    events: mapValues(model.events, (item) => ({ ...feature(item), outputData: params(item.outputData), eventType: item.eventType })),
  };
  if (model.passthrough !== undefined) out.passthrough = model.passthrough;
  return out;
}
