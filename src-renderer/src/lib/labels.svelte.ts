import { call, errorMessage, type LabelCategoryDto, type LabelDto } from './api.ts';
import { LabelSaveQueue } from './label-saves.svelte.ts';

export const NONE = 'none';

export interface LabelDraft {
  categories: string[];
  note: string;
}

declare global {
  interface Window {
    /** Keypress-to-durable-label latencies in ms, newest last (read by the bench). */
    __pieAuditLabelLatencies?: number[];
  }
}

/**
 * Free-audit labels of the current annotator on one experiment. A change shows at
 * once and is saved at once through the LabelSaveQueue (label-saves.svelte.ts): one at
 * a time in the order made, each a durable transaction on the server, a failed save
 * kept and retried; the page warns before closing while anything is unsaved. Undo
 * restores an image's previous label (and saves that).
 */
export class LabelsState {
  schema = $state.raw<LabelCategoryDto[]>([]);
  annotator = $state('');
  osUser = $state('');
  experimentId = $state<number | null>(null);
  loaded = $state(false);
  /** bumped on every change: read it to depend on labelOf() */
  version = $state(0);
  error = $state<string | null>(null);
  undoDepth = $state(0);

  // A plain Map with `version` as its signal: one dependency instead of one per image
  // (the grid reads up to 10,000 of them per filter pass).
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #labels = new Map<number, LabelDto>();
  #undo: { imageIndex: number; before: LabelDraft }[] = [];
  #saves = new LabelSaveQueue({
    send: (save) =>
      call('labels.set', {
        experimentId: save.scope,
        imageIndex: save.imageIndex,
        categories: save.draft.categories,
        note: save.draft.note,
        annotator: save.annotator,
      }),
    saved: (save, label, current) => {
      const done = performance.now();
      const latencies = window.__pieAuditLabelLatencies;
      if (latencies) {
        for (const t of save.actions) latencies.push(done - t);
        if (latencies.length > 20000) latencies.splice(0, latencies.length - 20000);
      }
      if (current && label && this.experimentId === save.scope && this.annotator === save.annotator) {
        this.#labels.set(save.imageIndex, label);
        this.version++;
      }
    },
    status: (error) => (this.error = error),
  });
  #loadToken = 0;

  constructor() {
    window.__pieAuditLabelLatencies ??= [];
    window.addEventListener('beforeunload', (event) => {
      if (this.pending > 0) event.preventDefault();
    });
  }

  categoryNames = $derived(this.schema.map((c) => c.name));

  /** changes not yet durable (waiting or in flight) */
  get pending(): number {
    return this.#saves.pending;
  }

  /** labeledAt of the last saved change ('removed' for a removal) */
  get lastSaved(): string | null {
    return this.#saves.lastSaved;
  }

  labelOf(imageIndex: number): LabelDto | null {
    void this.version;
    return this.#labels.get(imageIndex) ?? null;
  }

  /** How many of these images are labeled: walks the labels (few), not the images (many). */
  countLabeled(images: ReadonlySet<number>): number {
    void this.version;
    let n = 0;
    for (const [imageIndex, label] of this.#labels) if (label.categories.length > 0 && images.has(imageIndex)) n++;
    return n;
  }

  isLabeled(imageIndex: number): boolean {
    void this.version;
    return (this.#labels.get(imageIndex)?.categories.length ?? 0) > 0;
  }

  async loadSchema(): Promise<void> {
    if (this.schema.length > 0) return;
    const [schema, annotator] = await Promise.all([call('schema.get', {}), call('annotator.get', {})]);
    this.schema = schema;
    this.annotator = annotator.name;
    this.osUser = annotator.osUser;
  }

  async load(experimentId: number): Promise<void> {
    const token = ++this.#loadToken;
    try {
      await this.loadSchema();
      const result = await call('labels.list', { experimentId, annotator: this.annotator });
      if (token !== this.#loadToken) return;
      // Keep what is still waiting to be saved: it is newer than what the server has.
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see #labels
      const mine = new Map(result.labels.map((l) => [l.imageIndex, l]));
      for (const p of this.#saves.waiting()) if (p.scope === experimentId && p.annotator === this.annotator) mine.set(p.imageIndex, { imageIndex: p.imageIndex, ...p.draft, labeledAt: '' });
      this.#labels = mine;
      if (this.experimentId !== experimentId) {
        this.#undo = [];
        this.undoDepth = 0;
      }
      this.experimentId = experimentId;
      this.loaded = true;
      this.error = null;
      this.version++;
    } catch (error) {
      if (token === this.#loadToken) this.error = errorMessage(error);
    }
  }

  async setAnnotator(name: string): Promise<void> {
    try {
      const result = await call('annotator.set', { name });
      this.annotator = result.name;
      this.error = null;
      if (this.experimentId !== null) {
        this.#undo = [];
        this.undoDepth = 0;
        await this.load(this.experimentId);
      }
    } catch (error) {
      this.error = errorMessage(error);
    }
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
    this.#apply(imageIndex, { ...draft, categories: this.categoryNames.filter(wanted) }, at);
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
    this.undoDepth = this.#undo.length;
    if (!last) return null;
    this.#apply(last.imageIndex, last.before, at, false);
    return last.imageIndex;
  }

  #apply(imageIndex: number, wanted: LabelDraft, at = performance.now(), recordUndo = true): void {
    const experimentId = this.experimentId;
    // Nothing to attach a label to until the experiment's labels and annotator are loaded.
    if (experimentId === null || this.annotator === '') return;
    // No category and not 'none' is no label: its note goes with it (undo brings both back).
    const draft = wanted.categories.length === 0 ? { categories: [], note: '' } : wanted;
    const before = this.#draftOf(imageIndex);
    if (before.note === draft.note && before.categories.join('\n') === draft.categories.join('\n')) return;
    if (recordUndo) {
      this.#undo.push({ imageIndex, before });
      if (this.#undo.length > 1000) this.#undo.shift();
      this.undoDepth = this.#undo.length;
    }
    if (draft.categories.length === 0) this.#labels.delete(imageIndex);
    else this.#labels.set(imageIndex, { imageIndex, categories: draft.categories, note: draft.note, labeledAt: '' });
    this.version++;
    this.#saves.add({ scope: experimentId, annotator: this.annotator, imageIndex, draft }, at);
  }

  retryNow(): void {
    this.#saves.retryNow();
  }
}
