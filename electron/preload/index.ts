import { contextBridge, ipcRenderer } from 'electron';
import { IPC, type PreloadBridge } from '../../shared/contract/ipc';

// Sandboxed preload: exposes the contract's four operations and nothing of Node or Electron.
const bridge: PreloadBridge = {
  call: (channel, input) => ipcRenderer.invoke(IPC.call, { channel, input }),
  subscribe: (channel) => ipcRenderer.send(IPC.subscribe, channel),
  unsubscribe: (channel) => ipcRenderer.send(IPC.unsubscribe, channel),
  onEvent: (listener) => {
    ipcRenderer.on(IPC.event, (_event, frame: { channel: string; payload: unknown }) => listener(frame.channel, frame.payload));
  },
};

contextBridge.exposeInMainWorld('commissioner', bridge);
