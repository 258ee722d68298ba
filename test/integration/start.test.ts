import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliEnv, initDataDir } from '../helpers/cli';

describe('npm start launcher', () => {
  it('starts the headless station when the Electron binary is absent, names desktop:install, and stops on SIGTERM', async () => {
    const data = initDataDir();
    const child = spawn(process.execPath, ['scripts/start.mjs', '--data', data, '--port', '0'], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await expect.poll(() => output, { timeout: 60_000, interval: 100 }).toMatch(/open http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    expect(output).toContain('npm run desktop:install');
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
