import type { AnnotatorState } from './annotator.svelte.ts';
import { call, errorMessage, type LabelCategoryDto } from './api.ts';
import { EditedLabels, LabelEditor, type LabelTarget } from './label-editor.svelte.ts';

declare global {
  interface Window {
    /** Keypress-to-durable-label latencies in ms, newest last (read by the bench). */
    __pieAuditLabelLatencies?: number[];
  }
}

/**
 * Free-audit labels of the current annotator on one experiment. Changes, saves and undo
 * are the LabelEditor's (label-editor.svelte.ts), shared with blind study labeling: a
 * change shows at once and is saved at once, one at a time in the order made, each a
 * durable transaction on the server, a failed save kept and retried. The annotator is
 * the app's one AnnotatorState: the labels held are always theirs (see sync()).
 */
export class LabelsState extends EditedLabels {
  #schema = $state.raw<LabelCategoryDto[]>([]);
  /** whose labels are held: the experiment and annotator they were loaded for */
  #experimentId = $state<number | null>(null);
  #loadedFor = $state('');
  #loaded = $state(false);
  #error = $state<string | null>(null);
  readonly annotator: AnnotatorState;

  protected readonly editor = new LabelEditor({
    send: (save) =>
      call('labels.set', {
        experimentId: save.scope,
        imageIndex: save.imageIndex,
        categories: save.draft.categories,
        note: save.draft.note,
        annotator: save.annotator,
      }),
    target: () => this.#target(),
    categories: () => this.categoryNames,
    status: (error) => (this.#error = error),
    acknowledged: (save) => {
      const done = performance.now();
      const latencies = window.__pieAuditLabelLatencies;
      if (latencies) {
        for (const t of save.actions) latencies.push(done - t);
        if (latencies.length > 20000) latencies.splice(0, latencies.length - 20000);
      }
    },
  });
  #loadToken = 0;

  constructor(annotator: AnnotatorState) {
    super();
    this.annotator = annotator;
    window.__pieAuditLabelLatencies ??= [];
  }

  get schema(): LabelCategoryDto[] {
    return this.#schema;
  }

  get experimentId(): number | null {
    return this.#experimentId;
  }

  /** The labels held are the current annotator's on experimentId. */
  get loaded(): boolean {
    return this.#loaded && this.#loadedFor === this.annotator.name;
  }

  get error(): string | null {
    return this.#error ?? this.annotator.error;
  }

  categoryNames = $derived(this.#schema.map((c) => c.name));

  /** Nothing to attach a label to until the experiment's labels of this annotator are loaded. */
  #target(): LabelTarget | null {
    return this.#experimentId === null || !this.loaded ? null : { scope: this.#experimentId, annotator: this.#loadedFor };
  }

  /** How many of these images are labeled: walks the labels (few), not the images (many). */
  countLabeled(images: ReadonlySet<number>): number {
    let n = 0;
    for (const [imageIndex, label] of this.editor.labels()) if (label.categories.length > 0 && images.has(imageIndex)) n++;
    return n;
  }

  isLabeled(imageIndex: number): boolean {
    return (this.editor.labelOf(imageIndex)?.categories.length ?? 0) > 0;
  }

  async loadSchema(): Promise<void> {
    if (this.#schema.length > 0) return;
    const [schema] = await Promise.all([call('schema.get', {}), this.annotator.load()]);
    this.#schema = schema;
  }

  async load(experimentId: number): Promise<void> {
    const token = ++this.#loadToken;
    try {
      await this.loadSchema();
      const annotator = this.annotator.name;
      if (annotator === '') return;
      const result = await call('labels.list', { experimentId, annotator });
      if (token !== this.#loadToken) return;
      const previous = this.#experimentId === null || this.#loadedFor === '' ? null : { scope: this.#experimentId, annotator: this.#loadedFor };
      this.editor.load(result.labels, { scope: experimentId, annotator }, previous);
      this.#experimentId = experimentId;
      this.#loadedFor = annotator;
      this.#loaded = true;
      this.#error = null;
    } catch (error) {
      if (token === this.#loadToken) this.#error = errorMessage(error);
    }
  }

  /** Loads the experiment's labels unless the current annotator's on it are the ones held. */
  ensure(experimentId: number): Promise<void> {
    return this.#experimentId === experimentId && this.loaded ? Promise.resolve() : this.load(experimentId);
  }
}
