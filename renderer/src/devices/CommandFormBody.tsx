import { ErrorNotice } from '../components/ErrorNotice';
import { Field } from '../components/Field';
import { CommandOutcomeText } from './CommandOutcomeText';
import { ParamInput } from './ParamInput';
import type { ParamField } from './param-fields';
import type { useCommandForm } from './useCommandForm';

/** The generated fields of a command form, its send button, the form's problem, and what came of the command. */
export function CommandFormBody({ fields, form, sendLabel, outcomeTestId }: { fields: readonly ParamField[]; form: ReturnType<typeof useCommandForm<never>>; sendLabel: string; outcomeTestId: string }) {
  return (
    <>
      {fields.map((field) => (
        <Field key={field.id} label={`${field.label} (${field.dataType})`} error={form.fieldErrors[field.id]}>
          <ParamInput field={field} value={form.values[field.id]} onChange={(value) => form.setValue(field.id, value)} />
        </Field>
      ))}
      <button type="submit" disabled={form.busy}>
        {sendLabel}
      </button>
      {form.fieldErrors[''] && <span className="field-error">{form.fieldErrors['']}</span>}
      {form.outcome && <CommandOutcomeText outcome={form.outcome} testId={outcomeTestId} />}
      {form.error && <ErrorNotice error={form.error} />}
    </>
  );
}
