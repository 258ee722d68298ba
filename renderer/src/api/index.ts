import type { Api } from '../../../shared/api';
import { createApi } from '../../../shared/contract/client';
import type { PreloadBridge } from '../../../shared/contract/ipc';
import { createReconnectingTransport, type ConnectionSource } from '../../../shared/contract/reconnecting-transport';
import type { Result } from '../../../shared/result';

declare global {
  interface Window {
    commissioner?: PreloadBridge;
  }
}

const TOKEN_KEY = 'commissioner.token';

/** The station's per-run token: from the URL the station printed, kept for reloads of this tab. */
export function stationToken(): string | null {
  const fromUrl = new URLSearchParams(window.location.search).get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export interface Connection {
  api: Api;
  /** How the link to the services stands; IPC to the desktop's own main process is always open. */
  connection: ConnectionSource;
}

const alwaysOpen: ConnectionSource = { state: () => 'open', onState: () => () => undefined };

/** Electron IPC through the preload when there is one, otherwise the station's WebSocket bridge (reconnecting). */
export function connectApi(): Connection {
  const preload = window.commissioner;
  if (preload) {
    const api = createApi({
      request: (channel, input) => preload.call(channel, input) as Promise<Result<unknown>>,
      subscribe: (channel) => preload.subscribe(channel),
      unsubscribe: (channel) => preload.unsubscribe(channel),
      onEvent: (listener) => preload.onEvent(listener),
    });
    return { api, connection: alwaysOpen };
  }
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const token = encodeURIComponent(stationToken() ?? '');
  const transport = createReconnectingTransport({ connect: () => new WebSocket(`${scheme}://${window.location.host}/bridge?token=${token}`) });
  return { api: createApi(transport), connection: transport };
}
