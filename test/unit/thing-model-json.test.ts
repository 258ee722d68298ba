import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportThingModel, parseThingModel } from '../../shared/model/thing-model-json';

const sample = (name: string) => JSON.parse(readFileSync(resolve(__dirname, '../../resources/models', name), 'utf8'));

function violationsOf(json: unknown) {
  const parsed = parseThingModel(json);
  if (parsed.ok) throw new Error('expected the model to be refused');
  return parsed.violations;
}

const base = (measurepoints: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({ modelId: 'm', name: { defaultValue: 'M' }, measurepoints, ...rest });

describe('EnOS thing-model JSON (§10)', () => {
  it('export then import gives the same model back for every sample', () => {
    for (const name of ['inverter.json', 'smart-meter.json', 'environmental-sensor.json']) {
      const first = parseThingModel(sample(name));
      expect(first.ok, name).toBe(true);
      if (!first.ok) continue;
      const exported = exportThingModel(first.model);
      // §10: dataDefinition travels as a JSON string, null for scalar types.
      for (const point of Object.values(exported.measurepoints as Record<string, { dataType: string; dataDefinition: unknown }>)) {
        expect(['INT', 'FLOAT', 'DOUBLE', 'TIMESTAMP', 'DATE', 'FILE'].includes(point.dataType) ? point.dataDefinition === null : typeof point.dataDefinition === 'string').toBe(true);
      }
      const second = parseThingModel(JSON.parse(JSON.stringify(exported)));
      expect(second).toEqual({ ok: true, model: first.model });
    }
  });

  it('accepts the device-side tsl maps and object-valued dataDefinitions', () => {
    const parsed = parseThingModel({ modelId: 'm', tslMeasurepointMap: { s: { identifier: 's', dataType: 'STRING', dataDefinition: { maxLength: 4 } } } });
    expect(parsed.ok && parsed.model.measurepoints.s?.dataDefinition).toEqual({ maxLength: 4 });
  });

  it('refuses duplicate identifiers across features, in parameters and in struct members, naming both places', () => {
    const violations = violationsOf({
      modelId: 'm',
      attributes: { power: { dataType: 'INT', dataDefinition: null } },
      measurepoints: {
        power: { dataType: 'INT', dataDefinition: null },
        st: { dataType: 'STRUCT', dataDefinition: JSON.stringify({ items: [{ identifier: 'a', dataType: 'INT' }, { identifier: 'a', dataType: 'INT' }] }) },
      },
      services: { go: { inputData: [{ identifier: 'x', dataType: 'INT' }, { identifier: 'x', dataType: 'FLOAT' }], outputData: [] } },
    });
    expect(violations).toEqual([
      { path: '$.measurepoints.power.identifier', message: 'duplicate identifier "power", already declared at $.attributes.power' },
      { path: '$.measurepoints.st.dataDefinition.items[1].identifier', message: 'duplicate identifier "a"' },
      { path: '$.services.go.inputData[1].identifier', message: 'duplicate identifier "x"' },
    ]);
  });

  const refusals: [string, unknown, string][] = [
    ['an unknown data type', base({ p: { dataType: 'LONG' } }), '$.measurepoints.p.dataType'],
    ['an ENUM without values', base({ p: { dataType: 'ENUM', dataDefinition: '{"enumType":"INT","enumDesc":{}}' } }), '$.measurepoints.p.dataDefinition.enumDesc'],
    ['a STRING without maxLength', base({ p: { dataType: 'STRING', dataDefinition: '{}' } }), '$.measurepoints.p.dataDefinition.maxLength'],
    ['a STRING longer than 1024', base({ p: { dataType: 'STRING', dataDefinition: '{"maxLength":2000}' } }), '$.measurepoints.p.dataDefinition.maxLength'],
    ['a nested STRUCT', base({ p: { dataType: 'STRUCT', dataDefinition: { items: [{ identifier: 'in', dataType: 'STRUCT', dataDefinition: { items: [] } }] } } }), '$.measurepoints.p.dataDefinition.items[0].dataDefinition'],
    ['an empty STRUCT', base({ p: { dataType: 'STRUCT', dataDefinition: { items: [] } } }), '$.measurepoints.p.dataDefinition.items'],
    ['an ARRAY of BOOL', base({ p: { dataType: 'ARRAY', dataDefinition: { itemType: 'BOOL' } } }), '$.measurepoints.p.dataDefinition.itemType'],
    ['an ARRAY above 128 items', base({ p: { dataType: 'ARRAY', dataDefinition: { itemType: 'INT', maxSize: 500 } } }), '$.measurepoints.p.dataDefinition.maxSize'],
    ['dataDefinition that is not JSON', base({ p: { dataType: 'ENUM', dataDefinition: '{enum' } }), '$.measurepoints.p.dataDefinition'],
    ['a unit on an ENUM', base({ p: { dataType: 'ENUM', dataDefinition: { enumDesc: { a: 'A' } }, unit: { unitId: 'V' } } }), '$.measurepoints.p.unit'],
    ['quality on a STRING point', base({ p: { dataType: 'STRING', dataDefinition: { maxLength: 3 }, hasQuality: true } }), '$.measurepoints.p.hasQuality'],
    ['an identifier that differs from its key', base({ p: { identifier: 'q', dataType: 'INT' } }), '$.measurepoints.p.identifier'],
    ['a bad identifier', base({ '9p': { dataType: 'INT' } }), '$.measurepoints["9p"].identifier'],
    ['a range with min above max', base({ p: { dataType: 'INT', range: { min: 5, max: 1 } } }), '$.measurepoints.p.range'],
    ['a range on a STRING', base({ p: { dataType: 'STRING', dataDefinition: { maxLength: 3 }, range: { min: 1 } } }), '$.measurepoints.p.range'],
    ['a bad callType', base({}, { services: { s: { callType: 'MAYBE' } } }), '$.services.s.callType'],
    ['a bad eventType', base({}, { events: { e: { eventType: 'PANIC' } } }), '$.events.e.eventType'],
    ['a missing modelId', { measurepoints: {} }, '$.modelId'],
    ['a model that is not an object', [], '$'],
  ];
  for (const [what, json, path] of refusals) {
    it(`refuses ${what} at ${path}`, () => {
      expect(violationsOf(json).map((violation) => violation.path)).toContain(path);
    });
  }

  it('makes all ENUM keys strings when one is a string (§10)', () => {
    const parsed = parseThingModel(base({ p: { dataType: 'ENUM', dataDefinition: { enumType: 'INT', enumDesc: { '1': 'one', x: 'ex' } } } }));
    expect(parsed.ok && parsed.model.measurepoints.p?.dataDefinition).toMatchObject({ enumType: 'STRING' });
  });
});
