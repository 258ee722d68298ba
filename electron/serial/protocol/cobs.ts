/**
 * Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): removes every 0x00 from a packet
 * so that 0x00 can delimit frames on the wire (commissioning protocol §2). Overhead is at most
 * one byte per 254, plus one.
 */
export function cobsEncode(packet: Uint8Array): Buffer {
  const out = Buffer.alloc(packet.length + Math.ceil(packet.length / 254) + 1);
  let codeIndex = 0;
  let write = 1;
  let code = 1;
  for (const byte of packet) {
    if (byte === 0) {
      out[codeIndex] = code;
      codeIndex = write++;
      code = 1;
      continue;
    }
    out[write++] = byte;
    code++;
    if (code === 0xff) {
      out[codeIndex] = code;
      codeIndex = write++;
      code = 1;
    }
  }
  out[codeIndex] = code;
  return out.subarray(0, write);
}

/** Decodes one COBS block (without its 0x00 delimiter); null when the block is not valid COBS. */
export function cobsDecode(block: Uint8Array): Buffer | null {
  const out = Buffer.alloc(block.length);
  let read = 0;
  let write = 0;
  while (read < block.length) {
    const code = block[read]!;
    if (code === 0 || read + code > block.length) return null;
    read++;
    for (let index = 1; index < code; index++) {
      const byte = block[read++]!;
      if (byte === 0) return null;
      out[write++] = byte;
    }
    if (code !== 0xff && read < block.length) out[write++] = 0;
  }
  return out.subarray(0, write);
}
