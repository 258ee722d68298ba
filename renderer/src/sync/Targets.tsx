import { useT } from '../i18n';
import { useSyncStore } from '../stores';

export function Targets() {
  const t = useT();
  const targets = useSyncStore((state) => state.targets);
  return (
    <table className="simple-table" data-testid="sync-targets">
      <thead>
        <tr>
          <th>{t('sync.target')}</th>
          <th>{t('sync.kind')}</th>
          <th>{t('sync.url')}</th>
          <th>{t('sync.rate')}</th>
        </tr>
      </thead>
      <tbody>
        {targets.map((target) => (
          <tr key={target.name}>
            <td>{target.name}</td>
            <td>{target.kind}</td>
            <td>{target.url}</td>
            <td>{target.rate}/s</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
