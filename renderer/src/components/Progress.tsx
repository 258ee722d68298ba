import { useT } from '../i18n';

/** A long operation's progress: a real <progress> with its text; indeterminate without a value. */
export function Progress({ label, value, max = 1 }: { label: string; value?: number; max?: number }) {
  const t = useT();
  const percent = value === undefined ? null : Math.round((Math.min(value, max) / max) * 100);
  const text = percent === null ? t('progress.indeterminate', { label }) : t('progress.label', { label, percent });
  return (
    <div className="progress">
      <progress aria-label={label} value={value} max={max} />
      <span aria-live="polite">{text}</span>
    </div>
  );
}
