import { useT } from '../i18n';
import { useDeviceActivityStore } from '../stores';

/** The device's recent messages, newest first: the hub's history, then what the live stream brings. */
export function DeviceMessages() {
  const t = useT();
  const messages = useDeviceActivityStore((state) => state.messages);
  return (
    <section aria-label={t('deviceActivity.messages')}>
      <h3>{t('deviceActivity.messages')}</h3>
      {messages.length === 0 && <p>{t('deviceActivity.noMessages')}</p>}
      <ol className="log-lines" data-testid="device-messages">
        {messages
          .slice()
          .reverse()
          .map((message, index) => (
            <li key={`${message.receivedAt}-${index}`}>
              <time>{new Date(message.receivedAt).toLocaleTimeString()}</time> <b>{message.kind}</b> {message.name ?? ''} <code>{JSON.stringify(message.values)}</code>
            </li>
          ))}
      </ol>
    </section>
  );
}

/** The device's provisioning ledger entries, newest first: run, outcome, operator and the entry's hash. */
export function DeviceLedger() {
  const t = useT();
  const ledger = useDeviceActivityStore((state) => state.ledger);
  return (
    <section aria-label={t('deviceActivity.ledger')}>
      <h3>{t('deviceActivity.ledger')}</h3>
      {ledger.length === 0 ? (
        <p>{t('deviceActivity.noLedger')}</p>
      ) : (
        <table className="simple-table" data-testid="device-ledger">
          <thead>
            <tr>
              <th>{t('deviceActivity.seq')}</th>
              <th>{t('deviceActivity.at')}</th>
              <th>{t('deviceActivity.outcome')}</th>
              <th>{t('deviceActivity.operator')}</th>
              <th>{t('deviceActivity.checks')}</th>
              <th>{t('deviceActivity.hash')}</th>
            </tr>
          </thead>
          <tbody>
            {ledger.map((entry) => (
              <tr key={entry.seq}>
                <td>{entry.seq}</td>
                <td>{new Date(entry.at).toLocaleString()}</td>
                <td>{entry.outcome}</td>
                <td>{entry.operator || '—'}</td>
                <td>{entry.checks.map((check) => `${check.protocol}:${check.check}=${check.result}`).join(' ') || '—'}</td>
                <td>
                  <code title={entry.hash}>{entry.hash.slice(0, 12)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Where the device's latest change stands with each sync target. */
export function DeviceSync() {
  const t = useT();
  const sync = useDeviceActivityStore((state) => state.sync);
  return (
    <section aria-label={t('deviceActivity.sync')}>
      <h3>{t('deviceActivity.sync')}</h3>
      {sync.length === 0 ? (
        <p>{t('deviceActivity.noTargets')}</p>
      ) : (
        <table className="simple-table" data-testid="device-sync">
          <thead>
            <tr>
              <th>{t('deviceActivity.target')}</th>
              <th>{t('deviceActivity.state')}</th>
              <th>{t('deviceActivity.revision')}</th>
              <th>{t('deviceActivity.cloudId')}</th>
              <th>{t('deviceActivity.error')}</th>
            </tr>
          </thead>
          <tbody>
            {sync.map((item) => (
              <tr key={item.target}>
                <td>
                  {item.target} ({item.kind})
                </td>
                <td>{t(`deviceActivity.sync.${item.state}`)}</td>
                <td>{item.revision ?? '—'}</td>
                <td>{item.cloudId ?? '—'}</td>
                <td>{item.error ? `${item.error.code}: ${item.error.message}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
