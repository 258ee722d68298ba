import { logsRequests, LogLevelSchema } from '../../../shared/contract';
import { ErrorNotice } from '../components/ErrorNotice';
import { Field } from '../components/Field';
import { useContractForm } from '../forms/useContractForm';
import { useT } from '../i18n';
import { useLogsStore } from '../stores';
import { useLiveData } from '../stores/useLiveData';

/** The filter is a form over `logs.recent`: its schema refuses a bad line count before anything is sent. */
function LogsFilter() {
  const t = useT();
  const load = useLogsStore((state) => state.load);
  const form = useContractForm({
    schema: logsRequests.recent.input,
    initial: { limit: '500', minLevel: '' },
    toInput: (values) => ({ limit: Number(values.limit), ...(values.minLevel ? { minLevel: values.minLevel } : {}) }),
    send: async (input) => (await load(input), { ok: true as const, value: null }),
  });
  return (
    <form className="form-row" onSubmit={form.onSubmit} aria-label={t('logs.filter')} noValidate>
      <Field label={t('logs.limit')} error={form.fieldErrors.limit}>
        <input type="number" value={form.values.limit} onChange={(event) => form.setField('limit', event.target.value)} />
      </Field>
      <Field label={t('logs.minLevel')} error={form.fieldErrors.minLevel}>
        <select value={form.values.minLevel} onChange={(event) => form.setField('minLevel', event.target.value)}>
          <option value="">{t('logs.anyLevel')}</option>
          {LogLevelSchema.options.map((level) => (
            <option key={level} value={level}>
              {level}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit" disabled={form.submitting}>
        {form.submitting ? t('form.submitting') : t('form.submit')}
      </button>
    </form>
  );
}

export function LogsPage() {
  const t = useT();
  const lines = useLogsStore((state) => state.lines);
  const error = useLogsStore((state) => state.error);
  const load = useLogsStore((state) => state.load);
  const follow = useLogsStore((state) => state.follow);
  useLiveData(load, follow);

  return (
    <section className="panel" aria-labelledby="logs-title">
      <h1 id="logs-title">{t('logs.title')}</h1>
      <LogsFilter />
      {error && <ErrorNotice error={error} />}
      <ol className="log-lines" data-testid="log-lines">
        {lines.map((line) => (
          <li key={line.seq} className={`level-${line.level}`}>
            <time>{new Date(line.time).toLocaleTimeString()}</time> <b>{line.level}</b> <span>{line.subsystem}</span> {line.msg}
          </li>
        ))}
      </ol>
    </section>
  );
}
