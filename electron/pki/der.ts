/**
 * A minimal DER reader and writer (X.690) for the hot issuance path: parsing a CSR and building a
 * device certificate with @peculiar/x509's object model costs milliseconds; slicing and
 * concatenating bytes costs microseconds. Everything else uses @peculiar/x509.
 */

export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the content. */
  end: number;
}

export class DerError extends Error {}

/** Reads the element at `offset`; throws DerError when it runs past `limit` or uses an indefinite length. */
export function readTlv(der: Buffer, offset: number, limit = der.length): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated');
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || contentStart + bytes > limit) throw new DerError('bad length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[contentStart + i]!;
    contentStart += bytes;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError('truncated');
  return { tag, start: offset, contentStart, end };
}

/** The elements inside a constructed element. */
export function children(der: Buffer, parent: Tlv): Tlv[] {
  const items: Tlv[] = [];
  for (let offset = parent.contentStart; offset < parent.end; ) {
    const item = readTlv(der, offset, parent.end);
    items.push(item);
    offset = item.end;
  }
  return items;
}

export function bytesOf(der: Buffer, tlv: Tlv): Buffer {
  return der.subarray(tlv.start, tlv.end);
}

export function contentOf(der: Buffer, tlv: Tlv): Buffer {
  return der.subarray(tlv.contentStart, tlv.end);
}

/** Reads a whole DER value and checks nothing trails it. */
export function readRoot(der: Buffer, tag: number): Tlv {
  const root = readTlv(der, 0);
  if (root.tag !== tag || root.end !== der.length) throw new DerError('unexpected structure');
  return root;
}

/** Tag, definite length (X.690 §8.1.3) and content, written into one allocation: issuance encodes about forty per certificate. */
export function encode(tag: number, ...content: Buffer[]): Buffer {
  let length = 0;
  for (const part of content) length += part.length;
  let lengthOctets = 0;
  if (length >= 0x80) for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthOctets++;
  const out = Buffer.allocUnsafe(2 + lengthOctets + length);
  out[0] = tag;
  if (lengthOctets === 0) out[1] = length;
  else {
    out[1] = 0x80 | lengthOctets;
    out.writeUIntBE(length, 2, lengthOctets);
  }
  let offset = 2 + lengthOctets;
  for (const part of content) offset += part.copy(out, offset);
  return out;
}

export const TAG = { integer: 0x02, bitString: 0x03, octetString: 0x04, oid: 0x06, utf8: 0x0c, sequence: 0x30, set: 0x31, utcTime: 0x17, generalizedTime: 0x18 } as const;

export const sequence = (...content: Buffer[]) => encode(TAG.sequence, ...content);
export const octetString = (content: Buffer) => encode(TAG.octetString, content);
export const bitString = (content: Buffer) => encode(TAG.bitString, Buffer.from([0]), content);
/** A positive INTEGER from hex whose first byte is below 0x80 (our serials are). */
export const integerHex = (hex: string) => encode(TAG.integer, Buffer.from(hex, 'hex'));
export const explicit = (number: number, content: Buffer) => encode(0xa0 | number, content);

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function time(ms: number): Buffer {
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  const digits = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
  return Number(iso.slice(0, 4)) < 2050 ? encode(TAG.utcTime, Buffer.from(`${digits.slice(2)}Z`, 'latin1')) : encode(TAG.generalizedTime, Buffer.from(`${digits}Z`, 'latin1'));
}

/** Content bytes of an OID (X.690 §8.19), for comparing with what a parser read. */
export function oidContent(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first! * 40 + second!];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) groups.unshift(0x80 | (value & 0x7f));
    bytes.push(...groups);
  }
  return Buffer.from(bytes);
}

export const oid = (dotted: string) => encode(TAG.oid, oidContent(dotted));
