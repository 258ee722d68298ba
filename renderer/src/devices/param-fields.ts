import type { EnumDefinition, Parameter, ThingModel } from '../../../shared/model/thing-model';
import type { FieldErrors } from '../forms/contract-form';

/**
 * How a thing-model parameter is entered: EnOS types mapped to form controls. A `flag` is a BOOL
 * that may also be left unset (a choice of true, false or nothing), where an unset value means
 * "leave it as it is".
 */
export type ParamKind = 'integer' | 'number' | 'boolean' | 'flag' | 'enum' | 'text' | 'json';

export interface ParamField {
  id: string;
  label: string;
  kind: ParamKind;
  dataType: string;
  options: { value: string; label: string }[];
}

const KIND: Record<string, ParamKind> = { INT: 'integer', TIMESTAMP: 'integer', FLOAT: 'number', DOUBLE: 'number', BOOL: 'boolean', ENUM: 'enum', STRING: 'text', DATE: 'text', FILE: 'text', STRUCT: 'json', ARRAY: 'json' };

/** One form field per service input (or measurepoint), generated from the thing model. */
export function paramFields(params: readonly Parameter[]): ParamField[] {
  return params.map((param) => {
    const kind = KIND[param.dataType] ?? 'json';
    const options = kind === 'enum' ? Object.entries((param.dataDefinition as EnumDefinition).enumDesc).map(([value, desc]) => ({ value, label: `${value} · ${desc.defaultValue}` })) : [];
    return { id: param.identifier, label: param.name?.defaultValue ?? param.identifier, kind, dataType: param.dataType, options };
  });
}

/**
 * One field per measurepoint of the model, for `hub.set`: only the points filled in are set, so a
 * BOOL is a flag. A point with quality takes `{"value": …, "quality": 0–9}` (§10), so its field is JSON.
 */
export function measurepointFields(model: ThingModel): ParamField[] {
  const points = Object.values(model.measurepoints);
  return paramFields(points).map((field, index) => {
    if (points[index]!.hasQuality) return { ...field, kind: 'json', dataType: `${field.dataType}+quality`, options: [] };
    return field.kind === 'boolean' ? { ...field, kind: 'flag', options: [{ value: 'true', label: 'true' }, { value: 'false', label: 'false' }] } : field;
  });
}

/** Whether a parameter is an ENUM of integer values (its field text becomes a number). */
export function intEnumOf(params: readonly Parameter[]): (id: string) => boolean {
  return (id) => (params.find((param) => param.identifier === id)?.dataDefinition as EnumDefinition | null)?.enumType === 'INT';
}

export type FieldValue = string | boolean;

/**
 * The typed params from what the fields hold. Empty fields are left out (the validator then says
 * which are required); text that cannot be the field's type is a problem on that field.
 */
export function coerceParams(fields: readonly ParamField[], values: Readonly<Record<string, FieldValue>>, enumIsInt: (id: string) => boolean = () => false): { ok: true; value: Record<string, unknown> } | { ok: false; fieldErrors: FieldErrors } {
  const value: Record<string, unknown> = {};
  const fieldErrors: FieldErrors = {};
  for (const field of fields) {
    const raw = values[field.id];
    if (field.kind === 'boolean') {
      value[field.id] = raw === true;
      continue;
    }
    if (field.kind === 'flag') {
      if (raw === 'true' || raw === 'false') value[field.id] = raw === 'true';
      continue;
    }
    if (typeof raw !== 'string' || raw.trim() === '') continue;
    const text = raw.trim();
    if (field.kind === 'integer' || field.kind === 'number' || (field.kind === 'enum' && enumIsInt(field.id))) {
      const number = Number(text);
      if (!Number.isFinite(number) || (field.kind === 'integer' && !Number.isInteger(number))) fieldErrors[field.id] = `${field.dataType} expected`;
      else value[field.id] = number;
    } else if (field.kind === 'json') {
      try {
        value[field.id] = JSON.parse(text);
      } catch {
        fieldErrors[field.id] = `${field.dataType} expected as JSON`;
      }
    } else value[field.id] = text;
  }
  return Object.keys(fieldErrors).length > 0 ? { ok: false, fieldErrors } : { ok: true, value };
}

/** Validator paths (`$.delay`, `$.target.x`; under `root` when given, e.g. `$.measurepoints`) to the field they belong to. */
export function fieldErrorsFromViolations(violations: readonly { path: string; message: string }[], root = '$'): FieldErrors {
  const errors: FieldErrors = {};
  const prefix = `${root}.`;
  for (const violation of violations) {
    const rest = violation.path.startsWith(prefix) ? violation.path.slice(prefix.length) : '';
    const id = /^([A-Za-z_][A-Za-z0-9_]*)/.exec(rest)?.[1] ?? '';
    errors[id] ??= violation.message;
  }
  return errors;
}
