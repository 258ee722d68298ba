import type { QueuedCommand } from '../polled-link';

/**
 * A pending command in HTTP response headers (protocol reference §8): `topic` and
 * `command-payload`. Header values must be Latin-1 without control characters, so JSON is sent
 * with non-ASCII escaped as `\uXXXX` (still the same JSON); opaque `down_raw` bytes that are not
 * printable ASCII go base64, marked by `command-payload-encoding: base64` (our addition).
 */
const PRINTABLE = /^[\x20-\x7e]*$/;

export function commandHeaders(command: QueuedCommand): Record<string, string> {
  const text = command.payload.toString('utf8');
  const value = isJson(text) ? text.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
  if (PRINTABLE.test(value) && Buffer.from(text, 'utf8').equals(command.payload)) return { topic: command.topic, 'command-payload': value };
  return { topic: command.topic, 'command-payload': command.payload.toString('base64'), 'command-payload-encoding': 'base64' };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
