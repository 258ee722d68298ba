import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { useApi } from '../api/context';
import { downloadText } from '../components/download';
import { useT } from '../i18n';
import { usePortsStore } from '../stores';
import { deviceLogLineText } from '../../../shared/model/device-log-line';
import { hexLines } from './console-data';

/**
 * xterm.js on the open port, keystrokes sent to the device. The text view shows what the device
 * says: plain text (a boot ROM, an AT module) and its decoded log lines; the hex view every byte.
 */
export function SerialConsole({ path }: { path: string }) {
  const t = useT();
  const api = useApi();
  const send = usePortsStore((state) => state.send);
  const close = usePortsStore((state) => state.closeConsole);
  const log = usePortsStore((state) => state.consoleLog);
  const [hex, setHex] = useState(false);
  const host = useRef<HTMLDivElement>(null);
  const hexRef = useRef(hex);
  hexRef.current = hex;

  useEffect(() => {
    const terminal = new Terminal({ convertEol: true, fontSize: 13, rows: 20 });
    terminal.open(host.current!);
    const input = terminal.onData((data) => void send(data));
    const stops = [
      api.on('ports.console.data', (chunk) => {
        if (chunk.path === path && hexRef.current) for (const line of hexLines(chunk.hex)) terminal.writeln(line);
      }),
      api.on('ports.console.text', (chunk) => {
        if (chunk.path === path && !hexRef.current) terminal.write(chunk.text);
      }),
      api.on('ports.device.log', (line) => {
        if (line.path === path && !hexRef.current) terminal.writeln(deviceLogLineText(line));
      }),
    ];
    return () => (stops.forEach((stop) => stop()), input.dispose(), terminal.dispose());
  }, [api, path, send]);

  return (
    <div className="panel" data-testid="serial-console">
      <h2>
        {t('ports.console')} <code>{path}</code>
      </h2>
      <div className="form-row">
        <label>
          <input type="checkbox" checked={hex} onChange={(event) => setHex(event.target.checked)} /> {t('ports.hex')}
        </label>
        <button type="button" onClick={() => downloadText('console.log', log)}>
          {t('ports.saveLog')}
        </button>
        <button type="button" onClick={() => void close()}>
          {t('ports.close')}
        </button>
      </div>
      <div ref={host} className="terminal-host" />
    </div>
  );
}
