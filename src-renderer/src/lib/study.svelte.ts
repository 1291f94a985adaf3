import { call, errorMessage, type LabelCategoryDto, type LabelDto, type StudyItemDto, type StudyReportDto, type StudySummaryDto } from './api.ts';
import { LabelSaveQueue } from './label-saves.svelte.ts';
import { NONE, type LabelDraft } from './labels.svelte.ts';

/** The studies, the label schema and the annotator name (shared by the study views). */
export class StudiesState {
  items = $state.raw<StudySummaryDto[]>([]);
  schema = $state.raw<LabelCategoryDto[]>([]);
  annotator = $state('');
  loaded = $state(false);
  error = $state<string | null>(null);

  async init(): Promise<void> {
    try {
      const [schema, annotator] = await Promise.all([call('schema.get', {}), call('annotator.get', {})]);
      this.schema = schema;
      this.annotator = annotator.name;
      await this.refresh();
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  async refresh(): Promise<void> {
    try {
      this.items = await call('study.list', {});
      this.error = null;
    } catch (error) {
      this.error = errorMessage(error);
    }
    this.loaded = true;
  }

  byId(id: number | null | undefined): StudySummaryDto | null {
    return id == null ? null : (this.items.find((s) => s.id === id) ?? null);
  }

  async setAnnotator(name: string): Promise<void> {
    try {
      this.annotator = (await call('annotator.set', { name })).name;
      this.error = null;
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  async create(request: { name: string; experimentId: number; variant?: string; pies: number; controls: number; seed: number }): Promise<StudySummaryDto> {
    const created = await call('study.create', request);
    await this.refresh();
    return created;
  }
}

/**
 * One annotator's labeling of one blind study: the items (image, true label, their own
 * label; never the PIE flag or a model output) and their saves. Like the audit's
 * labels: a change shows at once and is saved at once through the same LabelSaveQueue
 * (label-saves.svelte.ts): one at a time in the order made, each durable on the server
 * when it returns, a failed save kept and retried.
 */
export class StudySession {
  studyId = $state<number | null>(null);
  annotator = $state('');
  name = $state('');
  items = $state.raw<StudyItemDto[]>([]);
  loaded = $state(false);
  version = $state(0);
  error = $state<string | null>(null);
  undoDepth = $state(0);

  // A plain Map with `version` as its signal (as in LabelsState).
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #labels = new Map<number, LabelDto>();
  #undo: { imageIndex: number; before: LabelDraft }[] = [];
  #saves = new LabelSaveQueue({
    send: (save) =>
      call('study.label', {
        studyId: save.scope,
        annotator: save.annotator,
        imageIndex: save.imageIndex,
        categories: save.draft.categories,
        note: save.draft.note,
      }),
    saved: (save, label, current) => {
      if (current && label && this.studyId === save.scope && this.annotator === save.annotator) {
        this.#labels.set(save.imageIndex, label);
        this.version++;
      }
    },
    status: (error) => (this.error = error),
  });
  #token = 0;
  #schema: string[] = [];

  constructor() {
    window.addEventListener('beforeunload', (event) => {
      if (this.pending > 0) event.preventDefault();
    });
  }

  /** changes not yet durable (waiting or in flight) */
  get pending(): number {
    return this.#saves.pending;
  }

  /** labeledAt of the last saved change ('removed' for a removal) */
  get lastSaved(): string | null {
    return this.#saves.lastSaved;
  }

  async load(studyId: number, annotator: string, schema: string[]): Promise<void> {
    const token = ++this.#token;
    this.#schema = schema;
    try {
      const result = await call('study.items', { studyId, annotator });
      if (token !== this.#token) return;
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see #labels
      const mine = new Map<number, LabelDto>();
      for (const item of result.items) if (item.label) mine.set(item.imageIndex, item.label);
      for (const p of this.#saves.waiting()) {
        if (p.scope !== studyId || p.annotator !== result.annotator) continue;
        if (p.draft.categories.length === 0) mine.delete(p.imageIndex);
        else mine.set(p.imageIndex, { imageIndex: p.imageIndex, ...p.draft, labeledAt: '' });
      }
      if (this.studyId !== studyId || this.annotator !== result.annotator) {
        this.#undo = [];
        this.undoDepth = 0;
      }
      this.#labels = mine;
      this.studyId = studyId;
      this.annotator = result.annotator;
      this.name = result.name;
      this.items = result.items;
      this.loaded = true;
      this.error = null;
      this.version++;
    } catch (error) {
      if (token === this.#token) this.error = errorMessage(error);
    }
  }

  labelOf(imageIndex: number): LabelDto | null {
    void this.version;
    return this.#labels.get(imageIndex) ?? null;
  }

  labeledCount(): number {
    void this.version;
    return this.#labels.size;
  }

  /** Where this annotator stopped: the first image without their label (else the last one). */
  firstOpen(): number {
    void this.version;
    const at = this.items.findIndex((i) => !this.#labels.has(i.imageIndex));
    return at >= 0 ? at : Math.max(0, this.items.length - 1);
  }

  #draftOf(imageIndex: number): LabelDraft {
    const label = this.#labels.get(imageIndex);
    return { categories: [...(label?.categories ?? [])], note: label?.note ?? '' };
  }

  toggle(imageIndex: number, name: string): void {
    const draft = this.#draftOf(imageIndex);
    const had = draft.categories.includes(name);
    const wanted = (c: string): boolean => (c === name ? !had : draft.categories.includes(c));
    this.#apply(imageIndex, { ...draft, categories: this.#schema.filter(wanted) });
  }

  setNone(imageIndex: number): void {
    const draft = this.#draftOf(imageIndex);
    const isNone = draft.categories.length === 1 && draft.categories[0] === NONE;
    this.#apply(imageIndex, { ...draft, categories: isNone ? [] : [NONE] });
  }

  setNote(imageIndex: number, note: string): void {
    const draft = this.#draftOf(imageIndex);
    if (draft.note === note || draft.categories.length === 0) return;
    this.#apply(imageIndex, { ...draft, note });
  }

  /** Restores the last changed image's previous label; returns that image, or null. */
  undo(): number | null {
    const last = this.#undo.pop();
    this.undoDepth = this.#undo.length;
    if (!last) return null;
    this.#apply(last.imageIndex, last.before, false);
    return last.imageIndex;
  }

  #apply(imageIndex: number, wanted: LabelDraft, recordUndo = true): void {
    const studyId = this.studyId;
    if (studyId === null || !this.loaded) return;
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
    this.#saves.add({ scope: studyId, annotator: this.annotator, imageIndex, draft });
  }

  retryNow(): void {
    this.#saves.retryNow();
  }
}

/** A study's report (results view). */
export class StudyReportState {
  report = $state.raw<StudyReportDto | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  #token = 0;

  async load(studyId: number): Promise<void> {
    const token = ++this.#token;
    this.loading = true;
    try {
      const report = await call('study.report', { studyId });
      if (token !== this.#token) return;
      this.report = report;
      this.error = null;
    } catch (error) {
      if (token === this.#token) {
        this.report = null;
        this.error = errorMessage(error);
      }
    } finally {
      if (token === this.#token) this.loading = false;
    }
  }
}
