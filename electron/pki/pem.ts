import { err, ok, type Result } from '../../shared/result';
import { x509 } from './x509';

/** One PEM block's label and DER, in file order. */
export interface PemBlock {
  label: string;
  der: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/=\s]*$/;

/** Every PEM block of a text; PKI_MALFORMED when there is none or a body is not base64. */
export function pemBlocks(text: string): Result<PemBlock[]> {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const body = match[2]!.replace(/^[A-Za-z-]+:.*$/gm, ''); // RFC 1421 headers of encrypted PEM
    if (!BASE64_BODY.test(body)) return err('PKI_MALFORMED', `The ${match[1]} block is not valid base64.`);
    blocks.push({ label: match[1]!, der: Buffer.from(body.replace(/\s+/g, ''), 'base64') });
  }
  return blocks.length ? ok(blocks) : err('PKI_MALFORMED', 'No PEM block found.');
}

/** PEM text of a DER file, or the text itself when it already is PEM (files may be either). */
export function pemOrDerToPem(data: Buffer, label: string): string {
  const text = data.toString('latin1');
  return text.includes('-----BEGIN ') ? text : toPem(data, label);
}

/** One PEM block ending in a newline, so blocks concatenate into a valid chain file. */
export function toPem(der: ArrayBuffer | Buffer, label: string): string {
  return `${x509.PemConverter.encode(der as ArrayBuffer, label)}\n`;
}

/** Parses DER with @peculiar/x509; its ASN.1 errors become PKI_MALFORMED. */
export function parseDer<T>(der: Buffer, parse: (der: Buffer) => T, what: string): Result<T> {
  try {
    return ok(parse(der));
  } catch {
    return err('PKI_MALFORMED', `The ${what} could not be parsed (bad DER).`);
  }
}
