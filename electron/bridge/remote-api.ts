import WebSocket from 'ws';
import type { Api } from '../../shared/api';
import { createApi } from '../../shared/contract/client';
import { createWebSocketTransport, type SocketLike } from '../../shared/contract/ws-transport';
import { err, ok, type Result } from '../../shared/result';
import type { RunInfo } from '../core/owner';
import { BRIDGE_PATH } from './server';

export interface RemoteApi {
  api: Api;
  close(): void;
}

/** Connects to a live owner's bridge (CLI commands that run through the station or hub). */
export async function connectBridge(run: Pick<RunInfo, 'host' | 'bridge' | 'token'>, timeoutMs = 120_000): Promise<Result<RemoteApi>> {
  const host = run.host.includes(':') ? `[${run.host}]` : run.host;
  const socket = new WebSocket(`ws://${host}:${run.bridge}${BRIDGE_PATH}?token=${encodeURIComponent(run.token)}`);
  socket.on('error', () => undefined);
  const transport = createWebSocketTransport(socket as unknown as SocketLike, { timeoutMs });
  try {
    await transport.ready;
  } catch {
    return err('DISCONNECTED', `Could not reach the Commissioner bridge on ${run.host}:${run.bridge}.`);
  }
  return ok({ api: createApi(transport), close: () => transport.close() });
}
