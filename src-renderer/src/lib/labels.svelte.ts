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
 * durable transaction on the server, a failed save kept and retried.
 */
export class LabelsState extends EditedLabels {
  schema = $state.raw<LabelCategoryDto[]>([]);
  annotator = $state('');
  osUser = $state('');
  experimentId = $state<number | null>(null);
  loaded = $state(false);
  error = $state<string | null>(null);

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
    status: (error) => (this.error = error),
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
  /** bumped by setAnnotator, so that loadSchema's answer cannot undo a name set meanwhile */
  #annotatorChanges = 0;

  constructor() {
    super();
    window.__pieAuditLabelLatencies ??= [];
  }

  categoryNames = $derived(this.schema.map((c) => c.name));

  /** Nothing to attach a label to until the experiment's labels and annotator are loaded. */
  #target(): LabelTarget | null {
    return this.experimentId === null || this.annotator === '' ? null : { scope: this.experimentId, annotator: this.annotator };
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
    if (this.schema.length > 0) return;
    const changes = this.#annotatorChanges;
    const [schema, annotator] = await Promise.all([call('schema.get', {}), call('annotator.get', {})]);
    this.schema = schema;
    // A name set while this was on its way is newer than the answer.
    if (changes === this.#annotatorChanges) this.annotator = annotator.name;
    this.osUser = annotator.osUser;
  }

  async load(experimentId: number): Promise<void> {
    const token = ++this.#loadToken;
    try {
      await this.loadSchema();
      const result = await call('labels.list', { experimentId, annotator: this.annotator });
      if (token !== this.#loadToken) return;
      this.editor.load(result.labels, { scope: experimentId, annotator: this.annotator }, this.#target());
      this.experimentId = experimentId;
      this.loaded = true;
      this.error = null;
    } catch (error) {
      if (token === this.#loadToken) this.error = errorMessage(error);
    }
  }

  /** Loads the experiment's labels unless they are the ones held. */
  ensure(experimentId: number): Promise<void> {
    return this.experimentId === experimentId ? Promise.resolve() : this.load(experimentId);
  }

  async setAnnotator(name: string): Promise<void> {
    this.#annotatorChanges++;
    try {
      const result = await call('annotator.set', { name });
      this.annotator = result.name;
      this.error = null;
      if (this.experimentId !== null) {
        this.editor.clearUndo();
        await this.load(this.experimentId);
      }
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

}
