import type { LabelDto } from './api.ts';
import { LabelSaveQueue, type LabelSave } from './label-saves.svelte.ts';

export const NONE = 'none';

export interface LabelDraft {
  categories: string[];
  note: string;
}

/** Whose labels are being edited: the experiment (audit) or study, and the annotator. */
export interface LabelTarget {
  scope: number;
  annotator: string;
}

export interface LabelEditorHooks {
  /** Saves one label on the server (labels.set or study.label). */
  send: (save: LabelSave) => Promise<{ label: LabelDto | null }>;
  /** Where changes go now; null while nothing is loaded (changes are then ignored). */
  target: () => LabelTarget | null;
  /** The schema's category names, in order (toggle keeps this order). */
  categories: () => readonly string[];
  /** The save error to show, or null once saves go through again. */
  status: (error: string | null) => void;
  /** A save was acknowledged (the audit records its keypress-to-durable latency). */
  acknowledged?: (save: LabelSave) => void;
}

/**
 * One annotator's labels on one experiment or study, as the audit and blind study
 * labeling edit them: a change shows at once and is saved at once through the
 * LabelSaveQueue; undo restores an image's previous label (and saves that); the page
 * warns before closing while anything is unsaved.
 */
export class LabelEditor {
  #version = $state(0);
  #undoDepth = $state(0);

  // A plain Map with `version` as its signal: one dependency instead of one per image
  // (the grid reads up to 10,000 of them per filter pass).
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #labels = new Map<number, LabelDto>();
  #undo: { imageIndex: number; before: LabelDraft }[] = [];
  readonly #saves: LabelSaveQueue;
  readonly #hooks: LabelEditorHooks;

  constructor(hooks: LabelEditorHooks) {
    this.#hooks = hooks;
    this.#saves = new LabelSaveQueue({
      send: hooks.send,
      saved: (save, label, current) => {
        hooks.acknowledged?.(save);
        const target = hooks.target();
        if (current && label && target?.scope === save.scope && target.annotator === save.annotator) {
          this.#labels.set(save.imageIndex, label);
          this.#version++;
        }
      },
      status: hooks.status,
    });
    window.addEventListener('beforeunload', (event) => {
      if (this.pending > 0) event.preventDefault();
    });
  }

  /** bumped on every change: read it to depend on the labels */
  get version(): number {
    return this.#version;
  }

  /** how many changes undo can take back */
  get undoDepth(): number {
    return this.#undoDepth;
  }

  /** changes not yet durable (waiting or in flight) */
  get pending(): number {
    return this.#saves.pending;
  }

  /** labeledAt of the last saved change ('removed' for a removal) */
  get lastSaved(): string | null {
    return this.#saves.lastSaved;
  }

  retryNow(): void {
    this.#saves.retryNow();
  }

  labelOf(imageIndex: number): LabelDto | null {
    void this.#version;
    return this.#labels.get(imageIndex) ?? null;
  }

  /** Every label held, by image (read `version` first to depend on it). */
  labels(): ReadonlyMap<number, LabelDto> {
    void this.#version;
    return this.#labels;
  }

  /**
   * Replaces the labels with the server's for `target`, keeping changes still waiting to
   * be saved (they are newer than what the server has). The undo history goes when the
   * target changes.
   */
  load(labels: Iterable<LabelDto>, target: LabelTarget, previous: LabelTarget | null): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see #labels
    const mine = new Map<number, LabelDto>();
    for (const label of labels) mine.set(label.imageIndex, label);
    for (const p of this.#saves.waiting()) {
      if (p.scope !== target.scope || p.annotator !== target.annotator) continue;
      if (p.draft.categories.length === 0) mine.delete(p.imageIndex);
      else mine.set(p.imageIndex, { imageIndex: p.imageIndex, ...p.draft, labeledAt: '' });
    }
    if (previous?.scope !== target.scope || previous.annotator !== target.annotator) this.clearUndo();
    this.#labels = mine;
    this.#version++;
  }

  clearUndo(): void {
    this.#undo = [];
    this.#undoDepth = 0;
  }

  #draftOf(imageIndex: number): LabelDraft {
    const label = this.#labels.get(imageIndex);
    return { categories: [...(label?.categories ?? [])], note: label?.note ?? '' };
  }

  /** Toggles a category (by schema name); choosing one clears 'none'. */
  toggle(imageIndex: number, name: string, at = performance.now()): void {
    const draft = this.#draftOf(imageIndex);
    const had = draft.categories.includes(name);
    const wanted = (c: string): boolean => (c === name ? !had : draft.categories.includes(c));
    this.#apply(imageIndex, { ...draft, categories: this.#hooks.categories().filter(wanted) }, at);
  }

  /** 'none': a typical, clean image (replaces any category; again clears it). */
  setNone(imageIndex: number, at = performance.now()): void {
    const draft = this.#draftOf(imageIndex);
    const isNone = draft.categories.length === 1 && draft.categories[0] === NONE;
    this.#apply(imageIndex, { ...draft, categories: isNone ? [] : [NONE] }, at);
  }

  /** A note belongs to a label: on an unlabeled image it is ignored (the field is disabled there). */
  setNote(imageIndex: number, note: string): void {
    const draft = this.#draftOf(imageIndex);
    if (draft.note === note || draft.categories.length === 0) return;
    this.#apply(imageIndex, { ...draft, note });
  }

  /** Restores the last changed image's previous label; returns that image, or null. */
  undo(at = performance.now()): number | null {
    const last = this.#undo.pop();
    this.#undoDepth = this.#undo.length;
    if (!last) return null;
    this.#apply(last.imageIndex, last.before, at, false);
    return last.imageIndex;
  }

  #apply(imageIndex: number, wanted: LabelDraft, at = performance.now(), recordUndo = true): void {
    const target = this.#hooks.target();
    if (!target) return;
    // No category and not 'none' is no label: its note goes with it (undo brings both back).
    const draft = wanted.categories.length === 0 ? { categories: [], note: '' } : wanted;
    const before = this.#draftOf(imageIndex);
    if (before.note === draft.note && before.categories.join('\n') === draft.categories.join('\n')) return;
    if (recordUndo) {
      this.#undo.push({ imageIndex, before });
      if (this.#undo.length > 1000) this.#undo.shift();
      this.#undoDepth = this.#undo.length;
    }
    if (draft.categories.length === 0) this.#labels.delete(imageIndex);
    else this.#labels.set(imageIndex, { imageIndex, categories: draft.categories, note: draft.note, labeledAt: '' });
    this.#version++;
    this.#saves.add({ ...target, imageIndex, draft }, at);
  }
}

/**
 * The face a labeling screen's state shows its views (the audit's LabelsState, a study's
 * StudySession): the editor's labels, changes, undo and saves. Subclasses make the editor
 * with their own API method and target.
 */
export abstract class EditedLabels {
  protected abstract readonly editor: LabelEditor;

  /** bumped on every change: read it to depend on labelOf() */
  get version(): number {
    return this.editor.version;
  }

  get undoDepth(): number {
    return this.editor.undoDepth;
  }

  /** changes not yet durable (waiting or in flight) */
  get pending(): number {
    return this.editor.pending;
  }

  /** labeledAt of the last saved change ('removed' for a removal) */
  get lastSaved(): string | null {
    return this.editor.lastSaved;
  }

  labelOf(imageIndex: number): LabelDto | null {
    return this.editor.labelOf(imageIndex);
  }

  /** Toggles a category (by schema name); choosing one clears 'none'. */
  toggle(imageIndex: number, name: string, at = performance.now()): void {
    this.editor.toggle(imageIndex, name, at);
  }

  /** 'none': a typical, clean image (replaces any category; again clears it). */
  setNone(imageIndex: number, at = performance.now()): void {
    this.editor.setNone(imageIndex, at);
  }

  /** A note belongs to a label: on an unlabeled image it is ignored (the field is disabled there). */
  setNote(imageIndex: number, note: string): void {
    this.editor.setNote(imageIndex, note);
  }

  /** Restores the last changed image's previous label; returns that image, or null. */
  undo(at = performance.now()): number | null {
    return this.editor.undo(at);
  }

  retryNow(): void {
    this.editor.retryNow();
  }
}
