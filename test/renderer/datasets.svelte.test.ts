/**
 * DatasetsState: the list's reloads folded into one more, the one-click import's progress
 * and error, and fields only the class writes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetsState } from '../../src-renderer/src/lib/datasets.svelte.ts';
import { BridgeDouble, settle } from './bridge-double.ts';

const fashion = { id: 1, name: 'fashion-mnist', kind: 'fashion-mnist' };
const digits = { id: 2, name: 'digits', kind: 'mnist' };

describe('DatasetsState', () => {
  const bridge = new BridgeDouble();
  beforeEach(() => bridge.install());
  afterEach(() => {
    bridge.uninstall();
    bridge.calls.length = 0;
  });

  it('folds reloads asked for during one into a single further reload, and keeps the last answer', async () => {
    const state = new DatasetsState();
    const first = state.refresh();
    void state.refresh();
    void state.refresh();
    expect(bridge.calls.map((c) => c.method)).toEqual(['datasets.list']);
    bridge.take('datasets.list').answer([digits]);
    await settle();
    // The two asked for during the first became one more.
    expect(bridge.calls.map((c) => c.method)).toEqual(['datasets.list']);
    expect(state.loaded).toBe(false);
    bridge.take('datasets.list').answer([digits, fashion]);
    await first;
    expect(state.items).toEqual([digits, fashion]);
    expect(state.loaded).toBe(true);
    expect(state.hasFashionMnist).toBe(true);
    expect(bridge.calls).toHaveLength(0);
  });

  it('keeps the list it had when a reload fails, and says why', async () => {
    const state = new DatasetsState();
    const one = state.refresh();
    bridge.take('datasets.list').answer([digits]);
    await one;
    const two = state.refresh();
    bridge.take('datasets.list').fail('the database is busy');
    await two;
    expect(state.items).toEqual([digits]);
    expect(state.loadError).toBe('the database is busy');
    expect(state.hasFashionMnist).toBe(false);
  });

  it('shows download progress only while adding Fashion-MNIST, refuses a second add meanwhile, and keeps the failure until dismissed', async () => {
    const state = new DatasetsState();
    state.handleEvent({ type: 'download.progress', file: 'train-images', received: 5, total: 10 });
    expect(state.progress).toBeNull();
    const adding = state.addFashionMnist();
    expect(state.adding).toBe(true);
    void state.addFashionMnist();
    expect(bridge.calls.filter((c) => c.method === 'datasets.addKnown')).toHaveLength(1);
    state.handleEvent({ type: 'download.progress', file: 'train-images', received: 5, total: 10 });
    expect(state.progress).toEqual({ file: 'train-images', received: 5, total: 10 });
    bridge.take('datasets.addKnown').fail('download failed: HTTP 503');
    await adding;
    expect(state.adding).toBe(false);
    expect(state.progress).toBeNull();
    expect(state.addError).toBe('download failed: HTTP 503');
    state.dismissAddError();
    expect(state.addError).toBeNull();
  });

  it('reloads the list after a successful add, and again on datasets.changed', async () => {
    const state = new DatasetsState();
    const adding = state.addFashionMnist();
    const add = bridge.take('datasets.addKnown');
    expect(add.payload).toEqual({ kind: 'fashion-mnist' });
    add.answer({ name: 'fashion-mnist' });
    await settle();
    expect(state.adding).toBe(true);
    bridge.take('datasets.list').answer([fashion]);
    await adding;
    expect(state.adding).toBe(false);
    expect(state.items).toEqual([fashion]);
    state.handleEvent({ type: 'datasets.changed' });
    bridge.take('datasets.list').answer([fashion, digits]);
    await settle();
    expect(state.items).toEqual([fashion, digits]);
  });

  it('exposes no field another module can write', () => {
    const state = new DatasetsState();
    for (const field of ['items', 'loaded', 'loadError', 'adding', 'addError', 'progress', 'hasFashionMnist']) {
      expect(Reflect.set(state, field, null), field).toBe(false);
    }
  });
});
