import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { ListenerKind } from './session';
import { secureContextOf, tlsServerOptions, type TlsMaterial } from './tls';

/**
 * The hub's MQTT listeners (protocol reference §2): plain TCP, TLS, and MQTT over secure
 * WebSocket, each optional; port 0 binds any free port and the bound one is reported.
 */

export interface ListenerPorts {
  mqtt?: number;
  mqtts?: number;
  wss?: number;
  /** The HTTP and CoAP endpoints' ports (`electron/hub/http`, `electron/hub/coap`), bound by their own servers. */
  http?: number;
  https?: number;
  coap?: number;
}

export interface ListenerConfig {
  host: string;
  /** Absent or null: that listener is off. */
  mqtt?: number | null;
  mqtts?: number | null;
  wss?: number | null;
  /** A listener whose port is taken is skipped (and reported) instead of failing the start: the station's choice. */
  bestEffort?: boolean;
}

export interface Connection {
  listener: ListenerKind;
  address: string | null;
  /** The TLS socket under MQTTS and WSS, for the peer certificate and cipher. */
  tlsSocket: TLSSocket | null;
}

export type ConnectionHandler = (stream: Duplex, connection: Connection) => void;

export interface Listeners {
  ports: ListenerPorts;
  /** Listeners skipped in best-effort mode, with the reason (e.g. EADDRINUSE). */
  skipped: Array<{ listener: ListenerKind; code: string }>;
  /** New connections to MQTTS and WSS use this material; live ones keep theirs. */
  updateTls(material: TlsMaterial): void;
  close(): Promise<void>;
}

/** A connect storm must not overflow the accept queue (Node's default backlog is 511). */
const BACKLOG = 4096;

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: BACKLOG }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startListeners(config: ListenerConfig, tls: () => Promise<TlsMaterial>, handle: ConnectionHandler): Promise<Listeners> {
  const servers: Server[] = [];
  /** MQTTS and WSS, whose secure context follows the PKI. */
  const tlsServers: TlsServer[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const ports: ListenerPorts = {};
  const skipped: Listeners['skipped'] = [];
  /** Binds one listener; in best-effort mode a failure skips it. */
  const bind = async (listener: ListenerKind, server: Server, port: number) => {
    try {
      ports[listener] = await listen(server, config.host, port);
      servers.push(server);
    } catch (error) {
      if (!config.bestEffort) throw error;
      skipped.push({ listener, code: (error as NodeJS.ErrnoException).code ?? 'ERROR' });
    }
  };
  let webSockets: WebSocketServer | null = null;
  const closeAll = async () => {
    webSockets?.close();
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map(closeServer));
  };
  try {
    if (config.mqtt !== undefined && config.mqtt !== null) {
      const server = createTcpServer({ noDelay: true }, (socket) => {
        track(socket);
        handle(socket, { listener: 'mqtt', address: socket.remoteAddress ?? null, tlsSocket: null });
      });
      await bind('mqtt', server, config.mqtt);
    }
    const wantsTls = (config.mqtts ?? null) !== null || (config.wss ?? null) !== null;
    const material = wantsTls ? await tls() : null;
    const tlsOptions = material ? tlsServerOptions(material) : null;
    if (tlsOptions && config.mqtts !== undefined && config.mqtts !== null) {
      const server = createTlsServer(tlsOptions, (socket) => {
        socket.setNoDelay(true);
        handle(socket, { listener: 'mqtts', address: socket.remoteAddress ?? null, tlsSocket: socket });
      });
      server.on('connection', track);
      server.on('tlsClientError', () => undefined);
      tlsServers.push(server);
      await bind('mqtts', server, config.mqtts);
    }
    if (tlsOptions && config.wss !== undefined && config.wss !== null) {
      const server = createHttpsServer(tlsOptions);
      server.on('connection', track);
      server.on('tlsClientError', () => undefined);
      tlsServers.push(server);
      webSockets = new WebSocketServer({ server, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false) });
      webSockets.on('connection', (socket, request) => {
        const stream = createWebSocketStream(socket);
        stream.on('error', () => socket.terminate());
        handle(stream, { listener: 'wss', address: request.socket.remoteAddress ?? null, tlsSocket: request.socket as TLSSocket });
      });
      webSockets.on('error', () => undefined);
      await bind('wss', server, config.wss);
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  const updateTls = (next: TlsMaterial) => {
    for (const server of tlsServers) server.setSecureContext(secureContextOf(next));
  };
  return { ports, skipped, updateTls, close: closeAll };
}
