import { DATA_TYPES, type DataType, type ThingModel, type Violation } from '../../../shared/model/thing-model';
import { parseThingModel } from '../../../shared/model/thing-model-json';

export const FEATURE_KINDS = ['attributes', 'measurepoints', 'services', 'events'] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];
export { DATA_TYPES, type DataType };

export type ModelCheck = { ok: true; model: ThingModel; json: Record<string, unknown> } | { ok: false; violations: Violation[] };

/** The editor's text checked by the shared validator (the registry's own); JSON syntax errors come back as a violation at `$`. */
export function checkModelText(text: string): ModelCheck {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, violations: [{ path: '$', message: `not JSON: ${(error as Error).message}` }] };
  }
  const parsed = parseThingModel(json);
  return parsed.ok ? { ok: true, model: parsed.model, json: json as Record<string, unknown> } : { ok: false, violations: parsed.violations };
}

/** The violations that belong to one feature (`$.measurepoints.temp…`), to show beside it. */
export function violationsOf(violations: readonly Violation[], kind: FeatureKind, identifier: string): Violation[] {
  const prefix = `$.${kind}.${identifier}`;
  return violations.filter((violation) => violation.path === prefix || violation.path.startsWith(`${prefix}.`) || violation.path.startsWith(`${prefix}[`));
}

/** Feature identifiers per kind as the text has them, even when the model is invalid. */
export function featuresInText(text: string): Record<FeatureKind, { identifier: string; dataType?: string }[]> {
  const out = { attributes: [], measurepoints: [], services: [], events: [] } as Record<FeatureKind, { identifier: string; dataType?: string }[]>;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch {
    return out;
  }
  for (const kind of FEATURE_KINDS) {
    const map = json?.[kind];
    if (typeof map !== 'object' || map === null) continue;
    for (const [identifier, feature] of Object.entries(map)) {
      const dataType = (feature as { dataType?: unknown })?.dataType;
      out[kind].push({ identifier, ...(typeof dataType === 'string' ? { dataType } : {}) });
    }
  }
  return out;
}

/** The smallest valid `dataDefinition` of each EnOS type, as the JSON string EnOS uses (§10). */
function defaultDefinition(dataType: DataType): string | null {
  switch (dataType) {
    case 'STRING':
      return JSON.stringify({ maxLength: 64 });
    case 'ENUM':
      return JSON.stringify({ enumType: 'INT', enumDesc: { '0': { defaultValue: 'off' }, '1': { defaultValue: 'on' } } });
    case 'ARRAY':
      return JSON.stringify({ itemType: 'INT', maxSize: 16 });
    case 'STRUCT':
      return JSON.stringify({ items: [{ identifier: 'value', dataType: 'INT', dataDefinition: null }] });
    default:
      return null;
  }
}

/** A new feature added to the editor's JSON text; the validator then judges the result like any edit. */
export function addFeature(text: string, kind: FeatureKind, identifier: string, dataType: DataType): string {
  const json = JSON.parse(text) as Record<string, Record<string, unknown>>;
  const name = { defaultValue: identifier };
  const typed = { identifier, name, dataType, dataDefinition: defaultDefinition(dataType) };
  const feature =
    kind === 'services'
      ? { identifier, name, inputData: [], outputData: [], callType: 'SYNC' }
      : kind === 'events'
        ? { identifier, name, outputData: [], eventType: 'INFO' }
        : kind === 'attributes'
          ? { ...typed, isRequired: false }
          : typed;
  json[kind] = { ...(json[kind] ?? {}), [identifier]: feature };
  return JSON.stringify(json, null, 2);
}

/** A model to start a new product's editor from. */
export function emptyModelText(modelId: string): string {
  return JSON.stringify({ modelId, name: { defaultValue: modelId }, attributes: {}, measurepoints: {}, services: {}, events: {} }, null, 2);
}
