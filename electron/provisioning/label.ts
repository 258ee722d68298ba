import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { DeviceIdentityUri } from '../../shared/model/identity-uri';
import { formatIdentityUri } from '../../shared/model/identity-uri';

/** A 2 × 1 inch label at 72 pt per inch (PDF) and 203 dpi (ZPL, the common thermal printer). */
const LABEL_PT = { width: 144, height: 72 };
const LABEL_DOTS = { width: 406, height: 203 };

/** Field data with ^FH_: ZPL's own control characters (^, ~) and the escape character are sent as _XX hex. */
const zplText = (text: string) => text.replace(/[\^~_]/g, (char) => `_${char.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The device label (issue 9 "Labels") as ZPL II: a QR code of the identity URI (^BQ model 2,
 * error correction M) and the keys in clear text. The payload is the identity, never a secret.
 */
export function labelZpl(identity: DeviceIdentityUri): string {
  const uri = formatIdentityUri(identity);
  return [
    '^XA',
    `^PW${LABEL_DOTS.width}`,
    `^LL${LABEL_DOTS.height}`,
    '^CI28',
    // The URI is percent-encoded (no ^ or ~), so the QR data goes as it is.
    `^FO10,10^BQN,2,4^FDMA,${uri}^FS`,
    `^FO200,30^A0N,24,24^FH_^FD${zplText(identity.deviceKey)}^FS`,
    `^FO200,64^A0N,18,18^FH_^FD${zplText(identity.productKey)}^FS`,
    ...(identity.serial ? [`^FO200,92^A0N,18,18^FH_^FDS/N ${zplText(identity.serial)}^FS`] : []),
    ...(identity.mac ? [`^FO200,118^A0N,18,18^FH_^FD${zplText(identity.mac)}^FS`] : []),
    '^XZ',
    '',
  ].join('\n');
}

/** Draws a QR code as vector squares: sharp at any print resolution. */
export function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const count = qr.modules.size;
  const quiet = 2;
  const cell = size / (count + quiet * 2);
  for (let row = 0; row < count; row++) {
    for (let column = 0; column < count; column++) {
      if (qr.modules.get(row, column)) doc.rect(x + (column + quiet) * cell, y + (row + quiet) * cell, cell, cell);
    }
  }
  doc.fill('black');
}

export function pdfBuffer(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.end();
  });
}

/** The same label as a one-page PDF (for an office printer or the OS print queue). */
export function labelPdf(identity: DeviceIdentityUri): Promise<Buffer> {
  const doc = new PDFDocument({ size: [LABEL_PT.width, LABEL_PT.height], margin: 0, info: { Title: `Label ${identity.productKey}/${identity.deviceKey}`, Creator: 'Commissioner' } });
  drawQr(doc, formatIdentityUri(identity), 0, 0, LABEL_PT.height);
  doc.font('Helvetica-Bold').fontSize(8).text(identity.deviceKey, 74, 10, { width: 68 });
  doc.font('Helvetica').fontSize(6).text(identity.productKey, 74, 28, { width: 68 });
  if (identity.serial) doc.text(`S/N ${identity.serial}`, 74, 38, { width: 68 });
  if (identity.mac) doc.text(identity.mac, 74, 48, { width: 68 });
  return pdfBuffer(doc);
}
