/**
 * Per-second counts over a sliding window, in the column layout uPlot draws
 * (`[seconds, series1, series2, …]`). Immutable: each step returns a new value.
 */
export interface Rates {
  /** Unix seconds, oldest first, one per column. */
  seconds: number[];
  /** One row per series name, aligned with `seconds`. */
  values: number[][];
}

export function emptyRates(seriesCount: number): Rates {
  return { seconds: [], values: Array.from({ length: seriesCount }, () => []) };
}

/**
 * Adds the counts seen during second `second` and slides the window to end there: seconds
 * without events become zeros, columns older than `windowSeconds` drop off.
 */
export function addSecond(rates: Rates, second: number, counts: readonly number[], windowSeconds: number): Rates {
  const seconds = [...rates.seconds];
  const values = rates.values.map((row) => [...row]);
  const last = seconds.at(-1);
  if (last !== undefined && second < last) return rates;
  const firstNew = last === undefined ? second : Math.max(last + 1, second - windowSeconds + 1);
  for (let s = firstNew; s <= second; s += 1) {
    seconds.push(s);
    for (const row of values) row.push(0);
  }
  values.forEach((row, index) => (row[row.length - 1] = row.at(-1)! + (counts[index] ?? 0)));
  const drop = Math.max(0, seconds.length - windowSeconds);
  return { seconds: seconds.slice(drop), values: values.map((row) => row.slice(drop)) };
}

/** The rates as uPlot's aligned data. */
export function toAligned(rates: Rates): number[][] {
  return [rates.seconds, ...rates.values];
}
