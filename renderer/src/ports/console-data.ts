/** Hex text (`0a1bff`) as spaced byte pairs, 16 per line, for the console's hex view. */
export function hexLines(hex: string, perLine = 16): string[] {
  const pairs = hex.match(/../g) ?? [];
  const lines: string[] = [];
  for (let index = 0; index < pairs.length; index += perLine) lines.push(pairs.slice(index, index + perLine).join(' '));
  return lines;
}

/** The console's session log: what came in, capped so an all-day console does not grow without end. */
export function appendLog(log: string, text: string, max = 1_000_000): string {
  const next = log + text;
  return next.length > max ? next.slice(next.length - max) : next;
}
