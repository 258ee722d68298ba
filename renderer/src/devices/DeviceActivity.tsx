import type { ReactNode } from 'react';
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

/** A titled table of the detail view, or what it means that it is empty. */
function ActivityTable({ title, empty, testId, headers, rows }: { title: string; empty: string; testId: string; headers: string[]; rows: { key: string | number; cells: ReactNode[] }[] }) {
  return (
    <section aria-label={title}>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p>{empty}</p>
      ) : (
        <table className="simple-table" data-testid={testId}>
          <thead>
            <tr>
              {headers.map((header) => (
                <th key={header}>{header}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                {row.cells.map((cell, index) => (
                  <td key={headers[index]}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The device's provisioning ledger entries, newest first: run, outcome, operator and the entry's hash. */
export function DeviceLedger() {
  const t = useT();
  const ledger = useDeviceActivityStore((state) => state.ledger);
  return (
    <ActivityTable
      title={t('deviceActivity.ledger')}
      empty={t('deviceActivity.noLedger')}
      testId="device-ledger"
      headers={[t('deviceActivity.seq'), t('deviceActivity.at'), t('deviceActivity.outcome'), t('deviceActivity.operator'), t('deviceActivity.checks'), t('deviceActivity.hash')]}
      rows={ledger.map((entry) => ({
        key: entry.seq,
        cells: [
          entry.seq,
          new Date(entry.at).toLocaleString(),
          entry.outcome,
          entry.operator || '—',
          entry.checks.map((check) => `${check.protocol}:${check.check}=${check.result}`).join(' ') || '—',
          <code title={entry.hash}>{entry.hash.slice(0, 12)}</code>,
        ],
      }))}
    />
  );
}

/** Where the device's latest change stands with each sync target. */
export function DeviceSync() {
  const t = useT();
  const sync = useDeviceActivityStore((state) => state.sync);
  return (
    <ActivityTable
      title={t('deviceActivity.sync')}
      empty={t('deviceActivity.noTargets')}
      testId="device-sync"
      headers={[t('deviceActivity.target'), t('deviceActivity.state'), t('deviceActivity.revision'), t('deviceActivity.cloudId'), t('deviceActivity.error')]}
      rows={sync.map((item) => ({
        key: item.target,
        cells: [`${item.target} (${item.kind})`, t(`deviceActivity.sync.${item.state}`), item.revision ?? '—', item.cloudId ?? '—', item.error ? `${item.error.code}: ${item.error.message}` : '—'],
      }))}
    />
  );
}
