import { crc32 } from 'node:zlib';
import { cobsDecode, cobsEncode } from './cobs';
import { COMMAND_NAMES, COMMANDS, FRAME_TYPES, PROTOCOL_VERSION, STATUS_NAMES, STATUSES, type CommandName, type FrameType, type StatusName } from './commands';
import { BodyError, decodeBody, encodeBody, type Body } from './tlv';

/**
 * One packet of the commissioning protocol (§2): `version u8 | type u8 | seq u16 LE | command u8 |
 * status u8 | body | crc32 u32 LE`, the CRC-32 (IEEE 802.3, as zlib) over everything before it;
 * on the wire the packet is COBS-encoded and followed by one 0x00.
 */
export interface Frame {
  version: number;
  type: FrameType;
  seq: number;
  command: CommandName;
  status: StatusName;
  body: Body;
}

export const HEADER_SIZE = 6;
export const CRC_SIZE = 4;

export function encodePacket(frame: Frame): Buffer {
  const body = encodeBody(frame.body);
  const packet = Buffer.alloc(HEADER_SIZE + body.length + CRC_SIZE);
  packet[0] = frame.version;
  packet[1] = FRAME_TYPES[frame.type];
  packet.writeUInt16LE(frame.seq, 2);
  packet[4] = COMMANDS[frame.command];
  packet[5] = STATUSES[frame.status];
  body.copy(packet, HEADER_SIZE);
  packet.writeUInt32LE(crc32(packet.subarray(0, packet.length - CRC_SIZE)), packet.length - CRC_SIZE);
  return packet;
}

/** The bytes to write to the port: COBS(packet) and the 0x00 delimiter. */
export function encodeFrame(frame: Frame): Buffer {
  return Buffer.concat([cobsEncode(encodePacket(frame)), Buffer.from([0])]);
}

export function frameSize(frame: Frame): number {
  return HEADER_SIZE + encodeBody(frame.body).length + CRC_SIZE;
}

/** Why a received block is not a frame; the receiver drops it and counts the reason (§7). */
export type FrameFault = 'cobs' | 'short' | 'crc' | 'version' | 'oversized' | 'type' | 'command' | 'body';

export type Decoded = { ok: true; frame: Frame } | { ok: false; fault: FrameFault; detail: string; seq?: number; version?: number };

/** Decodes one delimited block (without the 0x00); `maxFrame` bounds the packet size. */
export function decodeFrame(block: Uint8Array, maxFrame: number): Decoded {
  if (block.length > maxFrame + Math.ceil(maxFrame / 254) + 1) return { ok: false, fault: 'oversized', detail: `${block.length} bytes on the wire, the limit is ${maxFrame}` };
  const packet = cobsDecode(block);
  if (!packet) return { ok: false, fault: 'cobs', detail: 'not valid COBS' };
  if (packet.length < HEADER_SIZE + CRC_SIZE) return { ok: false, fault: 'short', detail: `${packet.length} bytes, shorter than a header and CRC` };
  if (packet.length > maxFrame) return { ok: false, fault: 'oversized', detail: `${packet.length} bytes, the limit is ${maxFrame}` };
  const expected = packet.readUInt32LE(packet.length - CRC_SIZE);
  const actual = crc32(packet.subarray(0, packet.length - CRC_SIZE));
  if (expected !== actual) return { ok: false, fault: 'crc', detail: `CRC ${expected.toString(16).padStart(8, '0')} does not match ${actual.toString(16).padStart(8, '0')}` };
  const seq = packet.readUInt16LE(2);
  if (packet[0] !== PROTOCOL_VERSION) return { ok: false, fault: 'version', detail: `protocol version ${packet[0]}`, seq, version: packet[0] };
  const type = (Object.keys(FRAME_TYPES) as FrameType[]).find((name) => FRAME_TYPES[name] === packet[1]);
  if (!type) return { ok: false, fault: 'type', detail: `frame type ${packet[1]}`, seq };
  const command = COMMAND_NAMES.get(packet[4]!);
  if (!command) return { ok: false, fault: 'command', detail: `command 0x${packet[4]!.toString(16)}`, seq };
  const status = STATUS_NAMES.get(packet[5]!) ?? 'failed';
  try {
    const body = decodeBody(packet.subarray(HEADER_SIZE, packet.length - CRC_SIZE));
    return { ok: true, frame: { version: packet[0]!, type, seq, command, status, body } };
  } catch (error) {
    if (error instanceof BodyError) return { ok: false, fault: 'body', detail: error.message, seq };
    throw error;
  }
}

/**
 * Splits a byte stream at 0x00 delimiters. Bytes beyond `maxBlock` without a delimiter are
 * discarded up to the next delimiter and reported once as an oversized block.
 */
export class FrameSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overflow = false;

  constructor(
    private readonly maxBlock: number,
    private readonly onBlock: (block: Buffer) => void,
    private readonly onOverflow: (bytes: number) => void,
  ) {}

  /** Bytes received since the last delimiter (line noise never ends in one). */
  get pending(): number {
    return this.size;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (let zero = chunk.indexOf(0, start); zero !== -1; zero = chunk.indexOf(0, start)) {
      this.append(chunk.subarray(start, zero));
      this.flush();
      start = zero + 1;
    }
    this.append(chunk.subarray(start));
  }

  private append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.size += bytes.length;
    if (this.overflow) return;
    if (this.size > this.maxBlock) {
      this.overflow = true;
      this.parts = [];
      return;
    }
    this.parts.push(bytes);
  }

  private flush(): void {
    if (this.overflow) this.onOverflow(this.size);
    else if (this.size > 0) this.onBlock(Buffer.concat(this.parts, this.size));
    this.parts = [];
    this.size = 0;
    this.overflow = false;
  }
}
