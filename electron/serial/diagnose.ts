import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { err, type Result } from '../../shared/result';

/** Which processes hold `path` open, from /proc (Linux); empty where the OS does not tell. */
export function processesHolding(path: string): string[] {
  if (process.platform !== 'linux') return [];
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    return [];
  }
  const holders: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)) {
    try {
      const holds = readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`) === target;
        } catch {
          return false;
        }
      });
      if (holds) holders.push(`${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()} (pid ${pid})`);
    } catch {
      // another user's process: the OS does not tell
    }
  }
  return holders;
}

/** Turns an OS error from opening a port into an error a technician can act on. */
export function diagnoseOpenError(path: string, error: Error): Result<never> {
  const text = `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`;
  if (/EACCES|Permission denied/i.test(text)) {
    return err(
      'SERIAL_PERMISSION_DENIED',
      `Permission denied on ${path}. On Linux add your user to the group that owns it: sudo usermod -aG dialout "$USER" (log out and in), or add a udev rule such as SUBSYSTEM=="tty", ATTRS{idVendor}=="<vid>", GROUP="dialout", MODE="0660".`,
    );
  }
  if (/ENOENT|No such file|not found/i.test(text)) return err('SERIAL_PORT_NOT_FOUND', `${path} does not exist (unplugged, or a wrong path). List the ports with \`commissioner ports\`.`);
  if (/EBUSY|busy|Cannot lock port|Resource temporarily unavailable/i.test(text)) {
    const holders = processesHolding(path);
    return err('SERIAL_PORT_BUSY', `${path} is in use by ${holders.length ? holders.join(', ') : 'another program (the OS does not say which)'}. Close it and retry.`);
  }
  return err('SERIAL_PORT_VANISHED', `${path} could not be opened: ${error.message}.`);
}
