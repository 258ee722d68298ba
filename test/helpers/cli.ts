import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The built CLI, as a user runs it (`npm test` builds before the tests run). With
 * `COMMISSIONER_BUILD_OUT` set (a private build), a loader runs that build's CLI instead.
 */
export const CLI = process.env.COMMISSIONER_BUILD_OUT ? resolve(__dirname, 'cli-loader.mjs') : resolve(__dirname, '../../bin/commissioner.js');

export const TEST_PASSPHRASE = 'correct horse battery staple';

/** Environment for CLI runs: a known passphrase, a cheap scrypt so tests stay fast, ephemeral hub ports. */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    COMMISSIONER_PASSPHRASE: TEST_PASSPHRASE,
    COMMISSIONER_SCRYPT_LOG2N: '14',
    // Tests bind only ephemeral ports: every hub listener a station or hub opens is on port 0.
    COMMISSIONER_MQTT_PORT: '0',
    COMMISSIONER_MQTTS_PORT: '0',
    COMMISSIONER_WSS_PORT: '0',
    ...extra,
  };
  delete env.COMMISSIONER_DATA;
  return env;
}

export function tempDir(prefix = 'commissioner-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed as JSON (the result line with --json). */
  json<T = { ok: boolean; value?: unknown; error?: { code: string; message: string } }>(): T;
}

export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): CliRun {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    env: options.env ?? cliEnv(),
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    json() {
      const lines = result.stdout.trim().split('\n');
      return JSON.parse(lines.at(-1) ?? 'null');
    },
  };
}

/** A long-running CLI command (station, hub, sim) as a child process. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout/stderr text matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code after the process ends. */
  exited(): Promise<number | null>;
  /** Sends `signal` (SIGTERM by default) and, if the process has not ended after `graceMs`, SIGKILL. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

export function startCli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], { env: options.env ?? cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let errText = '';
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((check) => check());
  child.stdout!.on('data', (chunk) => ((out += chunk), notify()));
  child.stderr!.on('data', (chunk) => ((errText += chunk), notify()));
  const exit = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => errText,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolveMatch, reject) => {
        const check = () => {
          const match = (out + errText).match(pattern);
          if (match) {
            waiters.delete(check);
            clearTimeout(timer);
            resolveMatch(match);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern}\nstdout: ${out}\nstderr: ${errText}`));
        }, timeoutMs);
        waiters.add(check);
        check();
        void exit.then(() => {
          if (waiters.has(check)) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`process exited before ${pattern}\nstdout: ${out}\nstderr: ${errText}`));
          }
        });
      });
    },
    exited: () => exit,
    async stop(signal = 'SIGTERM', graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return exit;
      child.kill(signal);
      // A process that ignores the signal is pulled, so nothing outlives the test.
      const pull = signal === 'SIGKILL' ? undefined : setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exit;
      clearTimeout(pull);
      return code;
    },
  };
}

/** Waits for a ports file (or run.json) written by an owner and parses it. */
export async function readPortsFile(path: string, timeoutMs = 30_000): Promise<Record<string, number | string>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(path)) {
      try {
        return JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        // being renamed into place: read again
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ports file at ${path}`);
}

/** Initializes a fresh data folder through the CLI and returns its path. */
export function initDataDir(): string {
  const dir = tempDir();
  const run = runCli(['--data', dir, 'init']);
  if (run.status !== 0) throw new Error(`init failed: ${run.stderr}`);
  return dir;
}
