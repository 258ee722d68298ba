/**
 * The thing model (protocol reference §10) as the registry stores it, and the one validator the
 * hub, the UI editor and the verification step use. Values are checked against the wire rules of
 * the §10 table; every violation carries the JSON path of the offending value.
 */

export const DATA_TYPES = ['INT', 'FLOAT', 'DOUBLE', 'BOOL', 'ENUM', 'STRING', 'TIMESTAMP', 'DATE', 'STRUCT', 'ARRAY', 'FILE'] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** Item types an ARRAY may hold (§10). */
export const ARRAY_ITEM_TYPES = ['INT', 'FLOAT', 'DOUBLE', 'STRING'] as const;
export type ArrayItemType = (typeof ARRAY_ITEM_TYPES)[number];

export interface StringI18n {
  defaultValue: string;
  i18nValue?: { en_US?: string; zh_CN?: string };
}

export interface Unit {
  unitId: string;
  multiplier: string;
}

export interface BoolDefinition {
  boolDesc?: { true?: StringI18n; false?: StringI18n };
  defaultValue?: boolean;
}
export interface EnumDefinition {
  enumType: 'INT' | 'STRING';
  enumDesc: Record<string, StringI18n>;
  defaultValue?: string | number;
}
export interface StringDefinition {
  maxLength: number;
}
export interface StructDefinition {
  items: StructMember[];
}
export interface ArrayDefinition {
  itemType: ArrayItemType;
  /** Most items allowed; EnOS caps arrays at 128 (§9). */
  maxSize?: number;
}
export type DataDefinition = BoolDefinition | EnumDefinition | StringDefinition | StructDefinition | ArrayDefinition;

/** Local metadata: the EnOS 2.1 model JSON has no ranges (§10), so they travel as an extension. */
export interface Range {
  min?: number;
  max?: number;
}

/** What every typed element (attribute, measurepoint, parameter, struct member) declares. */
export interface Typed {
  identifier: string;
  name?: StringI18n;
  desc?: string;
  dataType: DataType;
  dataDefinition: DataDefinition | null;
  unit?: Unit | null;
  range?: Range;
}

export interface StructMember extends Typed {
  required?: boolean;
}

export interface Attribute extends Typed {
  isRequired?: boolean;
  defaultValue?: unknown;
}

export interface Measurepoint extends Typed {
  hasQuality?: boolean;
  signalType?: 'AI' | 'DI' | 'PI' | 'Generic';
}

export type Parameter = Typed;

export interface Service {
  identifier: string;
  name?: StringI18n;
  desc?: string;
  inputData: Parameter[];
  outputData: Parameter[];
  callType: 'SYNC' | 'ASYNC';
}

export interface ThingEvent {
  identifier: string;
  name?: StringI18n;
  desc?: string;
  outputData: Parameter[];
  eventType: 'INFO' | 'WARN' | 'ERROR';
}

export interface ThingModel {
  modelId: string;
  name: StringI18n;
  desc?: string;
  /** A passthrough model accepts undeclared points (§10). */
  passthrough?: boolean;
  attributes: Record<string, Attribute>;
  measurepoints: Record<string, Measurepoint>;
  services: Record<string, Service>;
  events: Record<string, ThingEvent>;
}

export interface Violation {
  /** JSON path of the offending value, `$` being the validated object. */
  path: string;
  message: string;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** §9: an ARRAY holds at most 128 items. */
export const ARRAY_MAX_ITEMS = 128;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const URI_PATTERN = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;

/** `$.a.b` for identifier-like keys, `$["odd key"]` otherwise, `$[3]` for indices. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function validDate(text: string): boolean {
  const match = DATE_PATTERN.exec(text);
  if (!match) return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
}

/**
 * Checks one value, `key` of the value at path `parent` (no key: the value at `parent` itself);
 * pushes what is wrong and returns nothing. The path is joined only for a violation: the hub
 * validates every value of every message.
 */
type Check = (value: unknown, parent: string, key: string | number | undefined, out: Violation[]) => void;

function pathOf(parent: string, key: string | number | undefined): string {
  return key === undefined ? parent : childPath(parent, key);
}

function rangeCheck(range: Range | undefined, value: number, parent: string, key: string | number | undefined, out: Violation[]): void {
  if (!range) return;
  if (range.min !== undefined && value < range.min) out.push({ path: pathOf(parent, key), message: `${value} is below the minimum ${range.min}` });
  if (range.max !== undefined && value > range.max) out.push({ path: pathOf(parent, key), message: `${value} is above the maximum ${range.max}` });
}

function numberCheck(type: 'INT' | 'FLOAT' | 'DOUBLE' | 'TIMESTAMP', range: Range | undefined, acceptNumericStrings: boolean): Check {
  return (value, parent, key, out) => {
    let number = value;
    if (acceptNumericStrings && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) number = Number(value);
    if (typeof number !== 'number' || !Number.isFinite(number)) {
      out.push({ path: pathOf(parent, key), message: `expected ${type === 'TIMESTAMP' ? 'a TIMESTAMP (integer ms)' : `a number (${type})`}, got ${describe(value)}` });
      return;
    }
    if (type === 'INT' && (!Number.isInteger(number) || number < INT32_MIN || number > INT32_MAX)) {
      out.push({ path: pathOf(parent, key), message: `expected an INT (32-bit integer), got ${number}` });
      return;
    }
    if (type === 'TIMESTAMP' && (!Number.isInteger(number) || number < 0)) {
      out.push({ path: pathOf(parent, key), message: `expected a TIMESTAMP (non-negative integer ms), got ${number}` });
      return;
    }
    rangeCheck(range, number, parent, key, out);
  };
}

function compileCheck(element: Typed): Check {
  const definition = element.dataDefinition;
  switch (element.dataType) {
    case 'INT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'TIMESTAMP':
      return numberCheck(element.dataType, element.range, false);
    case 'BOOL':
      // §10: true/false, also 0/1 (the console's form).
      return (value, parent, key, out) => {
        if (typeof value !== 'boolean' && value !== 0 && value !== 1) out.push({ path: pathOf(parent, key), message: `expected a BOOL (true/false or 0/1), got ${describe(value)}` });
      };
    case 'ENUM': {
      const { enumType, enumDesc } = definition as EnumDefinition;
      const keys = new Set(Object.keys(enumDesc));
      const listed = [...keys].slice(0, 10).join(', ');
      return (value, parent, key, out) => {
        const typeOk = enumType === 'INT' ? typeof value === 'number' && Number.isInteger(value) : typeof value === 'string';
        if (!typeOk || !keys.has(String(value))) out.push({ path: pathOf(parent, key), message: `expected one of the ENUM values ${listed}, got ${describe(value)}` });
      };
    }
    case 'STRING': {
      const maxLength = (definition as StringDefinition).maxLength;
      return (value, parent, key, out) => {
        if (typeof value !== 'string') out.push({ path: pathOf(parent, key), message: `expected a STRING, got ${describe(value)}` });
        else if (utf8Length(value) > maxLength) out.push({ path: pathOf(parent, key), message: `the STRING is ${utf8Length(value)} UTF-8 bytes, longer than maxLength ${maxLength}` });
      };
    }
    case 'DATE':
      return (value, parent, key, out) => {
        if (typeof value !== 'string' || !validDate(value)) out.push({ path: pathOf(parent, key), message: `expected a DATE "yyyy-MM-dd HH:mm:ss", got ${describe(value)}` });
      };
    case 'FILE':
      return (value, parent, key, out) => {
        if (typeof value !== 'string' || !URI_PATTERN.test(value)) out.push({ path: pathOf(parent, key), message: `expected a FILE URI such as "local://name.bin", got ${describe(value)}` });
      };
    case 'ARRAY': {
      const { itemType, maxSize } = definition as ArrayDefinition;
      const limit = Math.min(maxSize ?? ARRAY_MAX_ITEMS, ARRAY_MAX_ITEMS);
      // The protocol sample sends numeric arrays as strings (`["1.02","2.02"]`, §6.3).
      const item: Check =
        itemType === 'STRING' ? compileCheck({ identifier: '', dataType: 'STRING', dataDefinition: { maxLength: 1024 } }) : numberCheck(itemType, element.range, true);
      return (value, parent, key, out) => {
        if (!Array.isArray(value)) {
          out.push({ path: pathOf(parent, key), message: `expected an ARRAY of ${itemType}, got ${describe(value)}` });
          return;
        }
        const path = pathOf(parent, key);
        if (value.length > limit) out.push({ path, message: `the ARRAY has ${value.length} items, more than ${limit}` });
        value.forEach((entry, index) => item(entry, path, index, out));
      };
    }
    case 'STRUCT': {
      const members = (definition as StructDefinition).items;
      const checks = new Map(members.map((member) => [member.identifier, compileCheck(member)]));
      const required = members.filter((member) => member.required).map((member) => member.identifier);
      return (value, parent, key, out) => {
        if (!isPlainObject(value)) {
          out.push({ path: pathOf(parent, key), message: `expected a STRUCT (object), got ${describe(value)}` });
          return;
        }
        const path = pathOf(parent, key);
        for (const id of required) if (!(id in value)) out.push({ path: childPath(path, id), message: `the required member "${id}" is missing` });
        for (const id of Object.keys(value)) {
          const check = checks.get(id);
          if (check) check(value[id], path, id, out);
          else out.push({ path: childPath(path, id), message: `"${id}" is not a member of this STRUCT` });
        }
      };
    }
  }
}

/** §10: with hasQuality the wire value is `{value, quality 0–9}`; a bare value is accepted too. */
function qualityCheck(inner: Check): Check {
  return (value, parent, key, out) => {
    if (!isPlainObject(value)) {
      inner(value, parent, key, out);
      return;
    }
    const path = pathOf(parent, key);
    inner(value.value, path, 'value', out);
    const quality = value.quality;
    if (quality !== undefined && !(typeof quality === 'number' && Number.isInteger(quality) && quality >= 0 && quality <= 9)) {
      out.push({ path: childPath(path, 'quality'), message: `quality must be an integer 0–9, got ${describe(quality)}` });
    }
    for (const member of Object.keys(value)) if (member !== 'value' && member !== 'quality') out.push({ path: childPath(path, member), message: `unexpected key "${member}" in a value with quality` });
  };
}

type Checks = ReadonlyMap<string, Check>;

interface CompiledModel {
  attributes: Checks;
  measurepoints: Checks;
  events: ReadonlyMap<string, Checks>;
  serviceInputs: ReadonlyMap<string, Checks>;
  serviceOutputs: ReadonlyMap<string, Checks>;
}

function checksOf(elements: readonly Typed[]): Checks {
  return new Map(elements.map((element) => [element.identifier, compileCheck(element)]));
}

// The hub validates every message: each model is compiled once into closures, keyed by identity.
const compiled = new WeakMap<ThingModel, CompiledModel>();

function compile(model: ThingModel): CompiledModel {
  let entry = compiled.get(model);
  if (!entry) {
    entry = {
      attributes: checksOf(Object.values(model.attributes)),
      measurepoints: new Map(
        Object.values(model.measurepoints).map((point) => [point.identifier, point.hasQuality ? qualityCheck(compileCheck(point)) : compileCheck(point)]),
      ),
      events: new Map(Object.values(model.events).map((item) => [item.identifier, checksOf(item.outputData)])),
      serviceInputs: new Map(Object.values(model.services).map((item) => [item.identifier, checksOf(item.inputData)])),
      serviceOutputs: new Map(Object.values(model.services).map((item) => [item.identifier, checksOf(item.outputData)])),
    };
    compiled.set(model, entry);
  }
  return entry;
}

function checkMap(values: unknown, checks: Checks, path: string, kind: string, allowUndeclared: boolean): Violation[] {
  const out: Violation[] = [];
  if (!isPlainObject(values)) return [{ path, message: `expected an object of ${kind} values, got ${describe(values)}` }];
  for (const id of Object.keys(values)) {
    const check = checks.get(id);
    if (check) check(values[id], path, id, out);
    else if (!allowUndeclared) out.push({ path: childPath(path, id), message: `"${id}" is not a ${kind} of this model` });
  }
  return out;
}

function checkTime(params: Record<string, unknown>, out: Violation[]): void {
  // §13 #9: `time` is ms epoch, a number or a numeric string.
  const time = params.time;
  if (time === undefined) return;
  const number = typeof time === 'string' && time.trim() !== '' ? Number(time) : time;
  if (typeof number !== 'number' || !Number.isFinite(number) || number < 0) out.push({ path: '$.time', message: `time must be ms since the epoch, got ${describe(time)}` });
}

/** A measurepoint post's params: `{measurepoints:{<id>:<v>}, time?}` (§6.1). */
export function validateMeasurepoints(model: ThingModel, params: unknown): Violation[] {
  if (!isPlainObject(params)) return [{ path: '$', message: `expected {measurepoints, time?}, got ${describe(params)}` }];
  const out = checkMap(params.measurepoints, compile(model).measurepoints, '$.measurepoints', 'measurepoint', model.passthrough === true);
  checkTime(params, out);
  return out;
}

/** An event post's params: `{events:{<outputId>:<v>}, time?}` (§6.1). */
export function validateEvent(model: ThingModel, eventId: string, params: unknown): Violation[] {
  const checks = compile(model).events.get(eventId);
  if (!checks) return [{ path: '$', message: `"${eventId}" is not an event of this model` }];
  if (!isPlainObject(params)) return [{ path: '$', message: `expected {events, time?}, got ${describe(params)}` }];
  const out = checkMap(params.events, checks, '$.events', `output of event ${eventId}`, false);
  checkTime(params, out);
  return out;
}

/** An attribute update: `{<id>:<v>}` (§6.1 `thing.attribute.update` params.attributes). */
export function validateAttributes(model: ThingModel, values: unknown): Violation[] {
  return checkMap(values, compile(model).attributes, '$', 'attribute', false);
}

function validateService(model: ThingModel, serviceId: string, values: unknown, side: 'serviceInputs' | 'serviceOutputs'): Violation[] {
  const checks = compile(model)[side].get(serviceId);
  if (!checks) return [{ path: '$', message: `"${serviceId}" is not a service of this model` }];
  return checkMap(values, checks, '$', side === 'serviceInputs' ? `input of service ${serviceId}` : `output of service ${serviceId}`, false);
}

/** A service call's params `{<inputId>:<v>}` (§6.2). */
export function validateServiceInput(model: ThingModel, serviceId: string, params: unknown): Violation[] {
  return validateService(model, serviceId, params, 'serviceInputs');
}

/** A device's service reply data `{<outputId>:<v>}` (§6.2). */
export function validateServiceOutput(model: ThingModel, serviceId: string, data: unknown): Violation[] {
  return validateService(model, serviceId, data, 'serviceOutputs');
}
