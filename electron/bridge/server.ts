import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { events as contractEvents } from '../../shared/contract';
import { ClientFrameSchema, CLOSE_UNAUTHORIZED, type ServerFrame } from '../../shared/contract/wire';
import { err } from '../../shared/result';
import type { EventBus } from '../core/event-bus';
import type { Logger } from '../core/logger';
import type { Dispatcher } from './dispatcher';
import { resolveStatic, sendFile } from './static-files';
import { tokensEqual } from './token';

export const BRIDGE_PATH = '/bridge';
const TOKEN_COOKIE = 'commissioner_token';
const MAX_FRAME_BYTES = 1024 * 1024;

export interface BridgeServerOptions {
  host: string;
  port: number;
  token: string;
  dispatcher: Dispatcher;
  events: EventBus;
  logger: Logger;
  /** The built renderer; when set, the UI is served on the same port (the station). */
  staticDir?: string;
}

export interface BridgeServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** Content-Security-Policy of the UI: nothing but this origin, no inline script, no eval. */
export const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return rest.join('=');
  }
  return undefined;
}

function requestToken(req: IncomingMessage, url: URL): string | undefined {
  return url.searchParams.get('token') ?? cookieToken(req);
}

/**
 * The contract over WebSocket (and, for the station, the UI over HTTP) on one port, guarded by a
 * per-run token: in the `token` query parameter, or in the cookie set when the UI page is opened
 * with it. A socket with a wrong token gets one UNAUTHORIZED result frame and is closed.
 */
export async function startBridgeServer(options: BridgeServerOptions): Promise<BridgeServer> {
  const { token, dispatcher, events, logger, staticDir } = options;
  const sockets = new Set<Socket>();

  function refuse(res: ServerResponse, status: number, text: string) {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(text);
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://bridge');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed\n');
    if (!tokensEqual(token, requestToken(req, url))) {
      return refuse(res, 401, 'Unauthorized: open the URL with the token that Commissioner printed.\n');
    }
    if (!staticDir) return refuse(res, 404, 'This Commissioner process serves no UI.\n');
    const file = resolveStatic(staticDir, url.pathname);
    if (!file) return refuse(res, 404, 'Not found\n');
    sendFile(res, file, {
      'content-security-policy': UI_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'set-cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://bridge');
    if (url.pathname !== BRIDGE_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (!tokensEqual(token, requestToken(req, url))) {
        logger.warn('bridge connection refused: wrong or missing token', { remote: req.socket.remoteAddress });
        const frame: ServerFrame = { type: 'result', id: null, result: err('UNAUTHORIZED') };
        ws.send(JSON.stringify(frame), () => ws.close(CLOSE_UNAUTHORIZED, 'unauthorized'));
        return;
      }
      serveSocket(ws);
    });
  });

  function serveSocket(ws: WebSocket) {
    const wanted = new Set<string>();
    const send = (frame: ServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const unsubscribe = events.subscribe((channel, payload) => {
      if (wanted.has(channel)) send({ type: 'event', channel, payload });
    });
    ws.on('close', unsubscribe);
    ws.on('message', (data, isBinary) => {
      let frame;
      try {
        frame = ClientFrameSchema.parse(JSON.parse(isBinary ? '' : data.toString()));
      } catch {
        send({ type: 'result', id: null, result: err('INVALID_INPUT', 'The bridge received a frame that is not a contract frame.') });
        return;
      }
      if (frame.type === 'call') {
        void dispatcher.dispatch(frame.channel, frame.input, { transport: 'websocket' }).then((result) => send({ type: 'result', id: frame.id, result }));
      } else if (!contractEvents.has(frame.channel)) {
        send({ type: 'result', id: null, result: err('UNKNOWN_CHANNEL', `Unknown event "${frame.channel.slice(0, 80)}".`) });
      } else if (frame.type === 'subscribe') {
        wanted.add(frame.channel);
      } else {
        wanted.delete(frame.channel);
      }
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port,
    url: `http://${hostForUrl}:${port}/`,
    async close() {
      for (const client of wss.clients) client.close(1001, 'shutting down');
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
