import type { z } from 'zod';
import { createStore } from 'zustand/vanilla';
import type { AppError, Result } from '../../../shared/result';

/** Field path (`a.b.0`) → first problem there; `''` holds problems of the whole form. */
export type FieldErrors = Record<string, string>;

export type ValidationOutcome<T> = { ok: true; value: T } | { ok: false; fieldErrors: FieldErrors };

/** Checks input with a contract schema, the same one the service checks on arrival, keeping the first problem per field. */
export function validateWith<S extends z.ZodType>(schema: S, input: unknown): ValidationOutcome<z.output<S>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const fieldErrors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String).join('.');
    fieldErrors[path] ??= issue.message;
  }
  return { ok: false, fieldErrors };
}

export interface ContractFormState<V, T> {
  values: V;
  fieldErrors: FieldErrors;
  /** The service's refusal, shown beside the form with its code. */
  serverError: AppError | null;
  submitting: boolean;
  result: T | null;
  setField<K extends keyof V>(name: K, value: V[K]): void;
  /** Validates, then sends; nothing is sent while a field is invalid. */
  submit(): Promise<Result<T> | null>;
}

export interface ContractFormOptions<S extends z.ZodType, V, T> {
  schema: S;
  initial: V;
  /** Turns what the fields hold (text) into the request input the schema checks. */
  toInput: (values: V) => unknown;
  send: (input: z.output<S>) => Promise<Result<T>>;
}

/** A form over one contract request: fields, validation by the request's schema, the server's answer. */
export function createContractForm<S extends z.ZodType, V, T>(options: ContractFormOptions<S, V, T>) {
  return createStore<ContractFormState<V, T>>((set, get) => ({
    values: options.initial,
    fieldErrors: {},
    serverError: null,
    submitting: false,
    result: null,
    setField(name, value) {
      const { [String(name)]: _fixed, ...fieldErrors } = get().fieldErrors;
      set({ values: { ...get().values, [name]: value }, fieldErrors });
    },
    async submit() {
      const checked = validateWith(options.schema, options.toInput(get().values));
      if (!checked.ok) {
        set({ fieldErrors: checked.fieldErrors, serverError: null });
        return null;
      }
      set({ submitting: true, fieldErrors: {}, serverError: null });
      const result = await options.send(checked.value);
      set({ submitting: false, serverError: result.ok ? null : result.error, result: result.ok ? result.value : get().result });
      return result;
    },
  }));
}
