import { describe, expect, it } from 'vitest';
import { apimSignature, paramsData, tokenEncryption } from '../../electron/sync/targets/enos/signing';

// Protocol reference §12, vectors A1, R1, R2.
const token = 'demoAccessToken0001';
const secret = 'demo-app-secret-0001';
const ts = 1700000000000;

describe('EnOS apim signing', () => {
  it('computes the token encryption of A1', () => {
    expect(tokenEncryption('demo-app-key-0001', ts, secret)).toBe('9c448f38927ddb9ccec968412a4b49ee2efdbbb13d332a6df9a5053ea1f02f41');
  });

  it('signs the POST of R1 with the body after the sorted parameters', () => {
    const url = new URL('https://apim.example/connect-service/v2.1/devices?action=create&orgId=o15000000000001');
    const body = '{"productKey":"pKdemo01","timezone":"+08:00","deviceName":{"defaultValue":"dev 1"}}';
    expect(paramsData(url.searchParams, body)).toBe(`actioncreateorgIdo15000000000001${body}`);
    expect(apimSignature(token, url.searchParams, body, ts, secret)).toBe('50c960e1cbc23c0cf48598ebc8df4130ff95eceea2f756c254b95147404df594');
  });

  it('signs the GET of R2 with parameters sorted by name whatever their order in the URL', () => {
    const url = new URL('https://apim.example/connect-service/v2.1/devices?orgId=o15000000000001&action=get&productKey=pKdemo01&deviceKey=dev-001');
    expect(apimSignature(token, url.searchParams, undefined, ts, secret)).toBe('1940ef912422594774cda04aa8f6f7c9efa51d32086ef622ea134b8e867cbe9e');
  });

  it('gives a different signature when one parameter changes', () => {
    const url = new URL('https://apim.example/x?orgId=o15000000000001&action=get&productKey=pKdemo01&deviceKey=dev-002');
    expect(apimSignature(token, url.searchParams, undefined, ts, secret)).not.toBe('1940ef912422594774cda04aa8f6f7c9efa51d32086ef622ea134b8e867cbe9e');
  });
});
