import { useState, type FormEvent } from 'react';
import type { z } from 'zod';
import { useStore } from 'zustand';
import { createContractForm, type ContractFormOptions, type ContractFormState } from './contract-form';

/**
 * A contract form for a component: one store per mounted form. Returns the state, and an
 * `onSubmit` for the <form> element.
 */
export function useContractForm<S extends z.ZodType, V, T>(options: ContractFormOptions<S, V, T>) {
  const [store] = useState(() => createContractForm(options));
  const state: ContractFormState<V, T> = useStore(store);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void state.submit();
  };
  return { ...state, onSubmit };
}
