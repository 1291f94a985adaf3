/** ExperimentsState: the list's reloads folded into one more (the same FoldedReload as the datasets list). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExperimentsState } from '../../src-renderer/src/lib/experiments.svelte.ts';
import { BridgeDouble, settle } from './bridge-double.ts';

const older = { id: 1, name: 'first', models: { done: 3 } };
const newer = { id: 2, name: 'second', models: { done: 0 } };

describe('ExperimentsState', () => {
  const bridge = new BridgeDouble();
  beforeEach(() => bridge.install());
  afterEach(() => {
    bridge.uninstall();
    bridge.calls.length = 0;
  });

  it('folds the reloads that training events ask for during one into a single further reload', async () => {
    const state = new ExperimentsState();
    const first = state.refresh();
    state.handleEvent({ type: 'train.model-done' } as Parameters<ExperimentsState['handleEvent']>[0]);
    state.handleEvent({ type: 'train.finished' } as Parameters<ExperimentsState['handleEvent']>[0]);
    expect(bridge.calls.map((c) => c.method)).toEqual(['experiments.list']);
    bridge.take('experiments.list').answer([older]);
    await settle();
    expect(bridge.calls.map((c) => c.method)).toEqual(['experiments.list']);
    expect(state.loaded).toBe(false);
    bridge.take('experiments.list').answer([newer, older]);
    await first;
    expect(state.items.map((e) => e.id)).toEqual([2, 1]);
    expect(state.latest?.id).toBe(1);
    expect(state.loaded).toBe(true);
    expect(bridge.calls).toHaveLength(0);
  });

  it('keeps the list it had when a reload fails, says why, and clears the error on the next success', async () => {
    const state = new ExperimentsState();
    const one = state.refresh();
    bridge.take('experiments.list').answer([older]);
    await one;
    const two = state.refresh();
    bridge.take('experiments.list').fail('the database is locked');
    await two;
    expect(state.items.map((e) => e.id)).toEqual([1]);
    expect(state.error).toBe('the database is locked');
    const three = state.refresh();
    bridge.take('experiments.list').answer([newer, older]);
    await three;
    expect(state.error).toBeNull();
  });
});
