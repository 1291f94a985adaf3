/** AppInfoState: app.info once, its failure as one line, fields only the class writes. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppInfoState } from '../../src-renderer/src/lib/app-info.svelte.ts';
import { BridgeDouble } from './bridge-double.ts';

describe('AppInfoState', () => {
  const bridge = new BridgeDouble();
  beforeEach(() => bridge.install());
  afterEach(() => {
    bridge.uninstall();
    bridge.calls.length = 0;
  });

  it('holds the answer, and a later failure replaces nothing but the error', async () => {
    const state = new AppInfoState();
    const info = { version: '0.1.0', database: '/tmp/pie.db', carrier: 'http' };
    const one = state.load();
    bridge.take('app.info').answer(info);
    await one;
    expect(state.info).toEqual(info);
    expect(state.error).toBeNull();
    const two = state.load();
    bridge.take('app.info').fail('cannot reach the PIE Audit server');
    await two;
    expect(state.info).toEqual(info);
    expect(state.error).toBe('cannot reach the PIE Audit server');
  });

  it('exposes no field another module can write', () => {
    const state = new AppInfoState();
    for (const field of ['info', 'error']) expect(Reflect.set(state, field, null), field).toBe(false);
  });
});
