import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { useApi } from '../api/context';
import { downloadText } from '../components/download';
import { useT } from '../i18n';
import { usePortsStore } from '../stores';
import { hexLines, hexToBytes } from './console-data';

/** xterm.js on the open port: received bytes as text (or a hex dump), keystrokes sent to the device. */
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
    const stop = api.on('ports.console.data', (chunk) => {
      if (chunk.path !== path) return;
      if (hexRef.current) for (const line of hexLines(chunk.hex)) terminal.writeln(line);
      else terminal.write(hexToBytes(chunk.hex));
    });
    return () => (stop(), input.dispose(), terminal.dispose());
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
