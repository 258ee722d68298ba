import { useMemo, useState } from 'react';
import { Field } from '../components/Field';
import { PortSelect } from '../components/PortSelect';
import { useT } from '../i18n';
import { usePortsStore } from '../stores';
import { DEVICE_LOG_LEVELS, filterDeviceLog, type DeviceLogLevel } from './device-log';

const SHOWN = 200;

/** Diagnosis: what the devices log (framed protocol §6.8), newest first, by level and port. */
export function DeviceLogPanel() {
  const t = useT();
  const lines = usePortsStore((state) => state.deviceLog);
  const ports = usePortsStore((state) => state.ports);
  const [level, setLevel] = useState<DeviceLogLevel>('info');
  const [path, setPath] = useState('');
  const shown = useMemo(() => filterDeviceLog(lines, level, path).slice(-SHOWN).reverse(), [lines, level, path]);
  return (
    <div className="panel" data-testid="device-log-panel">
      <h2>{t('ports.diagnosis')}</h2>
      <div className="form-row">
        <Field label={t('ports.logLevel')}>
          <select value={level} onChange={(event) => setLevel(event.target.value as DeviceLogLevel)}>
            {DEVICE_LOG_LEVELS.map((name) => (
              <option key={name} value={name}>
                {t(`ports.level.${name}`)}
              </option>
            ))}
          </select>
        </Field>
        <PortSelect label={t('ports.logPort')} value={path} ports={ports} emptyLabel={t('ports.allPorts')} onChange={setPath} />
      </div>
      {shown.length === 0 && <p>{t('ports.noDeviceLog')}</p>}
      <ol className="log-lines" data-testid="device-log">
        {shown.map((line, index) => (
          <li key={`${line.path}-${line.uptimeMs}-${index}`} className={`level-${line.level}`}>
            <b>{line.level}</b> <time>{(line.uptimeMs / 1000).toFixed(3)} s</time> {line.path} {line.text}
          </li>
        ))}
      </ol>
    </div>
  );
}
