/**
 * The label save queue: one save at a time in the order made, a later change to a label
 * still waiting replaces the earlier one (never the one in flight), a failed save is kept
 * at the head and retried, and pending / lastSaved say where things stand.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LabelDto } from '../../src-renderer/src/lib/api.ts';
import { LabelSaveQueue, type LabelSave } from '../../src-renderer/src/lib/label-saves.svelte.ts';

/** The server's side of the queue: each send waits until the test answers it. */
class Server {
  sent: LabelSave[] = [];
  acks: { save: LabelSave; label: LabelDto | null; current: boolean }[] = [];
  statuses: (string | null)[] = [];
  #answers: { resolve: (label: LabelDto | null) => void; reject: (error: Error) => void }[] = [];

  readonly queue = new LabelSaveQueue({
    send: (save) => {
      this.sent.push({ ...save, draft: { ...save.draft, categories: [...save.draft.categories] } });
      return new Promise((resolve, reject) => this.#answers.push({ resolve: (label) => resolve({ label }), reject }));
    },
    saved: (save, label, current) => this.acks.push({ save, label, current }),
    status: (error) => this.statuses.push(error),
  });

  /** Answers the oldest open send with what a server stores, then lets the queue go on. */
  async ok(labeledAt = '2026-01-01T00:00:00.000Z'): Promise<void> {
    const save = this.sent[this.sent.length - this.#answers.length];
    const answer = this.#answers.shift();
    if (!save || !answer) throw new Error('no send open');
    answer.resolve(save.draft.categories.length === 0 ? null : { imageIndex: save.imageIndex, ...save.draft, labeledAt });
    await settle();
  }

  async fail(message: string): Promise<void> {
    const answer = this.#answers.shift();
    if (!answer) throw new Error('no send open');
    answer.reject(new Error(message));
    await settle();
  }

  get open(): number {
    return this.#answers.length;
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

const change = (imageIndex: number, categories: string[], annotator = 'alice', scope = 1): Omit<LabelSave, 'actions'> => ({
  scope,
  annotator,
  imageIndex,
  draft: { categories, note: '' },
});

describe('LabelSaveQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends one save at a time, oldest first, and counts what is not yet acknowledged', async () => {
    const server = new Server();
    server.queue.add(change(1, ['atypical']));
    server.queue.add(change(2, ['noisy']));
    server.queue.add(change(3, ['none']));
    expect(server.open).toBe(1);
    expect(server.sent.map((s) => s.imageIndex)).toEqual([1]);
    expect(server.queue.pending).toBe(3);

    await server.ok('t1');
    expect(server.sent.map((s) => s.imageIndex)).toEqual([1, 2]);
    expect(server.queue.pending).toBe(2);
    expect(server.queue.lastSaved).toBe('t1');
    await server.ok('t2');
    await server.ok('t3');
    expect(server.sent.map((s) => s.imageIndex)).toEqual([1, 2, 3]);
    expect(server.queue.pending).toBe(0);
    expect(server.acks.map((a) => [a.save.imageIndex, a.current])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
    expect(server.statuses).toEqual([null, null, null]);
  });

  it('replaces a waiting change to the same label, but never the one in flight', async () => {
    const server = new Server();
    server.queue.add(change(7, ['atypical']), 10);
    server.queue.add(change(8, ['noisy']), 11);
    server.queue.add(change(7, ['atypical', 'noisy']), 12); // image 7 is in flight: queued anew
    server.queue.add(change(7, ['mislabeled']), 13); // replaces the waiting one
    server.queue.add(change(8, ['noisy'], 'bob'), 14); // another annotator: another label
    expect(server.queue.waiting().map((s) => [s.imageIndex, s.annotator, s.draft.categories, s.actions])).toEqual([
      [8, 'alice', ['noisy'], [11]],
      [7, 'alice', ['mislabeled'], [12, 13]],
      [8, 'bob', ['noisy'], [14]],
    ]);
    expect(server.queue.pending).toBe(4);

    await server.ok();
    // image 7's first save is acknowledged while a newer change to it waits: not current
    expect(server.acks[0]).toMatchObject({ current: false });
    await server.ok();
    await server.ok();
    await server.ok();
    expect(server.sent.map((s) => [s.imageIndex, s.annotator, s.draft.categories])).toEqual([
      [7, 'alice', ['atypical']],
      [8, 'alice', ['noisy']],
      [7, 'alice', ['mislabeled']],
      [8, 'bob', ['noisy']],
    ]);
    expect(server.acks.map((a) => a.current)).toEqual([false, true, true, true]);
  });

  it('keeps a failed save at the head of the line and retries it after 2 s, or at once on retryNow()', async () => {
    const server = new Server();
    server.queue.add(change(1, ['atypical']));
    server.queue.add(change(2, ['noisy']));
    await server.fail('disk full');
    expect(server.statuses.at(-1)).toBe('Not saved yet (will retry): disk full');
    expect(server.queue.pending).toBe(2);
    expect(server.open).toBe(0);

    await vi.advanceTimersByTimeAsync(1999);
    expect(server.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.sent.map((s) => s.imageIndex)).toEqual([1, 1]);
    await server.fail('still full');
    server.queue.retryNow();
    expect(server.sent.map((s) => s.imageIndex)).toEqual([1, 1, 1]);
    await server.ok('t');
    expect(server.statuses.at(-1)).toBeNull();
    expect(server.sent.map((s) => s.imageIndex)).toEqual([1, 1, 1, 2]);
    await server.ok();
    expect(server.queue.pending).toBe(0);
  });

  it('drops a failed save when a newer change to the same label already waits', async () => {
    const server = new Server();
    server.queue.add(change(5, ['atypical']));
    server.queue.add(change(5, ['noisy']));
    await server.fail('offline');
    expect(server.queue.waiting().map((s) => s.draft.categories)).toEqual([['noisy']]);
    expect(server.queue.pending).toBe(1);
    server.queue.retryNow();
    await server.ok();
    expect(server.sent.map((s) => s.draft.categories)).toEqual([['atypical'], ['noisy']]);
    expect(server.queue.pending).toBe(0);
  });

  it("reports a removal's acknowledgement as 'removed'", async () => {
    const server = new Server();
    server.queue.add(change(4, []));
    await server.ok();
    expect(server.queue.lastSaved).toBe('removed');
    expect(server.acks[0]?.label).toBeNull();
  });
});
