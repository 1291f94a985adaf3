/** ImageDetailState: the newest image asked for wins, a failure clears the detail, fields only the class writes. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImageDetailState } from '../../src-renderer/src/lib/image-detail.svelte.ts';
import { BridgeDouble } from './bridge-double.ts';

describe('ImageDetailState', () => {
  const bridge = new BridgeDouble();
  beforeEach(() => bridge.install());
  afterEach(() => {
    bridge.uninstall();
    bridge.calls.length = 0;
  });

  it('shows the image asked for last, even when an earlier one answers after it', async () => {
    const state = new ImageDetailState();
    const first = state.load(1, 10);
    const second = state.load(1, 11);
    const [a, b] = [bridge.take('image.detail'), bridge.take('image.detail')];
    expect([a.payload, b.payload]).toEqual([
      { experimentId: 1, imageIndex: 10 },
      { experimentId: 1, imageIndex: 11 },
    ]);
    b.answer({ imageIndex: 11 });
    await second;
    expect(state.loading).toBe(false);
    a.answer({ imageIndex: 10 });
    await first;
    expect(state.detail).toEqual({ imageIndex: 11 });
  });

  it('clears the detail and says why when the image cannot be read', async () => {
    const state = new ImageDetailState();
    const one = state.load(1, 10);
    bridge.take('image.detail').answer({ imageIndex: 10 });
    await one;
    const two = state.load(1, 99999);
    bridge.take('image.detail').fail('no image 99999 in the test split');
    await two;
    expect(state.detail).toBeNull();
    expect(state.error).toBe('no image 99999 in the test split');
    expect(state.loading).toBe(false);
  });

  it('exposes no field another module can write', () => {
    const state = new ImageDetailState();
    for (const field of ['detail', 'loading', 'error']) expect(Reflect.set(state, field, null), field).toBe(false);
  });
});
