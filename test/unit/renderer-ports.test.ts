import { describe, expect, it } from 'vitest';
import type { Api } from '../../shared/api';
import type { PortInfo } from '../../shared/contract';
import { err, ok } from '../../shared/result';
import { deviceLogLineText } from '../../shared/model/device-log-line';
import { appendLog, hexLines } from '../../renderer/src/ports/console-data';
import { createPortsStore } from '../../renderer/src/stores/ports';

const port = (path: string): PortInfo => ({ path, identity: `path:${path}`, kind: 'pty', source: 'configured', holder: 'free' });

function portsApi(answers: Record<string, unknown>) {
  const listeners = new Map<string, (payload: unknown) => void>();
  const calls: [string, unknown][] = [];
  const api = {
    async call(channel: string, input: unknown) {
      calls.push([channel, input]);
      return answers[channel] ?? ok(null);
    },
    on: (channel: string, listener: (payload: unknown) => void) => (listeners.set(channel, listener), () => listeners.delete(channel)),
  } as unknown as Api;
  return { api, calls, push: (channel: string, payload: unknown) => listeners.get(channel)!(payload) };
}

describe('serial console data', () => {
  it('formats hex as byte pairs, 16 per line', () => {
    expect(hexLines('00'.repeat(17))).toEqual([Array(16).fill('00').join(' '), '00']);
    expect(hexLines('')).toEqual([]);
  });

  it('shows a decoded device log line with its level and uptime', () => {
    expect(deviceLogLineText({ path: '/dev/ttyB', level: 'warn', uptimeMs: 1706, text: 'alive' })).toBe('[/dev/ttyB warn +1.706s] alive');
  });

  it('caps the session log, keeping the newest text', () => {
    expect(appendLog('abc', 'def', 4)).toBe('cdef');
  });
});

describe('ports store', () => {
  it('adds and removes hot-plugged ports, and logs the open console\'s text and log lines, not its frames', async () => {
    const { api, calls, push } = portsApi({ 'ports.list': ok([port('/dev/ttyA')]) });
    const store = createPortsStore(api);
    await store.getState().load();
    const stop = store.getState().follow();
    push('ports.added', port('/dev/ttyB'));
    push('ports.removed', { path: '/dev/ttyA', identity: 'path:/dev/ttyA' });
    expect(store.getState().ports.map((item) => item.path)).toEqual(['/dev/ttyB']);

    expect(await store.getState().openConsole('/dev/ttyB', 9600)).toBe(true);
    push('ports.console.text', { path: '/dev/ttyB', text: 'ok\n' });
    push('ports.console.text', { path: '/dev/ttyX', text: 'x' });
    push('ports.device.log', { path: '/dev/ttyB', level: 'info', uptimeMs: 5, text: 'booted' });
    push('ports.device.log', { path: '/dev/ttyX', level: 'info', uptimeMs: 5, text: 'elsewhere' });
    expect(store.getState().consoleLog).toBe('ok\n[/dev/ttyB info +0.005s] booted\n');
    expect(store.getState().deviceLog.map((line) => line.text)).toEqual(['booted', 'elsewhere']);
    await store.getState().send('AT\r');
    expect(calls.at(-1)).toEqual(['ports.console.write', { path: '/dev/ttyB', text: 'AT\r' }]);
    push('ports.console.closed', { path: '/dev/ttyB', reason: 'unplugged' });
    expect(store.getState()).toMatchObject({ consolePath: null, error: { code: 'DISCONNECTED', message: 'unplugged' } });
    stop();
  });

  it('keeps a refusal to open with its code', async () => {
    const { api } = portsApi({ 'ports.console.open': err('CONFLICT', 'The port is held by the pipeline.') });
    const store = createPortsStore(api);
    expect(await store.getState().openConsole('/dev/ttyB', 115200)).toBe(false);
    expect(store.getState().error?.code).toBe('CONFLICT');
  });
});
