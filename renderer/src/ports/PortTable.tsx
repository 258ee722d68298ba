import { useT } from '../i18n';
import { usePortsStore } from '../stores';

export function PortTable() {
  const t = useT();
  const ports = usePortsStore((state) => state.ports);
  const identities = usePortsStore((state) => state.identities);
  const identify = usePortsStore((state) => state.identify);
  const openConsole = usePortsStore((state) => state.openConsole);
  if (ports.length === 0) return <p>{t('ports.none')}</p>;
  return (
    <table className="simple-table" data-testid="port-list">
      <thead>
        <tr>
          <th>{t('ports.path')}</th>
          <th>{t('ports.identity')}</th>
          <th>{t('ports.holder')}</th>
          <th>{t('ports.device')}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {ports.map((port) => {
          const identity = identities[port.path];
          return (
            <tr key={port.path}>
              <td>
                <code>{port.path}</code>
              </td>
              <td>{port.identity}</td>
              <td>{port.holder}</td>
              <td>{identity ? `${identity.model} ${identity.serial} (${identity.firmware}, ${identity.state})` : '—'}</td>
              <td className="form-row inline">
                <button type="button" disabled={port.holder !== 'free'} onClick={() => void identify(port.path)}>
                  {t('ports.identify')}
                </button>
                <button type="button" disabled={port.holder !== 'free'} onClick={() => void openConsole(port.path, 115200)}>
                  {t('ports.openConsole')}
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
