import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coapAuthSign, httpAuthSign } from '../../electron/protocol';
import { initDataDir, readPortsFile, runCli, startCli, tempDir, type CliProcess } from '../helpers/cli';
import { coapClient, curl, freeUdpPort } from '../helpers/hub-transports';

const MODEL = join(__dirname, '../../bench/bench-model.json');
let dataDir: string;
let hub: CliProcess;
let ports: Record<string, number | string>;
let pk: string;
let secret: string;

function created<T>(args: string[]): T {
  const run = runCli(['--data', dataDir, '--json', ...args]);
  if (run.status !== 0) throw new Error(run.stderr);
  return run.json<{ value: T }>().value;
}

beforeAll(async () => {
  dataDir = initDataDir();
  pk = created<{ product: { productKey: string } }>(['product', 'create', '--name', 'meters', '--auth', 'device-secret', '--model', MODEL]).product.productKey;
  secret = created<{ deviceSecret: string }>(['device', 'create', '--product', pk, '--device-key', 'nb-001']).deviceSecret;
  const portsFile = join(tempDir(), 'ports.json');
  hub = startCli(['--data', dataDir, 'hub', '--port', '0', '--mqtt-port', '0', '--mqtts-port', 'off', '--wss-port', 'off', '--http-port', '0', '--https-port', '0', '--coap-port', '0', '--ports-file', portsFile]);
  ports = await readPortsFile(portsFile);
});

afterAll(async () => {
  expect(await hub?.stop()).toBe(0);
});

describe('commissioner hub --http-port --https-port --coap-port', () => {
  it('writes the endpoints to run.json and serves a registry device over HTTP and CoAP', async () => {
    expect(ports).toMatchObject({ http: expect.any(Number), https: expect.any(Number), coap: expect.any(Number) });
    expect(ports.mqtts).toBeUndefined();
    expect(JSON.parse(readFileSync(join(dataDir, 'run.json'), 'utf8'))).toMatchObject({ http: ports.http, https: ports.https, coap: ports.coap });

    const sign = httpAuthSign({ productKey: pk, deviceKey: 'nb-001', lifetime: 300000, signMethod: 'sha256', deviceSecret: secret });
    const auth = await curl(['-H', 'Content-Type: application/json', '--data-binary', JSON.stringify({ signMethod: 'sha256', lifetime: 300000, sign }), `http://127.0.0.1:${ports.http}/auth/${pk}/nb-001`]);
    const sessionId = (auth.json.data as { sessionId: string }).sessionId;
    const body = JSON.stringify({ id: '1', version: '1.0', method: 'thing.measurepoint.post', params: { measurepoints: {}, time: 1700000000000 } });
    const reply = await curl(['-H', 'Content-Type: application/json', '--data-binary', body, `http://127.0.0.1:${ports.http}/topic/sys/${pk}/nb-001/thing/measurepoint/post?sessionId=${sessionId}`]);
    expect(reply.json).toMatchObject({ id: '1', code: 200 });

    const local = await freeUdpPort();
    const coapSign = coapAuthSign({ productKey: pk, deviceKey: 'nb-001', lifetime: 600, secureMode: 2, secret });
    expect((await coapClient(local, ['-m', 'post', '-e', JSON.stringify({ secureMode: 2, lifetime: 600, sign: coapSign }), `coap://127.0.0.1:${ports.coap}/auth/${pk}/nb-001`])).code).toBe(0);

    const sessions = runCli(['--data', dataDir, '--json', 'stats']);
    expect(sessions.status).toBe(0);
    const stats = sessions.json<{ value: { protocols: Record<string, { connects: number }> } }>().value;
    expect(stats.protocols).toMatchObject({ http: { connects: 1 }, coap: { connects: 1 } });
  });

  it('refuses a malformed port flag', () => {
    const run = runCli(['--data', tempDir(), 'hub', '--coap-port', 'many']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/"many" is not a port number/);
  });
});
