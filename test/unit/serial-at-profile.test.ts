import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atProfile, escapeAtString, fillTemplate } from '../../electron/serial/drivers/at-profile';

const transcript = (name: string) => readFileSync(resolve(__dirname, '../fixtures/esp-at', name), 'latin1');
const profile = atProfile('esp-at');
if (!profile.ok) throw new Error(profile.error.message);
const steps = profile.value.operations;

function captured(operation: string, command: string, text: string): Record<string, string> {
  const step = steps[operation]!.find((candidate) => candidate.send.startsWith(command))!;
  const vars: Record<string, string> = {};
  for (const [name, pattern] of Object.entries(step.capture ?? {})) {
    for (const line of text.split(/\r?\n/)) {
      const match = new RegExp(pattern).exec(line);
      if (match?.[1] !== undefined) vars[name] = match[1];
    }
  }
  return vars;
}

describe('the shipped ESP-AT profile against the manual\'s examples', () => {
  it('reads the firmware version from the AT+GMR example', () => {
    expect(captured('identify', 'AT+GMR', transcript('gmr.txt'))).toEqual({ firmware: '2.2.0.0-dev' });
  });

  it('reads the module name from the AT+SYSMFG read example', () => {
    expect(captured('identify', 'AT+SYSMFG=1,"factory_param"', transcript('sysmfg-read-module-name.txt'))).toEqual({ model: 'MINI-1' });
  });

  it('writes strings as the manual does: length in the command, the bytes after the > prompt', () => {
    const step = steps.writeConfig!.find((candidate) => candidate.when === 'productKey')!;
    const vars = { productKey: 'MY-MODULE-01' };
    expect(fillTemplate(step.send, vars)).toBe('AT+SYSMFG=2,"enos","product_key",7,12');
    expect(fillTemplate(step.data!, vars, true)).toBe('MY-MODULE-01');
    const answer = transcript('sysmfg-write-prompt.txt');
    expect(answer.endsWith(profile.value.prompt)).toBe(true);
    expect(new RegExp(profile.value.final.ok).test('OK')).toBe(true);
  });

  it('counts UTF-8 bytes, and escapes quotes, commas and backslashes in quoted parameters', () => {
    expect(fillTemplate('{len:v}', { v: 'é' })).toBe('2');
    expect(escapeAtString('a,"b"\\')).toBe('a\\,\\"b\\"\\\\');
  });

  it('refuses an unknown profile name', () => {
    expect(atProfile('quectel-bg96')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
