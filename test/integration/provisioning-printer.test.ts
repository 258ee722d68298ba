import { writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sendToQueue } from '../../electron/provisioning/printer';
import { tempDir } from '../helpers/cli';

describe('the OS print queue (lp)', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('an lp that refuses the job before reading the document gives PRINTER_FAILED with its reason, not a broken pipe', async () => {
    // An lp that exits at once: a document larger than a pipe's buffer cannot all be written to it.
    const bin = tempDir('commissioner-lp-refuses-');
    writeFileSync(join(bin, 'lp'), '#!/bin/sh\necho "lp: Error - The printer or class does not exist." >&2\nexit 1\n', { mode: 0o755 });
    process.env.PATH = `${bin}${delimiter}${path}`;
    const result = await sendToQueue('nowhere', Buffer.alloc(4 * 1024 * 1024, 0x25));
    expect(result).toEqual({ ok: false, error: { code: 'PRINTER_FAILED', message: 'lp refused the label: lp: Error - The printer or class does not exist.' } });
  });
});
