import { useT } from '../i18n';
import { useSyncStore } from '../stores';

/** Each conflict with both sides, and the choice that settles it. */
export function Conflicts() {
  const t = useT();
  const conflicts = useSyncStore((state) => state.conflicts);
  const resolve = useSyncStore((state) => state.resolve);
  return (
    <div className="panel">
      <h2>{t('sync.conflicts')}</h2>
      {conflicts.length === 0 && <p>{t('sync.noConflicts')}</p>}
      {conflicts.map((conflict) => (
        <div key={conflict.id} className="conflict" data-testid="sync-conflict">
          <h3>
            #{conflict.id} {conflict.target}: {conflict.kind}
          </h3>
          <div className="sides">
            <div>
              <h4>{t('sync.local')}</h4>
              <pre>{JSON.stringify(conflict.local, null, 2)}</pre>
            </div>
            <div>
              <h4>{t('sync.cloud')}</h4>
              <pre>{JSON.stringify(conflict.cloud, null, 2)}</pre>
            </div>
          </div>
          <div className="form-row">
            <button type="button" onClick={() => void resolve(conflict.id, 'local')}>
              {t('sync.keepLocal')}
            </button>
            <button type="button" onClick={() => void resolve(conflict.id, 'cloud')}>
              {t('sync.keepCloud')}
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
