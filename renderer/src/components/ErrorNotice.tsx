import type { AppError } from '../../../shared/result';
import { describeError, useLocale, useT } from '../i18n';

/** An expected failure: its code, the contract's message, and what to do. */
export function ErrorNotice({ error, onDismiss }: { error: AppError; onDismiss?: () => void }) {
  const t = useT();
  const text = describeError(error, useLocale());
  return (
    <div role="alert" className="notice error" data-code={text.code}>
      <strong>{t('error.title', { code: text.code })}</strong>
      <p>{text.message}</p>
      {text.hint && <p className="hint">{t('error.whatToDo', { hint: text.hint })}</p>}
      {onDismiss && (
        <button type="button" onClick={onDismiss}>
          {t('error.dismiss')}
        </button>
      )}
    </div>
  );
}
