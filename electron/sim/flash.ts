import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DeviceState } from '../serial/protocol/commands';
import type { Endpoint } from '../serial/drivers/driver';

/**
 * The emulated device's non-volatile memory, kept in the `--state` file so that credentials
 * survive a restart of the sim. It is a device's flash: it holds its own secrets in the clear,
 * as a real module's flash does; it is never a host-side store.
 */
export interface Flash {
  config: { productKey?: string; deviceKey?: string; endpoints: Endpoint[] };
  secrets: { deviceSecret?: string; productSecret?: string };
  /** PKCS#8 DER (hex) of the key made on the device, or the PEM the host wrote. */
  onDeviceKey?: string;
  privateKeyPem?: string;
  certificateChain?: string;
  firmwareImage?: { size: number; sha256: string };
  state: DeviceState;
  /** The deviceSecret came from dynamic activation (protocol reference §3.7), not from the host. */
  activated?: boolean;
  /** The AT personality's manufacturing NVS partition: namespace → key → typed value. */
  mfg: Record<string, Record<string, MfgValue>>;
}

/** An AT+SYSMFG value: its ESP-AT type (1–6 integers, 7 string, 8 binary) and bytes. */
export interface MfgValue {
  type: number;
  base64: string;
}

export function emptyFlash(): Flash {
  return { config: { endpoints: [] }, secrets: {}, state: 'factory', mfg: {} };
}

export function loadFlash(path: string | undefined): Flash {
  if (!path || !existsSync(path)) return emptyFlash();
  return { ...emptyFlash(), ...(JSON.parse(readFileSync(path, 'utf8')) as Partial<Flash>) };
}

/** Written atomically: a crash never leaves a half-written flash file. */
export function saveFlash(path: string | undefined, flash: Flash): void {
  if (!path) return;
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, JSON.stringify(flash, null, 2), { mode: 0o600 });
  renameSync(temporary, path);
}
