import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoapEndpoint, type CoapEndpointOptions } from '../../electron/hub/coap/endpoint';
import { HttpEndpoint, type HttpEndpointOptions } from '../../electron/hub/http/endpoint';
import type { HubOptions } from '../../electron/hub/hub';
import { startHub, quietLogger } from './hub';

/** A hub (MQTT on port 0) with its HTTP, HTTPS and CoAP endpoints on port 0, a mutable clock and short timeouts. */
export async function startTransports(overrides: { hub?: Partial<HubOptions>; http?: Partial<HttpEndpointOptions>; coap?: Partial<CoapEndpointOptions> } = {}) {
  const time = { now: 1_700_000_000_000 };
  const clock = () => time.now;
  const started = await startHub({ clock, ...overrides.hub });
  const filesDir = mkdtempSync(join(tmpdir(), 'hub-files-'));
  const http = new HttpEndpoint({ hub: started.hub, logger: quietLogger(), clock, host: '127.0.0.1', httpPort: 0, httpsPort: 0, filesDir, timeouts: { headersMs: 300, requestMs: 2000, idleMs: 1000 }, ...overrides.http });
  const ports = await http.start();
  const coap = new CoapEndpoint({ hub: started.hub, logger: quietLogger(), clock, host: '127.0.0.1', port: 0, ...overrides.coap });
  const coapPort = await coap.start();
  return {
    ...started,
    time,
    filesDir,
    httpUrl: `http://127.0.0.1:${ports.http}`,
    httpsUrl: `https://127.0.0.1:${ports.https}`,
    coapUrl: `coap://127.0.0.1:${coapPort}`,
    coapPort,
    async stop() {
      await coap.stop();
      await http.stop();
      await started.hub.stop();
    },
  };
}

export interface ToolResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a real peer (curl, coap-client-notls) without blocking the hub in this process. */
export function run(command: string, args: string[], input?: Buffer | string): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(input ?? '');
  });
}

export interface CurlResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: Record<string, unknown>;
}

/** `curl -i`: status, lower-case headers and the JSON body. */
export async function curl(args: string[], input?: Buffer | string): Promise<CurlResponse> {
  const result = await run('curl', ['-sS', '-i', '--max-time', '10', '-H', 'Expect:', ...args], input);
  if (result.code !== 0) throw new Error(`curl failed (${result.code}): ${result.stderr}`);
  const text = result.stdout.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  const body = text.slice(split + 4);
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(body);
  } catch {
    // not JSON: left in `body`
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body, json };
}

/** A free UDP port on loopback: coap-client binds it with `-p` so its logins stay bound to one endpoint (§7). */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const port = socket.address().port;
      socket.close(() => resolve(port));
    });
  });
}

/** `coap-client-notls` (libcoap) from a fixed local port: stdout is the response payload. */
export function coapClient(localPort: number, args: string[]): Promise<ToolResult> {
  return run('coap-client-notls', ['-a', '127.0.0.1', '-p', String(localPort), '-B', '5', ...args]);
}

/** RFC 7252 §3 message, hand-made so tests can send what no client library would. */
export function coapDatagram(message: { type?: 0 | 1 | 2 | 3; code: number; mid: number; token?: Buffer; options?: Array<[number, Buffer]>; payload?: Buffer }): Buffer {
  const token = message.token ?? Buffer.alloc(0);
  const parts = [Buffer.from([0x40 | ((message.type ?? 0) << 4) | token.length, message.code, message.mid >> 8, message.mid & 0xff]), token];
  let last = 0;
  for (const [number, value] of [...(message.options ?? [])].sort((a, b) => a[0] - b[0])) {
    const nibble = (n: number) => (n < 13 ? [n, []] : n < 269 ? [13, [n - 13]] : [14, [(n - 269) >> 8, (n - 269) & 0xff]]) as [number, number[]];
    const [delta, deltaExt] = nibble(number - last);
    const [length, lengthExt] = nibble(value.length);
    parts.push(Buffer.from([(delta << 4) | length, ...deltaExt, ...lengthExt]), value);
    last = number;
  }
  if (message.payload?.length) parts.push(Buffer.from([0xff]), message.payload);
  return Buffer.concat(parts);
}

/** A decoded answer: type (0 CON, 1 NON, 2 ACK, 3 RST), message id, code as "c.dd", options by number, payload. */
export interface CoapAnswer {
  type: number;
  mid: number;
  code: string;
  options: Map<number, Buffer>;
  payload: Buffer;
}

/** Sends datagrams from one socket and resolves with the replies. */
export async function udpExchange(port: number, datagrams: Buffer[], socket = createSocket('udp4')): Promise<CoapAnswer[]> {
  const replies: CoapAnswer[] = [];
  for (const datagram of datagrams) {
    const reply = await new Promise<Buffer | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 2000);
      socket.once('message', (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      socket.send(datagram, port, '127.0.0.1');
    });
    if (reply) replies.push(decodeCoap(reply));
  }
  return replies;
}

function decodeCoap(message: Buffer): CoapAnswer {
  const code = `${message[1]! >> 5}.${String(message[1]! & 31).padStart(2, '0')}`;
  let at = 4 + (message[0]! & 15);
  let number = 0;
  const options = new Map<number, Buffer>();
  while (at < message.length && message[at] !== 0xff) {
    const extended = (nibble: number) => {
      if (nibble === 13) return message[at++]! + 13;
      if (nibble !== 14) return nibble;
      at += 2;
      return message.readUInt16BE(at - 2) + 269;
    };
    const head = message[at++]!;
    const delta = extended(head >> 4);
    const length = extended(head & 15);
    number += delta;
    options.set(number, message.subarray(at, at + length));
    at += length;
  }
  return { type: (message[0]! >> 4) & 3, mid: message.readUInt16BE(2), code, options, payload: at < message.length ? message.subarray(at + 1) : Buffer.alloc(0) };
}
