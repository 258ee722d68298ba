import { inflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';
import type { BirthRecord } from '../../shared/contract/provisioning';
import { drawQr, pdfBuffer } from './label';

export const EMBEDDED_RECORD_NAME = 'birth-record.json';

/**
 * The printable birth record: what the JSON says, laid out for a person, with the signed JSON
 * attached to the PDF (`birth-record.json`) so `report verify FILE.pdf` checks the same bytes.
 */
export function birthRecordPdf(record: BirthRecord): Promise<Buffer> {
  const { body, signature } = record;
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Birth record ${body.productKey}/${body.deviceKey}`, Creator: 'Commissioner', Subject: body.identityUri } });
  doc.file(Buffer.from(JSON.stringify(record, null, 2)), { name: EMBEDDED_RECORD_NAME, type: 'application/json', description: 'The signed birth record' });
  doc.font('Helvetica-Bold').fontSize(18).text('Device birth record');
  doc.moveDown(0.5);
  drawQr(doc, body.identityUri, 430, 40, 110);
  const rows: [string, string][] = [
    ['Product', body.productKey],
    ['Device', body.deviceKey],
    ['Serial', body.serial ?? '-'],
    ['MAC', body.mac ?? '-'],
    ['Model', body.model ?? '-'],
    ['Firmware', body.firmware ?? '-'],
    ['Credential scheme', body.scheme],
    ['Credential fingerprint', body.credentialFingerprint ?? '-'],
    ['Provisioned at', new Date(body.provisionedAt).toISOString()],
    ['Station', body.stationId],
    ['Operator', body.operator || '-'],
    ['Run / ledger entry', `${body.runId} / ${body.ledgerSeq}`],
  ];
  doc.font('Helvetica').fontSize(10);
  for (const [name, value] of rows) doc.text(`${name}: ${value}`, { width: 370 });
  doc.moveDown();
  doc.font('Helvetica-Bold').fontSize(12).text('Verification');
  doc.font('Helvetica').fontSize(9);
  for (const check of body.checks) {
    doc.text(`${check.protocol.toUpperCase()} ${check.check}: ${check.result.toUpperCase()}${check.latencyMs !== null ? ` (${check.latencyMs} ms)` : ''} - ${check.explanation}`);
  }
  doc.moveDown();
  doc.font('Helvetica-Bold').fontSize(12).text('Signature');
  doc.font('Courier').fontSize(7).text(`${signature.algorithm}, station key ${signature.keyId}`);
  doc.text(`ledger hash ${body.ledgerHash}`);
  doc.text(signature.value);
  return pdfBuffer(doc);
}

/** The signed JSON attached to a birth-record PDF, or null when the file has none. */
export function embeddedRecord(pdf: Buffer): string | null {
  const text = pdf.toString('latin1');
  const at = text.indexOf('/Type /EmbeddedFile');
  if (at < 0) return null;
  const dictionaryEnd = text.indexOf('stream', at);
  if (dictionaryEnd < 0) return null;
  const start = dictionaryEnd + 'stream'.length + (text[dictionaryEnd + 6] === '\r' ? 2 : 1);
  const end = text.indexOf('endstream', start);
  if (end < 0) return null;
  // The stream data ends with the end-of-line before `endstream`.
  const bytes = pdf.subarray(start, end - (text[end - 2] === '\r' ? 2 : text[end - 1] === '\n' ? 1 : 0));
  const compressed = text.slice(text.lastIndexOf('<<', dictionaryEnd), dictionaryEnd).includes('/FlateDecode');
  try {
    return (compressed ? inflateSync(bytes) : bytes).toString('utf8');
  } catch {
    return null;
  }
}
