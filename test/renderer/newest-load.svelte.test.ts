/**
 * NewestLoad, the one "newest call wins" load behind the image detail, the results, the grid
 * and a study's report: an older answer or failure never replaces the newest, the loading
 * flag follows the newest call only, and a failure clears what it would have replaced.
 */
import { describe, expect, it } from 'vitest';
import { NewestLoad } from '../../src-renderer/src/lib/newest-load.svelte.ts';

/** A promise the test settles by hand, so it decides the order answers arrive in. */
function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: Error): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('NewestLoad', () => {
  it('keeps the newest answer even when an older one arrives after it, and stays loading until the newest settles', async () => {
    const load = new NewestLoad();
    const kept: string[] = [];
    const [a, b] = [deferred<string>(), deferred<string>()];
    const first = load.run(() => a.promise, (v) => kept.push(v), () => kept.push('cleared'));
    const second = load.run(() => b.promise, (v) => kept.push(v), () => kept.push('cleared'));
    expect(load.loading).toBe(true);
    a.resolve('old');
    await first;
    expect(kept).toEqual([]);
    expect(load.loading).toBe(true);
    b.resolve('new');
    await second;
    expect(kept).toEqual(['new']);
    expect(load.loading).toBe(false);
    expect(load.error).toBeNull();
  });

  it('ignores an older failure, and on the newest failure clears and keeps its message until the next call', async () => {
    const load = new NewestLoad();
    const kept: string[] = [];
    const [a, b] = [deferred<string>(), deferred<string>()];
    const first = load.run(() => a.promise, (v) => kept.push(v), () => kept.push('cleared'));
    const second = load.run(() => b.promise, (v) => kept.push(v), () => kept.push('cleared'));
    a.reject(new Error('experiment 1 is gone'));
    await first;
    expect([kept, load.error]).toEqual([[], null]);
    b.reject(new Error('experiment 2 has no finished dense model'));
    await second;
    expect(kept).toEqual(['cleared']);
    expect(load.error).toBe('experiment 2 has no finished dense model');
    expect(load.loading).toBe(false);
    const c = deferred<string>();
    const third = load.run(() => c.promise, (v) => kept.push(v), () => kept.push('cleared'));
    expect(load.error).toBeNull();
    c.resolve('again');
    await third;
    expect(kept).toEqual(['cleared', 'again']);
  });

  it('tells a follow-up load whether its call is still the newest', async () => {
    const load = new NewestLoad();
    let check: (() => boolean) | null = null;
    await load.run(
      () => Promise.resolve(1),
      (_value, stillNewest) => (check = stillNewest),
      () => {},
    );
    expect(check!()).toBe(true);
    await load.run(
      () => Promise.resolve(2),
      () => {},
      () => {},
    );
    expect(check!()).toBe(false);
  });
});
