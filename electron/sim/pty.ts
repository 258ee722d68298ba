import { spawn, type ChildProcess } from 'node:child_process';
import { err, ok, type Result } from '../../shared/result';

export interface PtyPair {
  /** The path a host opens: the `--link` path when given, else the host-side /dev/pts node. */
  hostPath: string;
  devicePath: string;
  /** Resolves when socat has exited (the PTY pair is gone). */
  exited: Promise<void>;
  close(): void;
}

const READY_MS = 5000;

/**
 * A pseudo-terminal pair made by socat (`pty,raw,echo=0` on both ends). The host side gets the
 * stable `--link` symlink when asked: a PTY has no USB identity, so that path is its identity.
 */
export function createPtyPair(link?: string): Promise<Result<PtyPair>> {
  const hostSide = ['pty', 'raw', 'echo=0', ...(link ? [`link=${link}`] : [])].join(',');
  let child: ChildProcess;
  try {
    child = spawn('socat', ['-d', '-d', hostSide, 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    return Promise.resolve(err('SIM_FAILED', `socat could not be started: ${(error as Error).message}`));
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => finish(err('SIM_FAILED', `socat did not create the pseudo-terminals within ${READY_MS} ms: ${text.trim()}`)), READY_MS);
    const finish = (result: Result<PtyPair>) => {
      clearTimeout(timer);
      child.stderr!.removeAllListeners('data');
      if (!result.ok) child.kill();
      resolve(result);
    };
    child.once('error', (error) => finish(err('SIM_FAILED', `socat could not be started (${error.message}); install it with sudo apt-get install socat.`)));
    void exited.then(() => finish(err('SIM_FAILED', `socat exited: ${text.trim()}`)));
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const ptys = [...text.matchAll(/PTY is (\S+)/g)].map((match) => match[1]!);
      if (ptys.length < 2 || !text.includes('starting data transfer loop')) return;
      finish(ok({ hostPath: link ?? ptys[0]!, devicePath: ptys[1]!, exited, close: () => child.kill('SIGTERM') }));
    });
  });
}
