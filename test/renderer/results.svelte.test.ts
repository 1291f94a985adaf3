/**
 * ResultsState: the newest experiment asked for wins over a slower earlier answer, a
 * failure clears what was shown, the optional shift table, and fields only the class writes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResultsState } from '../../src-renderer/src/lib/results.svelte.ts';
import { BridgeDouble, settle } from './bridge-double.ts';

describe('ResultsState', () => {
  const bridge = new BridgeDouble();
  beforeEach(() => bridge.install());
  afterEach(() => {
    bridge.uninstall();
    bridge.calls.length = 0;
  });

  /** Answers the open report, models and impact calls for one experiment. */
  async function answer(experimentId: number, report: object): Promise<void> {
    const call = bridge.calls.find((c) => c.method === 'report.get' && (c.payload as { experimentId: number }).experimentId === experimentId);
    if (!call) throw new Error(`no report.get for ${experimentId}`);
    bridge.calls.splice(bridge.calls.indexOf(call), 1);
    call.answer(report);
    await settle();
    bridge.take('experiments.models').answer([{ experiment: experimentId }]);
    bridge.take('classes.impact').answer([{ experiment: experimentId }]);
    await settle();
  }

  it('shows the experiment asked for last, even when an earlier one answers after it', async () => {
    const state = new ResultsState();
    const first = state.load(1, 0.9);
    const second = state.load(2, 0.9);
    expect(state.experimentId).toBe(2);
    expect(state.loading).toBe(true);
    await answer(2, { id: 2 });
    await second;
    await answer(1, { id: 1 });
    await first;
    expect(state.report).toEqual({ id: 2 });
    expect(state.models).toEqual([{ experiment: 2 }]);
    expect(state.impact).toEqual([{ experiment: 2 }]);
    expect(state.loading).toBe(false);
    // The shift table follows the rest; an experiment without one shows none.
    bridge.take('shift.get').answer({ rows: [] });
    await settle();
    expect(state.shift).toBeNull();
  });

  it('clears what was shown when the report fails, and keeps the reason', async () => {
    const state = new ResultsState();
    const one = state.load(1, 0.9);
    await answer(1, { id: 1 });
    await one;
    const shift = { rows: [{ set: 'shot_noise:3' }] };
    bridge.take('shift.get').answer(shift);
    await settle();
    expect(state.shift).toEqual(shift);
    const two = state.load(3, 0.9);
    bridge.take('report.get').fail('experiment 3 has no finished dense model');
    await two;
    expect(state.report).toBeNull();
    expect(state.models).toEqual([]);
    expect(state.impact).toEqual([]);
    expect(state.shift).toBeNull();
    expect(state.error).toBe('experiment 3 has no finished dense model');
  });

  it('exposes no field another module can write', () => {
    const state = new ResultsState();
    for (const field of ['experimentId', 'report', 'models', 'impact', 'shift', 'loading', 'error']) {
      expect(Reflect.set(state, field, null), field).toBe(false);
    }
  });
});
