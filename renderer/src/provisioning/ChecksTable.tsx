import type { Check } from '../../../shared/contract';
import { useT } from '../i18n';

/** Verification, per protocol and check: result, latency and what it means. */
export function ChecksTable({ checks }: { checks: Check[] }) {
  const t = useT();
  if (checks.length === 0) return null;
  return (
    <table className="simple-table" data-testid="verify-checks">
      <thead>
        <tr>
          <th>{t('provision.protocol')}</th>
          <th>{t('provision.check')}</th>
          <th>{t('provision.result')}</th>
          <th>{t('provision.latency')}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {checks.map((check) => (
          <tr key={`${check.protocol}-${check.check}`} className={`check-${check.result}`}>
            <td>{check.protocol}</td>
            <td>{check.check}</td>
            <td>{check.result}</td>
            <td>{check.latencyMs === null ? '—' : `${Math.round(check.latencyMs)} ms`}</td>
            <td>{check.explanation}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
