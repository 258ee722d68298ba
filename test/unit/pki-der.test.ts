import { describe, expect, it } from 'vitest';
import { checkCsr, checkSubject } from '../../electron/pki/csr';
import { children, DerError, oidContent, readRoot, readTlv, sequence, TAG, time } from '../../electron/pki/der';
import { normalizeSerial, randomSerial } from '../../electron/pki/serial';

const fields = (values: Record<string, string[]>) => ({ getField: (name: string) => values[name] ?? [] });
const complete = { C: ['DE'], ST: ['Bavaria'], L: ['Munich'], O: ['Acme'], OU: ['Meters'] };

describe('DER reader and writer', () => {
  it('encodes times as RFC 5280 §4.1.2.5 wants: UTCTime through 2049, GeneralizedTime from 2050', () => {
    expect(time(Date.UTC(2049, 11, 31, 23, 59, 59, 999))).toEqual(Buffer.concat([Buffer.from([TAG.utcTime, 13]), Buffer.from('491231235959Z')]));
    expect(time(Date.UTC(2050, 0, 1))).toEqual(Buffer.concat([Buffer.from([TAG.generalizedTime, 15]), Buffer.from('20500101000000Z')]));
  });

  it('encodes OIDs and long lengths', () => {
    expect(oidContent('1.2.840.113549.1.1.11').toString('hex')).toBe('2a864886f70d01010b');
    expect(oidContent('2.5.29.37').toString('hex')).toBe('551d25');
    const long = sequence(Buffer.alloc(300));
    expect(long.subarray(0, 4).toString('hex')).toBe('3082012c');
    expect(readRoot(long, TAG.sequence)).toEqual({ tag: TAG.sequence, start: 0, contentStart: 4, end: 304 });
  });

  it('refuses truncated data, indefinite lengths and trailing bytes', () => {
    expect(() => readTlv(Buffer.from([0x30, 0x05, 0x01]), 0)).toThrow(DerError);
    expect(() => readTlv(Buffer.from([0x30, 0x80, 0x00, 0x00]), 0)).toThrow(DerError);
    expect(() => readRoot(Buffer.from([0x30, 0x00, 0x00]), TAG.sequence)).toThrow(DerError);
    expect(() => children(Buffer.from([0x30, 0x03, 0x02, 0x05, 0x00]), readTlv(Buffer.from([0x30, 0x03, 0x02, 0x05, 0x00]), 0))).toThrow(DerError);
  });
});

describe('CSR subject and encoding checks (protocol reference §4)', () => {
  it('accepts CN = deviceKey with C, ST, L, O, OU', () => {
    expect(checkSubject(fields({ ...complete, CN: ['dev-1'] }), 'dev-1')).toEqual({ ok: true, value: undefined });
  });

  it.each([
    ['two CNs', { ...complete, CN: ['dev-1', 'dev-1'] }],
    ['no CN', complete],
    ['a CN of another case', { ...complete, CN: ['DEV-1'] }],
    ['an empty OU', { ...complete, OU: [' '], CN: ['dev-1'] }],
    ['a lower-case country', { ...complete, C: ['de'], CN: ['dev-1'] }],
    ['a three-letter country', { ...complete, C: ['DEU'], CN: ['dev-1'] }],
  ])('refuses %s', (_case, subject) => {
    expect(checkSubject(fields(subject), 'dev-1')).toMatchObject({ ok: false, error: { code: 'CSR_SUBJECT_INVALID' } });
  });

  it.each([
    ['no PEM at all', 'hello'],
    ['another PEM type', '-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n'],
    ['an empty SEQUENCE', '-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n'],
    ['trailing bytes', '-----BEGIN CERTIFICATE REQUEST-----\nMAAA\n-----END CERTIFICATE REQUEST-----\n'],
  ])('answers PKI_MALFORMED for %s', (_case, pem) => {
    expect(checkCsr(pem, 'dev-1')).toMatchObject({ ok: false, error: { code: 'PKI_MALFORMED' } });
  });
});

describe('serials', () => {
  it('are 16 random bytes, positive, without a leading zero, and unique', () => {
    const serials = new Set(Array.from({ length: 2000 }, () => randomSerial()));
    expect(serials.size).toBe(2000);
    for (const serial of serials) expect(serial).toMatch(/^[4-7][0-9a-f]{31}$/);
  });

  it('accept the forms users type', () => {
    expect(normalizeSerial('4A:0B cd')).toBe('4a0bcd');
  });
});
