import { useState, type FormEvent } from 'react';
import type { CommandOutcome } from '../../../shared/contract';
import type { AppError, Result } from '../../../shared/result';
import type { FieldErrors, ValidationOutcome } from '../forms/contract-form';
import type { FieldValue } from './param-fields';

/**
 * The state of a form that sends one command to a device from generated fields: `check` turns the
 * field texts into the command's input or field errors (nothing is sent then), `send` sends it.
 */
export function useCommandForm<T>(check: (values: Readonly<Record<string, FieldValue>>) => ValidationOutcome<T>, send: (input: T) => Promise<Result<CommandOutcome>>) {
  const [values, setValues] = useState<Record<string, FieldValue>>({});
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [outcome, setOutcome] = useState<CommandOutcome | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = check(values);
    if (!checked.ok) return setFieldErrors(checked.fieldErrors);
    setFieldErrors({});
    setBusy(true);
    const result = await send(checked.value);
    setBusy(false);
    setOutcome(result.ok ? result.value : null);
    setError(result.ok ? null : result.error);
  };
  const setValue = (id: string, value: FieldValue) => setValues((current) => ({ ...current, [id]: value }));
  const reset = () => (setValues({}), setFieldErrors({}));
  return { values, setValue, reset, fieldErrors, outcome, error, busy, onSubmit: (event: FormEvent) => void onSubmit(event) };
}
