import { readFileSync } from 'node:fs';
import { UsageError } from '../output';

/** The bytes of FILE, or of stdin for `-`. */
export function readInput(path: string): Buffer {
  try {
    return readFileSync(path === '-' ? 0 : path);
  } catch (error) {
    throw new UsageError(`cannot read ${path === '-' ? 'stdin' : path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** FILE (or `-`) parsed as JSON; a parse error is a usage error naming the file. */
export function readJsonInput(path: string): unknown {
  const text = readInput(path).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path === '-' ? 'stdin' : path} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** `a,b,c` as a list of allowed values. */
export function parseList<T extends string>(value: string, allowed: readonly T[], option: string): T[] {
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  const bad = items.find((item) => !(allowed as readonly string[]).includes(item));
  if (bad !== undefined || items.length === 0) throw new UsageError(`${option} takes a comma-separated list of ${allowed.join(', ')}`);
  return items as T[];
}
