import { useT } from '../i18n';
import { Progress } from '../components/Progress';
import { useProvisioningStore } from '../stores';
import { currentStep, slotProgress, type Slot } from './slots';

/** One fixture slot: its step, progress, result and a retry. */
export function SlotCard({ slot }: { slot: Slot }) {
  const t = useT();
  const retry = useProvisioningStore((state) => state.retry);
  const step = slot.result ? null : currentStep(slot);
  const outcome = slot.result?.outcome;
  return (
    <div className={`slot panel outcome-${outcome ?? 'running'}`} data-testid="slot" data-port={slot.port} data-outcome={outcome ?? ''}>
      <h3>
        <code>{slot.port}</code>
      </h3>
      <p>{slot.deviceKey ?? '—'}</p>
      <Progress label={step ? t(`provision.step.${step}`) : t('provision.pipeline')} value={slotProgress(slot)} />
      {outcome && <p className="slot-outcome">{t(`provision.outcome.${outcome}`)}</p>}
      {slot.result?.error && <p className="error">{slot.result.error.message}</p>}
      {(outcome === 'failed' || outcome === 'held') && (
        <button type="button" onClick={() => void retry(slot.port)}>
          {t('station.retry')}
        </button>
      )}
    </div>
  );
}
