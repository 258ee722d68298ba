import { existsSync, readdirSync } from 'node:fs';
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

/** Ports the OS enumerates (USB, native UARTs). Pseudo-terminals are never among them. */
export async function listOsPorts(): Promise<DiscoveredPort[]> {
  const ports = await SerialPort.list().catch(() => []);
  return ports.map((port) => ({
    path: port.path,
    identity: identityOf(port),
    kind: port.vendorId ? 'usb' : 'native',
    source: 'os',
    ...(port.vendorId ? { vendorId: port.vendorId } : {}),
    ...(port.productId ? { productId: port.productId } : {}),
    ...(port.serialNumber ? { serialNumber: port.serialNumber } : {}),
    ...(port.locationId ? { location: port.locationId } : {}),
    ...(port.manufacturer ? { manufacturer: port.manufacturer } : {}),
  }));
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
