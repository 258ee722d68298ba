import { describe, expect, it } from 'vitest';
import { checkDeviceKey, deriveDeviceKey, formatNamingRule, parseDeviceRef, parseNamingRule, randomString } from '../../shared/model/identifiers';

const counter = () => {
  let i = 0;
  return (n: number) => i++ % n;
};

describe('naming rules and identifiers', () => {
  it('derives deviceKeys from the serial, the MAC or random characters', () => {
    expect(deriveDeviceKey({ prefix: 'inv-', source: 'serial' }, { serial: 'SN123' }, counter())).toEqual({ ok: true, value: 'inv-SN123' });
    expect(deriveDeviceKey({ prefix: 'm', source: 'mac' }, { mac: 'aa:bb:cc:dd:ee:0f' }, counter())).toEqual({ ok: true, value: 'mAABBCCDDEE0F' });
    expect(deriveDeviceKey({ prefix: '', source: 'random' }, {}, counter())).toEqual({ ok: true, value: 'ABCDEFGHIJ' });
  });

  it('refuses a rule whose source is missing or gives an invalid key', () => {
    expect(deriveDeviceKey({ prefix: 'x', source: 'serial' }, {}, counter())).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(deriveDeviceKey({ prefix: 'x', source: 'serial' }, { serial: 'has space' }, counter())).toMatchObject({ ok: false, error: { code: 'INVALID_IDENTIFIER' } });
  });

  it('parses and formats rules', () => {
    expect(parseNamingRule('inv-+serial')).toEqual({ ok: true, value: { prefix: 'inv-', source: 'serial' } });
    expect(parseNamingRule('random')).toEqual({ ok: true, value: { prefix: '', source: 'random' } });
    expect(parseNamingRule('inv+imei')).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(formatNamingRule({ prefix: 'a', source: 'mac' })).toBe('a+mac');
  });

  it('checks deviceKeys and parses references', () => {
    expect(checkDeviceKey('dev_01-a').ok).toBe(true);
    expect(checkDeviceKey('x'.repeat(65)).ok).toBe(false);
    expect(checkDeviceKey('dév').ok).toBe(false);
    expect(parseDeviceRef('pk/dk')).toEqual({ productKey: 'pk', deviceKey: 'dk' });
    expect(parseDeviceRef('dk')).toEqual({ deviceKey: 'dk' });
    expect(randomString(20, counter())).toHaveLength(20);
  });
});
