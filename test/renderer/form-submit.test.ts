/** submitRequest, the run form's and the evaluation form's submit: a wrong field is shown instead of starting. */
import { describe, expect, it } from 'vitest';
import { submitRequest } from '../../src-renderer/src/lib/form-submit.ts';

function submitEvent(): SubmitEvent {
  return new Event('submit', { cancelable: true }) as SubmitEvent;
}

describe('submitRequest', () => {
  it('shows why the fields are wrong and starts nothing', async () => {
    const started: unknown[] = [];
    const shown: (string | null)[] = [];
    const submit = submitRequest(
      () => {
        throw new Error('Sparsities: 1.2 is not between 0 and 1');
      },
      async (request) => started.push(request),
      (message) => shown.push(message),
    );
    const event = submitEvent();
    await submit(event);
    expect(event.defaultPrevented).toBe(true);
    expect(started).toEqual([]);
    expect(shown).toEqual([null, 'Sparsities: 1.2 is not between 0 and 1']);
  });

  it('clears the last error and starts the request the fields make', async () => {
    const started: unknown[] = [];
    const shown: (string | null)[] = [];
    const submit = submitRequest(
      () => ({ dataset: 'fashion-mnist', preset: 'quick' }),
      async (request) => started.push(request),
      (message) => shown.push(message),
    );
    await submit(submitEvent());
    expect(started).toEqual([{ dataset: 'fashion-mnist', preset: 'quick' }]);
    expect(shown).toEqual([null]);
  });
});
