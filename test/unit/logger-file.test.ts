import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../electron/core/logger';
import { tempDir } from '../helpers/cli';

describe('logger file', () => {
  it('writes JSON lines (0600) and rotates by size, keeping maxFiles', () => {
    const path = join(tempDir(), 'logs', 'app.log');
    const logger = createLogger({ level: 'info', ringSize: 5, file: { path, maxBytes: 400, maxFiles: 2 } });
    for (let index = 0; index < 30; index++) logger.info(`line ${index}`, { index });
    logger.close();
    const current = readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(current.at(-1)).toMatchObject({ msg: 'line 29', level: 'info', data: { index: 29 } });
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(existsSync(`${path}.2`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
