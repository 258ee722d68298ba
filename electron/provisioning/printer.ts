import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { err, ok, type Result } from '../../shared/result';

/** Where a station sends labels (issue 9): the OS print queue, or a raw ZPL printer on TCP 9100. */
export type PrinterConfig = { kind: 'lp'; queue?: string } | { kind: 'zpl-tcp'; host: string; port?: number };

const RAW_PORT = 9100;
const SEND_TIMEOUT_MS = 5000;

/** Raw ZPL over TCP (the "JetDirect" port): connect, write, close. */
export function sendRawZpl(host: string, port: number, zpl: string): Promise<Result<void>> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(SEND_TIMEOUT_MS, () => socket.destroy(new Error('timed out')));
    socket.once('error', (error) => resolve(err('PRINTER_FAILED', `The label printer at ${host}:${port} did not take the label: ${error.message}.`)));
    socket.once('connect', () => socket.end(zpl, 'utf8'));
    socket.once('close', (hadError) => hadError || resolve(ok(undefined)));
  });
}

/** The OS print queue: `lp [-d QUEUE]` with the document on stdin. */
export function sendToQueue(queue: string | undefined, document: Buffer): Promise<Result<void>> {
  return new Promise((resolve) => {
    const child = spawn('lp', [...(queue ? ['-d', queue] : []), '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', (error) => resolve(err('PRINTER_FAILED', `The print queue could not be used (lp: ${error.message}); install CUPS or configure a ZPL printer.`)));
    // An lp that refuses the job may exit before it reads the document (EPIPE): its exit code and
    // stderr say why, and an unhandled stream error would end the station.
    child.stdin.on('error', () => undefined);
    // lp ends its own reason with a full stop; the message adds one.
    child.once('close', (code) => resolve(code === 0 ? ok(undefined) : err('PRINTER_FAILED', `lp refused the label: ${stderr.trim().slice(0, 200).replace(/\.$/, '') || `exit ${code}`}.`)));
    child.stdin.end(document);
  });
}

export async function printLabel(printer: PrinterConfig, label: { zpl: string; pdf: () => Promise<Buffer> }): Promise<Result<void>> {
  if (printer.kind === 'zpl-tcp') return sendRawZpl(printer.host, printer.port ?? RAW_PORT, label.zpl);
  return sendToQueue(printer.queue, await label.pdf());
}
