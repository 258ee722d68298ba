import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../shared/contract/provisioning';
import { formatIdentityUri, parseIdentityUri } from '../../shared/model/identity-uri';
import { canonicalJson } from '../../electron/provisioning/canonical-json';
import { endpointFromUrl } from '../../electron/provisioning/destination';
import { labelZpl } from '../../electron/provisioning/label';
import { exportLedger } from '../../electron/provisioning/ledger';

describe('identity URI (labels, birth records, scan-to-place)', () => {
  it('round-trips keys, serial and MAC, percent-encoding what needs it', () => {
    const identity = { productKey: 'Pk7fE2aQ', deviceKey: 'METER-1', serial: 'SN 1/2&x', mac: '02:0b:c4:31:24:1c' };
    const uri = formatIdentityUri(identity);
    expect(uri).toBe('enos-device:Pk7fE2aQ/METER-1?serial=SN%201%2F2%26x&mac=02%3A0b%3Ac4%3A31%3A24%3A1c');
    expect(parseIdentityUri(uri)).toEqual(identity);
    expect(parseIdentityUri('enos-device:Pk7fE2aQ/METER-1')).toEqual({ productKey: 'Pk7fE2aQ', deviceKey: 'METER-1', serial: null, mac: null });
  });

  it('refuses what is not an identity URI', () => {
    for (const text of ['', 'https://example.com', 'enos-device:Pk7fE2aQ', 'enos-device:Pk 7/METER-1', 'enos-device:Pk/ME/TER', 'enos-device:Pk/M?serial=%E0%A4%A']) expect(parseIdentityUri(text)).toBeNull();
  });
});

describe('ledger export', () => {
  const entry: LedgerEntry = {
    seq: 1,
    at: 1700000000000,
    stationId: 'station',
    operator: '=HYPERLINK("http://x")',
    runId: 3,
    outcome: 'provisioned',
    productKey: 'Pk7fE2aQ',
    deviceKey: 'METER-1',
    serial: 'SN,1',
    mac: null,
    firmware: '1.4.2',
    scheme: 'device-secret',
    credentialFingerprint: 'ab',
    steps: [],
    checks: [{ protocol: 'mqtt', check: 'login', result: 'passed', latencyMs: 5, explanation: 'ok' }],
    prevHash: '00',
    hash: 'ff',
  };

  it('writes CSV that a spreadsheet cannot run as a formula, quoting commas', () => {
    const [header, row] = exportLedger([entry], 'csv').trim().split('\n');
    expect(header).toBe('seq,at,stationId,operator,runId,outcome,productKey,deviceKey,serial,mac,firmware,scheme,credentialFingerprint,checks,prevHash,hash');
    expect(row).toBe(`1,1700000000000,station,"'=HYPERLINK(""http://x"")",3,provisioned,Pk7fE2aQ,METER-1,"SN,1",,1.4.2,device-secret,ab,mqtt:login=passed,00,ff`);
  });

  it('writes JSON with every field', () => {
    expect(JSON.parse(exportLedger([entry], 'json'))).toEqual([entry]);
  });
});

describe('canonical JSON (what the ledger hashes and the station key signs)', () => {
  it('is the same for the same value whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [2, { e: 0, f: 1 }] }, b: 1 }));
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });
});

describe('destination endpoints', () => {
  it('reads the device endpoints a sync target names', () => {
    expect(endpointFromUrl('mqtt://10.1.2.3:11883')).toEqual({ protocol: 'mqtt', host: '10.1.2.3', port: 11883, tls: false });
    expect(endpointFromUrl('mqtts://broker.example')).toEqual({ protocol: 'mqtt', host: 'broker.example', port: 18883, tls: true });
    expect(endpointFromUrl('coap://[::1]:5683')).toEqual({ protocol: 'coap', host: '::1', port: 5683, tls: false });
    for (const bad of ['ftp://x', 'not a url', 'mqtt://']) expect(endpointFromUrl(bad)).toBeNull();
  });
});

describe('ZPL label', () => {
  it('carries the identity URI in a QR code and no ZPL control characters from the data', () => {
    const zpl = labelZpl({ productKey: 'Pk7fE2aQ', deviceKey: 'METER-1', serial: 'SN^XZ~1', mac: null });
    expect(zpl.startsWith('^XA')).toBe(true);
    expect(zpl.trimEnd().endsWith('^XZ')).toBe(true);
    expect(zpl.match(/\^XZ/g)).toHaveLength(1);
    expect(zpl).toContain('^BQN,2,4^FDMA,enos-device:Pk7fE2aQ/METER-1?serial=SN%5EXZ%7E1^FS');
    expect(zpl).toContain('^FH_^FDS/N SN_5EXZ_7E1^FS');
    expect(zpl).toContain('^FH_^FDMETER-1^FS');
  });
});
