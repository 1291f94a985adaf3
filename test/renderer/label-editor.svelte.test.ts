/**
 * The label editor of the audit and blind study labeling: toggles in the schema's order,
 * 'none' apart from the categories, notes only on a label, undo, loading the server's
 * labels without losing changes still waiting, and the guard against closing the page
 * while anything is unsaved.
 */
import { describe, expect, it } from 'vitest';
import type { LabelDto } from '../../src-renderer/src/lib/api.ts';
import { LabelEditor, type LabelTarget } from '../../src-renderer/src/lib/label-editor.svelte.ts';
import type { LabelSave } from '../../src-renderer/src/lib/label-saves.svelte.ts';

const SCHEMA = ['atypical', 'noisy', 'mislabeled', 'multiple-objects', 'fine-grained', 'abstract'];

/** An editor whose saves the test answers (held: not answered until release()). */
function editor(options: { target?: LabelTarget | null; hold?: boolean } = {}) {
  const sent: LabelSave[] = [];
  const waiting: (() => void)[] = [];
  let target: LabelTarget | null = options.target === undefined ? { scope: 1, annotator: 'alice' } : options.target;
  const answer = (save: LabelSave) => ({
    label: save.draft.categories.length === 0 ? null : { imageIndex: save.imageIndex, ...save.draft, labeledAt: `saved-${sent.length}` },
  });
  const e = new LabelEditor({
    send: (save) => {
      sent.push(save);
      if (!options.hold) return Promise.resolve(answer(save));
      return new Promise((resolve) => waiting.push(() => resolve(answer(save))));
    },
    target: () => target,
    categories: () => SCHEMA,
    status: () => {},
  });
  return {
    e,
    sent,
    setTarget: (t: LabelTarget | null) => (target = t),
    release: async () => {
      while (waiting.length) {
        waiting.shift()?.();
        for (let i = 0; i < 5; i++) await Promise.resolve();
      }
    },
  };
}

const categories = (e: LabelEditor, image: number): string[] | null => e.labelOf(image)?.categories ?? null;

describe('LabelEditor', () => {
  it("toggles categories in the schema's order, and 'none' replaces them (again clears it)", () => {
    const { e, sent } = editor();
    e.toggle(3, 'mislabeled');
    e.toggle(3, 'atypical');
    expect(categories(e, 3)).toEqual(['atypical', 'mislabeled']);
    e.setNone(3);
    expect(categories(e, 3)).toEqual(['none']);
    e.toggle(3, 'noisy'); // a category clears 'none'
    expect(categories(e, 3)).toEqual(['noisy']);
    e.toggle(3, 'noisy');
    expect(e.labelOf(3)).toBeNull();
    e.setNone(4);
    e.setNone(4);
    expect(e.labelOf(4)).toBeNull();
    expect(sent.map((s) => [s.imageIndex, s.draft.categories])).toEqual([[3, ['mislabeled']]]); // the rest wait behind it
    expect(e.version).toBeGreaterThanOrEqual(7);
  });

  it('keeps a note only on a label, and drops it with the last category', () => {
    const { e } = editor();
    e.setNote(1, 'blurry');
    expect(e.labelOf(1)).toBeNull();
    e.toggle(1, 'noisy');
    e.setNote(1, 'blurry');
    expect(e.labelOf(1)).toMatchObject({ categories: ['noisy'], note: 'blurry' });
    e.toggle(1, 'noisy');
    expect(e.labelOf(1)).toBeNull();
    e.undo();
    expect(e.labelOf(1)).toMatchObject({ categories: ['noisy'], note: 'blurry' });
  });

  it('undoes changes newest first, returning the image changed, and saves what it restores', async () => {
    const { e, sent, release } = editor({ hold: true });
    e.toggle(1, 'atypical');
    e.toggle(2, 'noisy');
    e.toggle(2, 'abstract');
    expect(e.undoDepth).toBe(3);
    expect(e.undo()).toBe(2);
    expect(categories(e, 2)).toEqual(['noisy']);
    expect(e.undo()).toBe(2);
    expect(e.labelOf(2)).toBeNull();
    expect(e.undo()).toBe(1);
    expect(e.undo()).toBeNull();
    expect(e.undoDepth).toBe(0);
    // image 1 in flight, then image 2 and image 1 again (never merged into the one in flight)
    expect(e.pending).toBe(3);
    await release();
    expect(e.pending).toBe(0);
    // what went out last for each image is what undo restored: nothing
    const last = new Map(sent.map((s) => [s.imageIndex, s.draft.categories]));
    expect([...last]).toEqual([
      [1, []],
      [2, []],
    ]);
    expect(e.lastSaved).toBe('removed');
  });

  it("takes the server's labels on load but keeps the changes still waiting to be saved", async () => {
    const { e, release } = editor({ hold: true });
    e.toggle(5, 'atypical'); // in flight
    e.toggle(6, 'noisy'); // waiting
    const fromServer: LabelDto[] = [
      { imageIndex: 6, categories: ['abstract'], note: '', labeledAt: 'old' },
      { imageIndex: 9, categories: ['none'], note: 'clean', labeledAt: 'old' },
    ];
    e.load(fromServer, { scope: 1, annotator: 'alice' }, { scope: 1, annotator: 'alice' });
    expect(categories(e, 6)).toEqual(['noisy']);
    expect(e.labelOf(9)).toMatchObject({ categories: ['none'], note: 'clean' });
    expect(e.labelOf(5)).toBeNull(); // in flight, not waiting: the server's answer brings it
    expect(e.undoDepth).toBe(2); // same target: the history stays
    await release();
    expect(categories(e, 5)).toEqual(['atypical']);
    expect(categories(e, 6)).toEqual(['noisy']);

    // another annotator's labels: the undo history goes
    e.load([], { scope: 1, annotator: 'bob' }, { scope: 1, annotator: 'alice' });
    expect(e.undoDepth).toBe(0);
    expect(e.labels().size).toBe(0);
  });

  it('ignores changes while there is no target (nothing loaded)', () => {
    const { e, sent } = editor({ target: null });
    e.toggle(1, 'atypical');
    e.setNone(2);
    expect(e.labels().size).toBe(0);
    expect(sent).toEqual([]);
    expect(e.undoDepth).toBe(0);
  });

  it("files each change under the target of the moment it was made", async () => {
    const { e, sent, setTarget, release } = editor({ hold: true });
    e.toggle(1, 'atypical');
    setTarget({ scope: 2, annotator: 'bob' });
    e.toggle(1, 'noisy');
    await release();
    expect(sent.map((s) => [s.scope, s.annotator, s.draft.categories])).toEqual([
      [1, 'alice', ['atypical']],
      [2, 'bob', ['atypical', 'noisy']],
    ]);
  });

  it('asks before the page closes while a change is unsaved', async () => {
    const { e, release } = editor({ hold: true });
    const closing = (): boolean => {
      const event = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(closing()).toBe(false);
    e.toggle(1, 'atypical');
    expect(closing()).toBe(true);
    await release();
    expect(closing()).toBe(false);
  });
});
