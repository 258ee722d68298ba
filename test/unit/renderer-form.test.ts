import { describe, expect, it } from 'vitest';
import { logsRequests } from '../../shared/contract';
import { err, ok, type Result } from '../../shared/result';
import { createContractForm, validateWith } from '../../renderer/src/forms/contract-form';

function logsForm(answer: (input: unknown) => Result<string>) {
  const sent: unknown[] = [];
  const form = createContractForm({
    schema: logsRequests.recent.input,
    initial: { limit: '500', minLevel: '' },
    toInput: (values) => ({ limit: Number(values.limit), ...(values.minLevel ? { minLevel: values.minLevel } : {}) }),
    send: async (input) => (sent.push(input), answer(input)),
  });
  return { form, sent };
}

describe('contract forms', () => {
  it('validateWith keeps the first problem per field path', () => {
    const outcome = validateWith(logsRequests.recent.input, { limit: 0, minLevel: 'loud', extra: 1 });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(Object.keys(outcome.fieldErrors).sort()).toEqual(['', 'limit', 'minLevel']);
    expect(validateWith(logsRequests.recent.input, { limit: 5 })).toEqual({ ok: true, value: { limit: 5 } });
  });

  it('sends nothing while a field is invalid and shows the problem on that field', async () => {
    const { form, sent } = logsForm(() => ok('done'));
    form.getState().setField('limit', '99999');
    expect(await form.getState().submit()).toBeNull();
    expect(sent).toEqual([]);
    expect(form.getState().fieldErrors.limit).toMatch(/5000/);

    form.getState().setField('limit', '20');
    expect(form.getState().fieldErrors.limit).toBeUndefined();
    form.getState().setField('minLevel', 'warn');
    expect(await form.getState().submit()).toEqual(ok('done'));
    expect(sent).toEqual([{ limit: 20, minLevel: 'warn' }]);
    expect(form.getState()).toMatchObject({ submitting: false, serverError: null, result: 'done' });
  });

  it("keeps the server's refusal with its code, and clears it on the next good answer", async () => {
    let answer: Result<string> = err('NOT_FOUND', 'No such thing.');
    const { form } = logsForm(() => answer);
    await form.getState().submit();
    expect(form.getState().serverError).toEqual({ code: 'NOT_FOUND', message: 'No such thing.' });
    answer = ok('fine');
    await form.getState().submit();
    expect(form.getState().serverError).toBeNull();
  });

  it('is busy while the request is in flight', async () => {
    let release!: () => void;
    const form = createContractForm({
      schema: logsRequests.recent.input,
      initial: { limit: 5 },
      toInput: (values) => values,
      send: () => new Promise<Result<null>>((resolve) => (release = () => resolve(ok(null)))),
    });
    const submitted = form.getState().submit();
    expect(form.getState().submitting).toBe(true);
    release();
    await submitted;
    expect(form.getState().submitting).toBe(false);
  });
});
