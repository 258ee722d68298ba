import { readFileSync } from 'node:fs';
import { parseThingModel } from '../../shared/model/thing-model-json';
import type { Measurepoint, ThingModel, Typed } from '../../shared/model/thing-model';
import { err, ok, type Result } from '../../shared/result';

const scalar = (identifier: string, dataType: Typed['dataType'], range?: Typed['range']): Measurepoint => ({ identifier, dataType, dataDefinition: null, ...(range ? { range } : {}) });

/** The telemetry a sim emits when no `--thing-model` is given: a small meter. */
export const BUILT_IN_MODEL: ThingModel = {
  modelId: 'sim_meter',
  name: { defaultValue: 'Simulated meter' },
  attributes: {},
  measurepoints: {
    voltage: scalar('voltage', 'DOUBLE', { min: 215, max: 245 }),
    current: scalar('current', 'DOUBLE', { min: 0, max: 16 }),
    energy: scalar('energy', 'INT', { min: 0, max: 1_000_000 }),
    relay: { identifier: 'relay', dataType: 'BOOL', dataDefinition: { defaultValue: false } },
  },
  services: {
    ping: { identifier: 'ping', inputData: [], outputData: [scalar('uptime', 'INT', { min: 0, max: 2 ** 31 - 1 })], callType: 'SYNC' },
  },
  events: {},
};

/** Reads a thing model in the EnOS JSON shape; violations are listed with their JSON paths. */
export function loadThingModel(path: string | undefined): Result<ThingModel> {
  if (!path) return ok(BUILT_IN_MODEL);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return err('THING_MODEL_INVALID', `${path}: ${(error as Error).message}`);
  }
  const parsed = parseThingModel(json);
  return parsed.ok ? ok(parsed.model) : err('THING_MODEL_INVALID', `${path}: ${parsed.violations.map((v) => `${v.path} ${v.message}`).join('; ')}`);
}

/** A plausible value for a typed element, inside its range, of its data type. */
export function sampleValue(element: Typed, random: () => number = Math.random): unknown {
  const min = element.range?.min ?? 0;
  const max = element.range?.max ?? 100;
  const definition = element.dataDefinition as Record<string, unknown> | null;
  switch (element.dataType) {
    case 'INT':
    case 'TIMESTAMP':
      return element.dataType === 'TIMESTAMP' ? Date.now() : Math.round(min + random() * (max - min));
    case 'FLOAT':
    case 'DOUBLE':
      return Math.round((min + random() * (max - min)) * 100) / 100;
    case 'BOOL':
      return random() < 0.5;
    case 'ENUM':
      return Object.keys((definition?.enumDesc as Record<string, unknown>) ?? { 0: null })[0];
    case 'STRING':
      return 'ok';
    case 'DATE':
      return new Date().toISOString().slice(0, 10);
    case 'ARRAY':
      return [0, 1].map(() => (definition?.itemType === 'STRING' ? 'a' : Math.round(random() * 10)));
    case 'STRUCT':
      return Object.fromEntries(((definition?.items as Typed[]) ?? []).map((member) => [member.identifier, sampleValue(member, random)]));
    case 'FILE':
      return undefined; // FILE points go only through HTTP multipart (protocol reference §6.3)
  }
}

/** One measurepoint sample following the model (FILE points left out). */
export function sampleMeasurepoints(model: ThingModel, current: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const point of Object.values(model.measurepoints)) {
    const value = point.identifier in current ? current[point.identifier] : sampleValue(point);
    if (value !== undefined) values[point.identifier] = point.hasQuality ? { value, quality: 0 } : value;
  }
  return values;
}
