import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { SerialPort } from 'serialport';
import type { PortInfo } from '../../shared/contract/ports';

export type DiscoveredPort = Omit<PortInfo, 'holder'>;

/**
 * A slot's identity survives re-enumeration (architecture §6): the USB serial number when the
 * device has one, else its physical location (hub port chain); a pseudo-terminal's stable link
 * path is its identity, as is a fixed native port's path.
 */
export function identityOf(port: { path: string; vendorId?: string; productId?: string; serialNumber?: string; locationId?: string; pnpId?: string }): string {
  const vid = port.vendorId?.toLowerCase();
  const pid = port.productId?.toLowerCase();
  if (vid && pid && port.serialNumber) return `usb:${vid}:${pid}:${port.serialNumber}`;
  if (vid && pid && port.locationId) return `usb-location:${port.locationId}`;
  if (vid && pid) return `usb:${vid}:${pid}@${port.path}`;
  return `path:${port.path}`;
}

/** Ports the OS enumerates (USB, native UARTs), or null when enumeration failed. Pseudo-terminals are never among them. */
async function enumerateOsPorts(): Promise<DiscoveredPort[] | null> {
  const ports = await SerialPort.list().catch(() => null);
  return ports?.map((port) => ({
    path: port.path,
    identity: identityOf(port),
    kind: port.vendorId ? 'usb' : 'native',
    source: 'os',
    ...(port.vendorId ? { vendorId: port.vendorId } : {}),
    ...(port.productId ? { productId: port.productId } : {}),
    ...(port.serialNumber ? { serialNumber: port.serialNumber } : {}),
    ...(port.locationId ? { location: port.locationId } : {}),
    ...(port.manufacturer ? { manufacturer: port.manufacturer } : {}),
  })) ?? null;
}

const SYSFS_TTYS = '/sys/class/tty';

/**
 * The kernel's tty devices as names and sysfs inode numbers (Linux), or null elsewhere. A port
 * added, removed or re-plugged under the same name gets a new sysfs entry, so this changes
 * exactly when enumeration could give another answer.
 */
function ttySignature(): string | null {
  try {
    return readdirSync(SYSFS_TTYS)
      .map((name) => `${name}:${lstatSync(`${SYSFS_TTYS}/${name}`).ino}`)
      .join(',');
  } catch {
    return null;
  }
}

/** A failed enumeration (no udevadm in a container, say) is tried again after this long, or when the tty devices change. */
const RETRY_FAILED_MS = 30_000;

/**
 * Lists the OS's ports, enumerating again only when the kernel's tty devices changed: on Linux
 * enumeration spawns udevadm, and the registry polls every second (a hub under load would pay
 * for it in every poll: a spawn stalls the event loop for several milliseconds). Without sysfs
 * every call enumerates.
 */
export function osPortLister(enumerate = enumerateOsPorts, signatureNow = ttySignature, now = () => performance.now()): () => Promise<DiscoveredPort[]> {
  let cached: { signature: string; ports: DiscoveredPort[]; retryAt: number } | null = null;
  return async () => {
    const signature = signatureNow();
    if (signature !== null && cached?.signature === signature && now() < cached.retryAt) return cached.ports;
    const ports = await enumerate();
    cached = signature !== null ? { signature, ports: ports ?? [], retryAt: ports ? Infinity : now() + RETRY_FAILED_MS } : null;
    return ports ?? [];
  };
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${escaped}$`);
}

/** Configured paths and globs (`*`, `?` in the last path segment), as they exist right now. */
export function expandPatterns(patterns: readonly string[]): DiscoveredPort[] {
  const paths = new Set<string>();
  for (const pattern of patterns) {
    if (!/[*?]/.test(pattern)) {
      if (existsSync(pattern)) paths.add(pattern);
      continue;
    }
    const directory = dirname(pattern);
    const matcher = globToRegExp(basename(pattern));
    let entries: string[];
    try {
      entries = readdirSync(directory);
    } catch {
      continue; // a watched folder that does not exist yet
    }
    for (const entry of entries) if (matcher.test(entry) && !entry.endsWith('.tmp')) paths.add(`${directory}/${entry}`);
  }
  return [...paths].sort().map((path) => ({ path, identity: `path:${path}`, kind: 'pty', source: 'configured' }));
}
