import { PIPELINE_STEPS } from '../../../shared/contract';
import { useT } from '../i18n';
import type { Slot } from './slots';

/** Each pipeline step of one run, live, with its time once finished. */
export function PipelineSteps({ slot }: { slot: Slot }) {
  const t = useT();
  return (
    <ol className="pipeline" data-testid="pipeline-steps">
      {PIPELINE_STEPS.map((step) => {
        const { status, detail, ms } = slot.steps[step];
        return (
          <li key={step} className={`step-${status}`} data-step={step} data-status={status}>
            <b>{t(`provision.step.${step}`)}</b> <span>{t(`provision.status.${status}`)}</span>
            {ms !== null && <span className="muted"> {Math.round(ms)} ms</span>}
            {detail && <div className="muted">{detail}</div>}
          </li>
        );
      })}
    </ol>
  );
}
