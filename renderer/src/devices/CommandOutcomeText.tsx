import type { CommandOutcome } from '../../../shared/contract';
import { useT } from '../i18n';

/** What came of a command sent to a device: its reply with code, latency and data, or that it was sent or is held. */
export function CommandOutcomeText({ outcome, testId }: { outcome: CommandOutcome; testId: string }) {
  const t = useT();
  return (
    <output data-testid={testId}>
      {outcome.status === 'replied' ? t('invoke.replied', { code: outcome.code, ms: Math.round(outcome.latencyMs), data: JSON.stringify(outcome.data) }) : t(`invoke.${outcome.status}`)}
    </output>
  );
}
