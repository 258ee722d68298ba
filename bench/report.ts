import { appendFileSync } from 'node:fs';

/**
 * One benchmark figure as a JSON line on stdout (and in $BENCH_OUT when set): the case, the value
 * with its unit, the anchor measured in the same run, their ratio, and the target where one exists.
 */
export interface BenchLine {
  bench: string;
  case: string;
  value: number;
  unit: string;
  anchor?: { name: string; value: number };
  /** value ÷ anchor for rates (higher is better); anchor ÷ value for times and sizes. */
  ratio?: number;
  target?: string;
  [extra: string]: unknown;
}

export function report(line: BenchLine): void {
  const text = `${JSON.stringify(line)}\n`;
  process.stdout.write(text);
  if (process.env.BENCH_OUT) appendFileSync(process.env.BENCH_OUT, text);
}

export function rateRatio(value: number, anchor: number): number {
  return Number((value / anchor).toFixed(3));
}

export function timeRatio(value: number, anchor: number): number {
  return Number((anchor / value).toFixed(3));
}
