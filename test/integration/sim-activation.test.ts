import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRequest, topicFor } from '../../electron/protocol';
import { DeviceSession } from '../../electron/sim/application';
import { emptyFlash, type Flash } from '../../electron/sim/flash';
import { demoModel } from '../helpers/hub';

const PK = 'pKdyn001';
const DK = 'dyn-001';
const ISSUED = 'DsIssuedSecret01';

/** MQTT 3.1.1 remaining length (variable-length integer). */
function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}

function packet(header: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([header]), remainingLength(body.length), body]);
}

function publishQos1(topic: string, id: number, payload: string): Buffer {
  const name = Buffer.from(topic);
  return packet(0x32, Buffer.concat([Buffer.from([name.length >> 8, name.length & 0xff]), name, Buffer.from([id >> 8, id & 0xff]), Buffer.from(payload)]));
}

/** Splits a byte stream into MQTT control packets: [type nibble, body]. */
function packets(socket: Socket, onPacket: (type: number, body: Buffer) => void): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      let length = 0;
      let multiplier = 1;
      let offset = 1;
      while (offset < pending.length) {
        const byte = pending[offset++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) break;
      }
      if (pending.length < 2 || pending.length < offset + length) return;
      onPacket(pending[0]! >> 4, pending.subarray(offset, offset + length));
      pending = pending.subarray(offset + length);
    }
  });
}

/**
 * A broker on loopback that pushes thing.activate.info in the very same TCP write as the CONNACK
 * of a mode-3 login (protocol reference §3.7: "right after CONNACK"), and accepts anything else.
 */
function eagerActivationBroker(): Promise<{ server: Server; port: number; logins: string[] }> {
  const logins: string[] = [];
  const server = createServer((socket) => {
    packets(socket, (type, body) => {
      if (type === 1) {
        const clientIdLength = body.readUInt16BE(10);
        const clientId = body.subarray(12, 12 + clientIdLength).toString();
        logins.push(clientId);
        const connack = packet(0x20, Buffer.from([0, 0]));
        const info = publishQos1(topicFor('activate.info', PK, DK), 1, buildRequest('1', 'thing.activate.info', { productKey: PK, deviceKey: DK, deviceSecret: ISSUED }));
        socket.write(clientId.includes('securemode=3') ? Buffer.concat([connack, info]) : connack);
      } else if (type === 3 && (body[0]! << 8) + body[1]! > 0) {
        const topicLength = body.readUInt16BE(0);
        socket.write(packet(0x40, body.subarray(2 + topicLength, 4 + topicLength))); // PUBACK
      } else if (type === 8) socket.write(packet(0x90, Buffer.concat([body.subarray(0, 2), Buffer.from([1])]))); // SUBACK
      else if (type === 12) socket.write(packet(0xd0, Buffer.alloc(0))); // PINGRESP
      else if (type === 14) socket.end();
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, logins })));
}

let stopAll: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  await Promise.all(stopAll.map((stop) => stop()));
  stopAll = [];
});

describe('the sim application activates dynamically (protocol reference §3.7)', () => {
  it('keeps the deviceSecret pushed in the same read as the CONNACK, then logs in with it in mode 2', async () => {
    const broker = await eagerActivationBroker();
    stopAll.push(() => new Promise((resolve) => broker.server.close(resolve)));
    const flash: Flash = { ...emptyFlash(), config: { productKey: PK, deviceKey: DK, endpoints: [] }, secrets: { productSecret: 'PsDemoSecret0001' }, state: 'committed' };
    let saved = 0;
    const session = new DeviceSession(flash, { protocol: 'mqtt', host: '127.0.0.1', port: broker.port, tls: false }, { model: demoModel, firmware: '1.4.2', postIntervalMs: 1000, log: () => undefined, save: () => saved++ });
    stopAll.push(() => session.stop());
    const login = await session.connect();
    expect(login).toMatchObject({ latencyMs: expect.any(Number) });
    expect(flash.secrets.deviceSecret).toBe(ISSUED);
    expect(flash.activated).toBe(true);
    expect(saved).toBe(1);
    expect(broker.logins.map((clientId) => /securemode=(\d)/.exec(clientId)?.[1])).toEqual(['3', '2']);
  });
});
