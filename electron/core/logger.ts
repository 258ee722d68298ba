import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogLevel, LogLine } from '../../shared/contract';
import { redact, redactString } from './redact';

const LEVEL_RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export interface LogFileOptions {
  path: string;
  /** Rotate when the file reaches this size. */
  maxBytes: number;
  /** How many rotated files (`.1` … `.N`) to keep. */
  maxFiles: number;
}

export interface LoggerOptions {
  level: LogLevel;
  ringSize: number;
  file?: LogFileOptions;
  /** Extra sink, e.g. the CLI's stderr printer. Receives already-redacted lines. */
  sink?: (line: LogLine) => void;
  clock?: () => number;
}

export interface Logger {
  child(subsystem: string): Logger;
  trace(msg: string, data?: Record<string, unknown>): void;
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
  fatal(msg: string, data?: Record<string, unknown>): void;
}

/** The root of all loggers in a process: owns the ring buffer, the file and the listeners. */
export interface LogRoot extends Logger {
  recent(limit: number, minLevel?: LogLevel): LogLine[];
  onLine(listener: (line: LogLine) => void): () => void;
  setLevel(level: LogLevel): void;
  close(): void;
}

class RotatingFile {
  private fd: number;
  private size: number;

  constructor(private readonly options: LogFileOptions) {
    mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    this.fd = openSync(options.path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  write(text: string): void {
    const bytes = Buffer.from(text);
    if (this.size + bytes.length > this.options.maxBytes && this.size > 0) this.rotate();
    writeSync(this.fd, bytes);
    this.size += bytes.length;
  }

  private rotate(): void {
    closeSync(this.fd);
    const { path, maxFiles } = this.options;
    rmSync(`${path}.${maxFiles}`, { force: true });
    for (let index = maxFiles - 1; index >= 1; index--) {
      if (existsSync(`${path}.${index}`)) renameSync(`${path}.${index}`, `${path}.${index + 1}`);
    }
    renameSync(path, `${path}.1`);
    this.fd = openSync(path, 'a', 0o600);
    this.size = 0;
  }

  close(): void {
    closeSync(this.fd);
  }
}

export function createLogger(options: LoggerOptions): LogRoot {
  const clock = options.clock ?? Date.now;
  const ring: LogLine[] = [];
  const listeners = new Set<(line: LogLine) => void>();
  const file = options.file ? new RotatingFile(options.file) : undefined;
  let threshold = LEVEL_RANK[options.level];
  let seq = 0;

  function write(level: LogLevel, subsystem: string, msg: string, data?: Record<string, unknown>): void {
    if (LEVEL_RANK[level] < threshold) return;
    const line: LogLine = { seq: ++seq, time: clock(), level, subsystem, msg: redactString(msg) };
    if (data !== undefined) line.data = redact(data) as Record<string, unknown>;
    ring.push(line);
    if (ring.length > options.ringSize) ring.shift();
    file?.write(`${JSON.stringify(line)}\n`);
    options.sink?.(line);
    for (const listener of listeners) listener(line);
  }

  function make(subsystem: string): Logger {
    return {
      child: (name) => make(subsystem ? `${subsystem}.${name}` : name),
      trace: (msg, data) => write('trace', subsystem, msg, data),
      debug: (msg, data) => write('debug', subsystem, msg, data),
      info: (msg, data) => write('info', subsystem, msg, data),
      warn: (msg, data) => write('warn', subsystem, msg, data),
      error: (msg, data) => write('error', subsystem, msg, data),
      fatal: (msg, data) => write('fatal', subsystem, msg, data),
    };
  }

  return {
    ...make(''),
    recent(limit, minLevel) {
      const floor = minLevel ? LEVEL_RANK[minLevel] : 0;
      return ring.filter((line) => LEVEL_RANK[line.level] >= floor).slice(-limit);
    },
    onLine(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setLevel(level) {
      threshold = LEVEL_RANK[level];
    },
    close() {
      file?.close();
      listeners.clear();
    },
  };
}

/** Safety net for every process: uncaught errors are logged (redacted) before the process ends. */
export function logUncaught(logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): void {
  process.on('uncaughtException', (error) => {
    logger.fatal('uncaught exception', { error });
    exit(70);
  });
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled promise rejection', { reason });
  });
}
