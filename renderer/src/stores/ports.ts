import { createStore } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
import type { DeviceIdentity, DeviceLogLine, PortInfo } from '../../../shared/contract';
import type { AppError, Result } from '../../../shared/result';
import { deviceLogLineText } from '../../../shared/model/device-log-line';
import { appendLog } from '../ports/console-data';
import { appendDeviceLog } from '../ports/device-log';

const MAX_DEVICE_LOG = 500;

export interface PortsState {
  ports: PortInfo[];
  identities: Record<string, DeviceIdentity>;
  /** The port whose console is open in this window. */
  consolePath: string | null;
  /** Everything the open console received, for the log download. */
  consoleLog: string;
  /** The devices' log lines (framed protocol events) from every port, oldest first. */
  deviceLog: DeviceLogLine[];
  error: AppError | null;
  load(): Promise<void>;
  /** Adds pseudo-terminal paths or globs to discovery. */
  watch(input: { patterns: string[] }): Promise<Result<PortInfo[]>>;
  identify(path: string): Promise<void>;
  openConsole(path: string, baud: number): Promise<boolean>;
  closeConsole(): Promise<void>;
  send(text: string): Promise<void>;
  follow(): () => void;
}

/** Ports: a live list (hot-plug arrives as events) and one serial console at a time. */
export function createPortsStore(api: Api) {
  return createStore<PortsState>((set, get) => ({
    ports: [],
    identities: {},
    consolePath: null,
    consoleLog: '',
    deviceLog: [],
    error: null,
    async load() {
      const result = await api.call('ports.list', {});
      set(result.ok ? { ports: result.value, error: null } : { error: result.error });
    },
    async watch(input) {
      const result = await api.call('ports.watch', input);
      if (result.ok) set({ ports: [...get().ports.filter((port) => !result.value.some((added) => added.path === port.path)), ...result.value] });
      return result;
    },
    async identify(path) {
      const result = await api.call('ports.identify', { path });
      set(result.ok ? { identities: { ...get().identities, [path]: result.value }, error: null } : { error: result.error });
    },
    async openConsole(path, baud) {
      const result = await api.call('ports.console.open', { path, baud });
      if (!result.ok) return (set({ error: result.error }), false);
      set({ consolePath: path, consoleLog: '', error: null });
      return true;
    },
    async closeConsole() {
      const path = get().consolePath;
      if (!path) return;
      set({ consolePath: null });
      await api.call('ports.console.close', { path });
    },
    async send(text) {
      const path = get().consolePath;
      if (!path) return;
      const result = await api.call('ports.console.write', { path, text });
      if (!result.ok) set({ error: result.error });
    },
    follow() {
      const stops = [
        api.on('ports.added', (port) => set({ ports: [...get().ports.filter((item) => item.path !== port.path), port] })),
        api.on('ports.removed', ({ path }) => set({ ports: get().ports.filter((item) => item.path !== path) })),
        api.on('ports.console.text', ({ path, text }) => {
          if (path === get().consolePath) set({ consoleLog: appendLog(get().consoleLog, text) });
        }),
        api.on('ports.device.log', (line) => {
          set({ deviceLog: appendDeviceLog(get().deviceLog, line, MAX_DEVICE_LOG) });
          if (line.path === get().consolePath) set({ consoleLog: appendLog(get().consoleLog, `${deviceLogLineText(line)}\n`) });
        }),
        api.on('ports.console.closed', ({ path, reason }) => {
          if (path === get().consolePath) set({ consolePath: null, error: { code: 'DISCONNECTED', message: reason } });
        }),
      ];
      return () => stops.forEach((stop) => stop());
    },
  }));
}
