import 'reflect-metadata';
import { CommanderError } from 'commander';
import { EXIT_USAGE, UsageError } from './output';
import { createProgram } from './program';

/** Entry of `bin/commissioner.js`. Usage mistakes exit 2, expected failures 1, bugs 70. */
export async function main(argv: string[]): Promise<void> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
        process.exitCode = 0;
      } else {
        process.exitCode = EXIT_USAGE;
      }
      return;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    process.stderr.write(`internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 70;
  }
  process.exitCode ??= 0;
}
