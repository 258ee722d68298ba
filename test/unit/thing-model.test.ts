import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  validateAttributes,
  validateEvent,
  validateMeasurepoints,
  validateServiceInput,
  validateServiceOutput,
  type ThingModel,
} from '../../shared/model/thing-model';
import { parseThingModel } from '../../shared/model/thing-model-json';

const fixture = (name: string) => JSON.parse(readFileSync(resolve(__dirname, '../fixtures/registry', name), 'utf8'));

function loadModel(json: unknown): ThingModel {
  const parsed = parseThingModel(json);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.violations));
  return parsed.model;
}

const model = loadModel(fixture('all-types-model.json'));
const cases = fixture('payload-cases.json') as [string, string, unknown[], unknown[]][];

describe('validateMeasurepoints on fixtures for every EnOS data type (§10)', () => {
  for (const [type, id, valid, invalid] of cases) {
    it(`${type}: accepts ${JSON.stringify(valid)}`, () => {
      for (const value of valid) expect(validateMeasurepoints(model, { measurepoints: { [id]: value } }), JSON.stringify(value)).toEqual([]);
    });
    it(`${type}: refuses each of ${JSON.stringify(invalid)} with its JSON path`, () => {
      for (const value of invalid) {
        const violations = validateMeasurepoints(model, { measurepoints: { [id]: value } });
        expect(violations.length, JSON.stringify(value)).toBeGreaterThan(0);
        for (const violation of violations) expect(violation.path.startsWith(`$.measurepoints.${id}`), violation.path).toBe(true);
      }
    });
  }

  it('names the exact nested path of a bad struct member, array item and quality', () => {
    const violations = validateMeasurepoints(model, { measurepoints: { st: { x: 1, label: 'toolong' }, a: [1, 'x'], q: { value: 1, quality: 12 } } });
    expect(violations.map((violation) => violation.path)).toEqual(['$.measurepoints.st.label', '$.measurepoints.a[1]', '$.measurepoints.q.quality']);
  });

  it('reports every violation, not only the first, plus undeclared points and a bad time', () => {
    const violations = validateMeasurepoints(model, { measurepoints: { i: 'x', f: 'y', nope: 1 }, time: 'soon' });
    expect(violations.map((violation) => violation.path)).toEqual(['$.measurepoints.i', '$.measurepoints.f', '$.measurepoints.nope', '$.time']);
  });

  it('a passthrough model accepts undeclared points but still checks declared ones', () => {
    const passthrough = { ...model, passthrough: true };
    expect(validateMeasurepoints(passthrough, { measurepoints: { anything: 'goes', i: 1 } })).toEqual([]);
    expect(validateMeasurepoints(passthrough, { measurepoints: { i: 'x' } })).toHaveLength(1);
  });

  it('refuses params that are not {measurepoints}', () => {
    expect(validateMeasurepoints(model, [])).toEqual([{ path: '$', message: expect.any(String) }]);
    expect(validateMeasurepoints(model, { measurepoints: 5 })[0]!.path).toBe('$.measurepoints');
  });
});

describe('events, attributes and services', () => {
  it('checks event outputs and unknown events', () => {
    expect(validateEvent(model, 'fault', { events: { code: 3, at: 1700000000000 }, time: 1700000000000 })).toEqual([]);
    expect(validateEvent(model, 'fault', { events: { code: 'E3' } }).map((v) => v.path)).toEqual(['$.events.code']);
    expect(validateEvent(model, 'nope', { events: {} })[0]!.message).toContain('not an event');
  });

  it('checks attribute updates', () => {
    expect(validateAttributes(model, { label: 'short' })).toEqual([]);
    expect(validateAttributes(model, { label: 'much too long', other: 1 }).map((v) => v.path)).toEqual(['$.label', '$.other']);
  });

  it('checks service inputs with ranges and replies', () => {
    expect(validateServiceInput(model, 'setLimit', { percent: 50 })).toEqual([]);
    expect(validateServiceInput(model, 'setLimit', { percent: 101 })).toEqual([{ path: '$.percent', message: '101 is above the maximum 100' }]);
    expect(validateServiceOutput(model, 'setLimit', { accepted: true })).toEqual([]);
    expect(validateServiceOutput(model, 'setLimit', { accepted: 'yes' }).map((v) => v.path)).toEqual(['$.accepted']);
    expect(validateServiceInput(model, 'nope', {})[0]!.message).toContain('not a service');
  });
});

describe('sample models in resources/models', () => {
  const names = ['inverter.json', 'smart-meter.json', 'environmental-sensor.json'];
  const samples = names.map((name) => loadModel(JSON.parse(readFileSync(resolve(__dirname, '../../resources/models', name), 'utf8'))));

  it('load unchanged and together use every EnOS data type', () => {
    const types = new Set<string>();
    const collect = (element: { dataType: string; dataDefinition: unknown }) => {
      types.add(element.dataType);
      const items = (element.dataDefinition as { items?: { dataType: string; dataDefinition: unknown }[] } | null)?.items;
      items?.forEach(collect);
    };
    for (const sample of samples) {
      Object.values(sample.attributes).forEach(collect);
      Object.values(sample.measurepoints).forEach(collect);
      Object.values(sample.services).forEach((service) => [...service.inputData, ...service.outputData].forEach(collect));
      Object.values(sample.events).forEach((item) => item.outputData.forEach(collect));
    }
    expect([...types].sort()).toEqual(['ARRAY', 'BOOL', 'DATE', 'DOUBLE', 'ENUM', 'FILE', 'FLOAT', 'INT', 'STRING', 'STRUCT', 'TIMESTAMP']);
  });

  it('accept a realistic inverter post and refuse an out-of-range one', () => {
    const inverter = samples[0]!;
    expect(validateMeasurepoints(inverter, { measurepoints: { activePower: { value: 41.2, quality: 0 }, dcVoltages: [612.5, 608.1], operatingState: 1, gridConnected: true }, time: 1700000000000 })).toEqual([]);
    expect(validateMeasurepoints(inverter, { measurepoints: { heatsinkTemp: 130 } }).map((v) => v.path)).toEqual(['$.measurepoints.heatsinkTemp']);
  });
});
