import { useMemo, useState } from 'react';
import { Field } from '../components/Field';
import { useT } from '../i18n';
import { useHubStore } from '../stores';
import { filterMessages } from './hub-data';

const SHOWN = 200;

/** The sampled live stream: newest first, filterable, pausable. */
export function MessageStream() {
  const t = useT();
  const messages = useHubStore((state) => state.messages);
  const dropped = useHubStore((state) => state.dropped);
  const paused = useHubStore((state) => state.paused);
  const setPaused = useHubStore((state) => state.setPaused);
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => filterMessages(messages, filter).slice(-SHOWN).reverse(), [messages, filter]);
  return (
    <div className="panel">
      <h2>{t('hub.stream')}</h2>
      <div className="form-row">
        <Field label={t('hub.filter')}>
          <input type="search" value={filter} onChange={(event) => setFilter(event.target.value)} />
        </Field>
        <button type="button" aria-pressed={paused} onClick={() => setPaused(!paused)}>
          {paused ? t('hub.resume') : t('hub.pause')}
        </button>
        <span>{t('hub.dropped', { count: dropped })}</span>
      </div>
      <ol className="log-lines" data-testid="hub-messages">
        {shown.map((message, index) => (
          <li key={`${message.receivedAt}-${index}`}>
            <time>{new Date(message.receivedAt).toLocaleTimeString()}</time> <b>{message.kind}</b> {message.productKey}/{message.deviceKey} {message.name ?? ''} <code>{JSON.stringify(message.values)}</code>
          </li>
        ))}
      </ol>
    </div>
  );
}
