import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A free loopback port: bind 0, read the port, release it (for a server that must come back on the same port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface TcpRelay {
  port: number;
  /** Drops every open connection and refuses new ones, as a pulled network cable does. */
  cut(): void;
  /** Accepts connections again. */
  restore(): void;
  close(): Promise<void>;
}

/** A loopback TCP relay to `targetPort` whose link can be cut and restored while both ends keep running. */
export async function startTcpRelay(targetPort: number): Promise<TcpRelay> {
  const open = new Set<Socket>();
  let accepting = true;
  const server: Server = createServer((client) => {
    if (!accepting) return void client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      accepting = false;
      for (const socket of open) socket.destroy();
    },
    restore() {
      accepting = true;
    },
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), [...open].forEach((socket) => socket.destroy()))),
  };
}
