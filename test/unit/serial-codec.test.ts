import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cobsDecode, cobsEncode } from '../../electron/serial/protocol/cobs';
import { COMMANDS } from '../../electron/serial/protocol/commands';
import { decodeFrame, encodeFrame, encodePacket, FrameSplitter, type Frame } from '../../electron/serial/protocol/frame';
import { bodyFromJson, bodyToJson, BodyError, decodeBody, encodeBody } from '../../electron/serial/protocol/tlv';

/** The fixtures of docs/commissioning-protocol.md §9: the spec, not the code, is the reference. */
function specFixtures(): Map<string, { json?: string; hex?: string }> {
  const text = readFileSync(resolve(__dirname, '../../docs/commissioning-protocol.md'), 'utf8');
  const fixtures = new Map<string, { json?: string; hex?: string }>();
  for (const match of text.matchAll(/```(json|hex) fixture=(\S+)\n([\s\S]*?)```/g)) {
    const [, kind, name, content] = match as unknown as [string, 'json' | 'hex', string, string];
    fixtures.set(name, { ...fixtures.get(name), [kind]: content.trim() });
  }
  return fixtures;
}

const fixtures = specFixtures();
const wire = (hex: string) => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const MAX = 4096;

describe('commissioning protocol fixtures (spec §9)', () => {
  it('has a request and an answer fixture for every command', () => {
    expect(fixtures.size).toBeGreaterThan(30);
    for (const command of Object.keys(COMMANDS)) {
      if (command === 'log.line') expect(fixtures.has('log.line.event')).toBe(true);
      else expect([command, fixtures.has(`${command}.request`) && fixtures.has(`${command}.response`)]).toEqual([command, true]);
    }
  });

  for (const [name, fixture] of fixtures) {
    it(`${name}: the wire bytes decode to the documented frame and encode back byte for byte`, () => {
      expect(fixture.json && fixture.hex).toBeTruthy();
      const documented = JSON.parse(fixture.json!) as Omit<Frame, 'body'> & { body: Record<string, unknown> };
      const bytes = wire(fixture.hex!);
      expect(bytes.at(-1)).toBe(0);
      const decoded = decodeFrame(bytes.subarray(0, -1), MAX);
      if (!decoded.ok) throw new Error(`${name}: ${decoded.fault} ${decoded.detail}`);
      expect({ ...decoded.frame, body: bodyToJson(decoded.frame.body) }).toEqual(documented);
      expect(encodeFrame({ ...documented, body: bodyFromJson(documented.body) }).toString('hex')).toBe(bytes.toString('hex'));
    });
  }
});

describe('CRC-32 and COBS (spec §2)', () => {
  it('uses the IEEE CRC-32 with check value 0xCBF43926', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('matches the worked example of §2', () => {
    const packet = encodePacket({ version: 1, type: 'request', seq: 1, command: 'hello', status: 'ok', body: { version: [1], maxFrame: 4096 } });
    expect(packet.toString('hex')).toBe('010101000100010100010202000010cb73cc32');
    expect(cobsEncode(packet).toString('hex')).toBe('04010101020103010104010202010610cb73cc32');
  });

  it('round-trips runs of 254 and 255 non-zero bytes and all-zero packets', () => {
    for (const packet of [Buffer.alloc(254, 7), Buffer.alloc(255, 9), Buffer.alloc(600, 3), Buffer.alloc(5, 0), Buffer.from([0, 1, 0, 2, 0])]) {
      const encoded = cobsEncode(packet);
      expect(encoded.includes(0)).toBe(false);
      expect(cobsDecode(encoded)?.toString('hex')).toBe(packet.toString('hex'));
    }
  });

  it('rejects blocks that are not COBS', () => {
    expect(cobsDecode(Buffer.from([0x05, 0x01]))).toBeNull();
    expect(cobsDecode(Buffer.from([0x03, 0x00, 0x01]))).toBeNull();
  });
});

describe('decoding bad input', () => {
  const good = encodeFrame({ version: 1, type: 'response', seq: 9, command: 'identify', status: 'ok', body: { model: 'X' } }).subarray(0, -1);

  it('drops a frame with a flipped bit as a CRC fault', () => {
    const packet = cobsDecode(good)!;
    packet[7]! ^= 0x01;
    expect(decodeFrame(cobsEncode(packet), MAX)).toMatchObject({ ok: false, fault: 'crc' });
  });

  it('names garbage, short, oversized, foreign-version and unknown-command blocks', () => {
    expect(decodeFrame(Buffer.from('hello world'), MAX)).toMatchObject({ ok: false, fault: 'cobs' });
    expect(decodeFrame(cobsEncode(Buffer.from([1, 2, 3])), MAX)).toMatchObject({ ok: false, fault: 'short' });
    expect(decodeFrame(good, 12)).toMatchObject({ ok: false, fault: 'oversized' });
    const v2 = encodePacket({ version: 2, type: 'response', seq: 4, command: 'hello', status: 'ok', body: {} });
    expect(decodeFrame(cobsEncode(v2), MAX)).toMatchObject({ ok: false, fault: 'version', version: 2, seq: 4 });
    const unknown = Buffer.from([1, 2, 1, 0, 0x7f, 0]);
    const withCrc = Buffer.concat([unknown, Buffer.alloc(4)]);
    withCrc.writeUInt32LE(crc32(unknown), unknown.length);
    expect(decodeFrame(cobsEncode(withCrc), MAX)).toMatchObject({ ok: false, fault: 'command' });
  });

  it('reports a truncated TLV field and a wrong integer width, and skips unknown tags', () => {
    expect(() => decodeBody(Buffer.from([0x04, 0x05, 0x00, 0x41]))).toThrow(BodyError);
    expect(() => decodeBody(Buffer.from([0x02, 0x01, 0x00, 0x41]))).toThrow(/expected 2/);
    expect(decodeBody(Buffer.concat([Buffer.from([0xee, 0x02, 0x00, 1, 2]), encodeBody({ serial: 'S1' })]))).toEqual({ serial: 'S1' });
  });

  it('discards an undelimited run longer than the limit and recovers at the next delimiter', () => {
    const blocks: Buffer[] = [];
    const overflows: number[] = [];
    const splitter = new FrameSplitter(64, (block) => blocks.push(block), (size) => overflows.push(size));
    splitter.push(Buffer.alloc(50, 1));
    splitter.push(Buffer.alloc(50, 1));
    splitter.push(Buffer.concat([Buffer.from([0]), good, Buffer.from([0])]));
    expect(overflows).toEqual([100]);
    expect(blocks).toHaveLength(1);
    expect(decodeFrame(blocks[0]!, MAX).ok).toBe(true);
  });
});
