import { createStore } from 'zustand/vanilla';
import type { Api } from '../../../shared/api';
import type { DeviceSyncState, HubMessage, LedgerEntry } from '../../../shared/contract';
import type { AppError } from '../../../shared/result';
import { appendMessages } from '../hub/hub-data';

const MAX_MESSAGES = 100;

export interface DeviceKeys {
  productKey: string;
  deviceKey: string;
}

export interface DeviceActivityState {
  /** The device the detail view shows, or null. */
  device: DeviceKeys | null;
  /** Its recent messages, oldest first: the hub's history, then the live stream's. */
  messages: HubMessage[];
  /** Its provisioning ledger entries, newest first. */
  ledger: LedgerEntry[];
  /** Where its latest change stands with each sync target. */
  sync: DeviceSyncState[];
  error: AppError | null;
  /** Shows another device (null: none); loads its history, ledger entries and sync state. */
  open(device: DeviceKeys | null): Promise<void>;
  follow(): () => void;
}

const sameDevice = (a: DeviceKeys | null, b: DeviceKeys) => a !== null && a.productKey === b.productKey && a.deviceKey === b.deviceKey;

/** The messages of one device in a batch of the hub's sampled live stream. */
export function messagesOf(batch: readonly HubMessage[], device: DeviceKeys): HubMessage[] {
  return batch.filter((message) => sameDevice(device, message));
}

/** The device detail's live parts: messages, ledger and sync state of the one device shown. */
export function createDeviceActivityStore(api: Api) {
  return createStore<DeviceActivityState>((set, get) => {
    // Answers for a device no longer shown are dropped.
    const stillShown = (device: DeviceKeys) => get().device === device;
    const loadLedger = async (device: DeviceKeys) => {
      const result = await api.call('provisioning.ledger.device', { device: `${device.productKey}/${device.deviceKey}` });
      if (stillShown(device)) set(result.ok ? { ledger: result.value } : { error: result.error });
    };
    const loadSync = async (device: DeviceKeys) => {
      const result = await api.call('sync.device', { productKey: device.productKey, deviceKey: device.deviceKey });
      if (stillShown(device)) set(result.ok ? { sync: result.value } : { error: result.error });
    };
    const loadHistory = async (device: DeviceKeys) => {
      const result = await api.call('hub.messages', { device: `${device.productKey}/${device.deviceKey}`, limit: MAX_MESSAGES });
      // Without a hub in the station's process (NO_OWNER) there is no history: the live part still works.
      if (stillShown(device) && result.ok) set({ messages: appendMessages(result.value, get().messages, MAX_MESSAGES) });
    };
    return {
      device: null,
      messages: [],
      ledger: [],
      sync: [],
      error: null,
      async open(target) {
        const device = target ? { productKey: target.productKey, deviceKey: target.deviceKey } : null;
        set({ device, messages: [], ledger: [], sync: [], error: null });
        if (device) await Promise.all([loadHistory(device), loadLedger(device), loadSync(device)]);
      },
      follow() {
        const stops = [
          api.on('hub.messages', (batch) => {
            const device = get().device;
            const mine = device ? messagesOf(batch.messages, device) : [];
            if (mine.length > 0) set({ messages: appendMessages(get().messages, mine, MAX_MESSAGES) });
          }),
          api.on('provisioning.finished', (result) => {
            const device = get().device;
            if (device && result.deviceKey && sameDevice(device, { productKey: result.productKey, deviceKey: result.deviceKey })) void loadLedger(device);
          }),
          api.on('sync.progress', () => {
            const device = get().device;
            if (device) void loadSync(device);
          }),
        ];
        return () => stops.forEach((stop) => stop());
      },
    };
  });
}
