import type { Result } from '../../shared/result';

/** A command-line mistake: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * Prints a command's result: with --json one `{"ok":…}` line on stdout, otherwise the human text
 * on stdout and an error line on stderr. Sets the exit code: 0 success, 1 expected failure.
 */
export function printResult<T>(result: Result<T>, json: boolean, human: (value: T) => string): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else if (result.ok) {
    const text = human(result.value);
    if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  } else {
    process.stderr.write(`error ${result.error.code}: ${result.error.message}\n`);
  }
  process.exitCode = result.ok ? EXIT_OK : EXIT_FAILURE;
}

/** A progress event of a long-running command: a JSON line on stdout with --json, else a line on stderr. */
export function printProgress(json: boolean, event: Record<string, unknown>, human: string): void {
  if (json) process.stdout.write(`${JSON.stringify({ event })}\n`);
  else process.stderr.write(`${human}\n`);
}
