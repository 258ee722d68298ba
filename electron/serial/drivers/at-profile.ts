import { z } from 'zod';
import { err, ok, type Result } from '../../../shared/result';
import espAt from './profiles/esp-at.json';

const StepSchema = z
  .object({
    send: z.string().min(1),
    /** Bytes sent after the module's prompt (`>`), e.g. a string or a PEM for AT+SYSMFG. */
    data: z.string().optional(),
    /** Skip the step unless this variable is set. */
    when: z.string().optional(),
    /** Variable → regular expression whose first group is captured from a response line. */
    capture: z.record(z.string(), z.string()).optional(),
    /** A length-prefixed binary value: the prefix's first group is the byte count that follows it. */
    binary: z.object({ prefix: z.string(), into: z.string() }).strict().optional(),
    /** An ERROR answer is not a failure (reading a key that was never written). */
    optional: z.boolean().optional(),
    timeoutMs: z.number().int().positive().optional(),
  })
  .strict();
export type AtStep = z.infer<typeof StepSchema>;

/** A declarative AT profile: how the driver operations map to one module's AT commands. */
export const AtProfileSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    source: z.string(),
    lineEnding: z.string(),
    final: z.object({ ok: z.string(), error: z.string() }).strict(),
    prompt: z.string(),
    timeoutMs: z.number().int().positive(),
    capabilities: z.array(z.string()),
    protocols: z.array(z.string()),
    operations: z.record(z.string(), z.array(StepSchema)),
  })
  .strict();
export type AtProfile = z.infer<typeof AtProfileSchema>;

const SHIPPED: Record<string, unknown> = { 'esp-at': espAt };
export const DEFAULT_AT_PROFILE = 'esp-at';

export function atProfile(name = DEFAULT_AT_PROFILE): Result<AtProfile> {
  const raw = SHIPPED[name];
  if (!raw) return err('NOT_FOUND', `No AT profile named "${name}"; shipped: ${Object.keys(SHIPPED).join(', ')}.`);
  const parsed = AtProfileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`shipped AT profile ${name} is invalid: ${parsed.error.message}`);
  return ok(parsed.data);
}

/** Quoting for AT string parameters (ESP-AT: `\`, `"` and `,` are escaped with a backslash). */
export function escapeAtString(value: string): string {
  return value.replace(/[\\",]/g, (char) => `\\${char}`);
}

/** Fills `{name}` and `{len:name}` (UTF-8 byte length); `raw` leaves values unescaped (data after the prompt). */
export function fillTemplate(template: string, vars: Record<string, string>, raw = false): string {
  return template.replace(/\{(len:)?([A-Za-z0-9_]+)\}/g, (_whole, length: string | undefined, name: string) => {
    const value = vars[name] ?? '';
    if (length) return String(Buffer.byteLength(value, 'utf8'));
    return raw ? value : escapeAtString(value);
  });
}
