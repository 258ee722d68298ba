import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { SimDevice } from './sim';

/** The MAC a sim reports for a serial (electron/sim/run.ts: 02 + the first five bytes of SHA-256). */
export function simMac(serial: string): string {
  const bytes = Buffer.concat([Buffer.from([0x02]), createHash('sha256').update(serial).digest().subarray(0, 5)]);
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

/** A raw label printer on loopback (TCP 9100 stands in): every connection's bytes, as received. */
export function zplListener(): Promise<{ server: Server; port: number; received: Buffer[]; close(): Promise<void> }> {
  const received: Buffer[] = [];
  const server = createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => received.push(Buffer.concat(chunks)));
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port, received, close: () => new Promise<void>((done) => server.close(() => done())) }),
    ),
  );
}

/** Stops a sim with SIGTERM (it closes its PTY and socat), pulling it after a grace period. */
export async function stopSim(device: SimDevice): Promise<void> {
  await device.stop();
}
