import type { Api } from '../../../shared/api';
import { createApi } from '../../../shared/contract/client';
import type { PreloadBridge } from '../../../shared/contract/ipc';
import { createWebSocketTransport } from '../../../shared/contract/ws-transport';
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

/** Electron IPC through the preload when there is one, otherwise the station's WebSocket bridge. */
export function connectApi(): Api {
  const preload = window.commissioner;
  if (preload) {
    return createApi({
      request: (channel, input) => preload.call(channel, input) as Promise<Result<unknown>>,
      subscribe: (channel) => preload.subscribe(channel),
      unsubscribe: (channel) => preload.unsubscribe(channel),
      onEvent: (listener) => preload.onEvent(listener),
    });
  }
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const token = encodeURIComponent(stationToken() ?? '');
  const socket = new WebSocket(`${scheme}://${window.location.host}/bridge?token=${token}`);
  return createApi(createWebSocketTransport(socket));
}
