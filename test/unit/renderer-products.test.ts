import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addFeature, checkModelText, DATA_TYPES, emptyModelText, featuresInText, violationsOf } from '../../renderer/src/products/model-text';

const sample = readFileSync(join(__dirname, '../../resources/models/environmental-sensor.json'), 'utf8');

describe('thing-model editor text', () => {
  it('accepts a shipped sample and an empty model', () => {
    expect(checkModelText(sample).ok).toBe(true);
    expect(checkModelText(emptyModelText('m1')).ok).toBe(true);
  });

  it('reports a JSON syntax error at $', () => {
    const check = checkModelText('{"modelId": ');
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.violations[0]!.path).toBe('$');
  });

  it('adds a valid feature of every EnOS type to every kind', () => {
    let text = emptyModelText('m1');
    for (const dataType of DATA_TYPES) text = addFeature(text, 'measurepoints', `mp_${dataType}`, dataType);
    text = addFeature(text, 'attributes', 'site', 'STRING');
    text = addFeature(text, 'services', 'reboot', 'INT');
    text = addFeature(text, 'events', 'alarm', 'INT');
    const check = checkModelText(text);
    expect(check.ok ? [] : check.violations).toEqual([]);
    const features = featuresInText(text);
    expect(features.measurepoints).toHaveLength(DATA_TYPES.length);
    expect(features.services.map((feature) => feature.identifier)).toEqual(['reboot']);
  });

  it("puts the validator's violations beside the feature they name", () => {
    const json = JSON.parse(addFeature(emptyModelText('m1'), 'measurepoints', 'temp', 'DOUBLE'));
    json.measurepoints.temp.dataType = 'REAL';
    const check = checkModelText(JSON.stringify(json));
    expect(check.ok).toBe(false);
    if (check.ok) return;
    const mine = violationsOf(check.violations, 'measurepoints', 'temp');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]!.path).toMatch(/^\$\.measurepoints\.temp/);
    expect(violationsOf(check.violations, 'measurepoints', 'tem')).toEqual([]);
  });
});
