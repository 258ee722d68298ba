import { describe, expect, it } from 'vitest';
import { validateServiceInput, type Parameter, type ThingModel } from '../../shared/model/thing-model';
import { coerceParams, fieldErrorsFromViolations, paramFields } from '../../renderer/src/devices/param-fields';

const params: Parameter[] = [
  { identifier: 'delay', name: { defaultValue: 'Delay' }, dataType: 'INT', dataDefinition: null },
  { identifier: 'level', dataType: 'DOUBLE', dataDefinition: null },
  { identifier: 'force', dataType: 'BOOL', dataDefinition: null },
  { identifier: 'mode', dataType: 'ENUM', dataDefinition: { enumType: 'INT', enumDesc: { '0': { defaultValue: 'off' }, '1': { defaultValue: 'on' } } } },
  { identifier: 'note', dataType: 'STRING', dataDefinition: { maxLength: 8 } },
  { identifier: 'list', dataType: 'ARRAY', dataDefinition: { itemType: 'INT' } },
];
const model: ThingModel = {
  modelId: 'm', name: { defaultValue: 'm' }, attributes: {}, measurepoints: {}, events: {},
  services: { reboot: { identifier: 'reboot', inputData: params, outputData: [], callType: 'SYNC' } },
};

describe('forms generated from a thing model', () => {
  it('maps every EnOS type to a control, with enum choices', () => {
    const fields = paramFields(params);
    expect(fields.map((field) => [field.id, field.kind])).toEqual([['delay', 'integer'], ['level', 'number'], ['force', 'boolean'], ['mode', 'enum'], ['note', 'text'], ['list', 'json']]);
    expect(fields[0]!.label).toBe('Delay');
    expect(fields[3]!.options.map((option) => option.value)).toEqual(['0', '1']);
  });

  it('turns field text into typed params, leaving empty fields out', () => {
    const fields = paramFields(params);
    const coerced = coerceParams(fields, { delay: '5', level: '0.5', force: true, mode: '1', note: ' hi ', list: '[1,2]' }, (id) => id === 'mode');
    expect(coerced).toEqual({ ok: true, value: { delay: 5, level: 0.5, force: true, mode: 1, note: 'hi', list: [1, 2] } });
    if (coerced.ok) expect(validateServiceInput(model, 'reboot', coerced.value)).toEqual([]);
    expect(coerceParams(fields, { delay: '' })).toEqual({ ok: true, value: { force: false } });
  });

  it('puts type problems on their field, and the validator’s violations too', () => {
    const fields = paramFields(params);
    expect(coerceParams(fields, { delay: '1.5', list: '[1,' })).toEqual({ ok: false, fieldErrors: { delay: 'INT expected', list: 'ARRAY expected as JSON' } });
    const violations = validateServiceInput(model, 'reboot', { note: 'far too long text', force: false });
    const errors = fieldErrorsFromViolations(violations);
    expect(Object.keys(errors)).toContain('note');
    expect(fieldErrorsFromViolations([{ path: '$', message: 'whole' }])).toEqual({ '': 'whole' });
  });
});
