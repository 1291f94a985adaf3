import { call, errorMessage, type LabelCategoryDto, type StudyItemDto, type StudyReportDto, type StudySummaryDto } from './api.ts';
import { NewestLoad } from './newest-load.svelte.ts';
import type { AnnotatorState } from './annotator.svelte.ts';
import { EditedLabels, LabelEditor, type LabelTarget } from './label-editor.svelte.ts';

/** The studies and the label schema (shared by the study views); the annotator is the app's. */
export class StudiesState {
  #items = $state.raw<StudySummaryDto[]>([]);
  #schema = $state.raw<LabelCategoryDto[]>([]);
  #loaded = $state(false);
  #error = $state<string | null>(null);
  readonly annotator: AnnotatorState;

  constructor(annotator: AnnotatorState) {
    this.annotator = annotator;
  }

  get items(): StudySummaryDto[] {
    return this.#items;
  }

  get schema(): LabelCategoryDto[] {
    return this.#schema;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get error(): string | null {
    return this.#error ?? this.annotator.error;
  }

  async init(): Promise<void> {
    try {
      const [schema] = await Promise.all([call('schema.get', {}), this.annotator.load()]);
      this.#schema = schema;
      await this.refresh();
    } catch (error) {
      this.#error = errorMessage(error);
    }
  }

  /** Reloads the list (the progress per annotator included). */
  async refresh(): Promise<void> {
    try {
      this.#items = await call('study.list', {});
      this.#error = null;
    } catch (error) {
      this.#error = errorMessage(error);
    }
    this.#loaded = true;
  }

  byId(id: number | null | undefined): StudySummaryDto | null {
    return id == null ? null : (this.#items.find((s) => s.id === id) ?? null);
  }

  async create(request: { name: string; experimentId: number; variant?: string; pies: number; controls: number; seed: number }): Promise<StudySummaryDto> {
    const created = await call('study.create', request);
    await this.refresh();
    return created;
  }
}

/**
 * One annotator's labeling of one blind study: the items (image, true label, their own
 * label; never the PIE flag or a model output). Changes, saves and undo are the
 * LabelEditor's (label-editor.svelte.ts), shared with the audit.
 */
export class StudySession extends EditedLabels {
  #studyId = $state<number | null>(null);
  #annotator = $state('');
  #name = $state('');
  #items = $state.raw<StudyItemDto[]>([]);
  #loaded = $state(false);
  #error = $state<string | null>(null);

  get studyId(): number | null {
    return this.#studyId;
  }

  /** whose labels are held */
  get annotator(): string {
    return this.#annotator;
  }

  /** the study's name */
  get name(): string {
    return this.#name;
  }

  get items(): StudyItemDto[] {
    return this.#items;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get error(): string | null {
    return this.#error;
  }

  protected readonly editor = new LabelEditor({
    send: (save) =>
      call('study.label', {
        studyId: save.scope,
        annotator: save.annotator,
        imageIndex: save.imageIndex,
        categories: save.draft.categories,
        note: save.draft.note,
      }),
    target: () => this.#target(),
    categories: () => this.#schema,
    status: (error) => (this.#error = error),
  });
  #token = 0;
  #schema: string[] = [];

  #target(): LabelTarget | null {
    return this.#studyId === null || !this.#loaded ? null : { scope: this.#studyId, annotator: this.#annotator };
  }

  async load(studyId: number, annotator: string, schema: string[]): Promise<void> {
    const token = ++this.#token;
    this.#schema = schema;
    try {
      const result = await call('study.items', { studyId, annotator });
      if (token !== this.#token) return;
      const labels = result.items.flatMap((item) => (item.label ? [item.label] : []));
      const previous = this.#studyId === null ? null : { scope: this.#studyId, annotator: this.#annotator };
      this.editor.load(labels, { scope: studyId, annotator: result.annotator }, previous);
      this.#studyId = studyId;
      this.#annotator = result.annotator;
      this.#name = result.name;
      this.#items = result.items;
      this.#loaded = true;
      this.#error = null;
    } catch (error) {
      if (token === this.#token) this.#error = errorMessage(error);
    }
  }

  labeledCount(): number {
    return this.editor.labels().size;
  }

  /** Where this annotator stopped: the first image without their label (else the last one). */
  firstOpen(): number {
    const labels = this.editor.labels();
    const at = this.#items.findIndex((i) => !labels.has(i.imageIndex));
    return at >= 0 ? at : Math.max(0, this.#items.length - 1);
  }
}

/** A study's report (results view); the newest load wins. */
export class StudyReportState {
  #report = $state.raw<StudyReportDto | null>(null);
  #load = new NewestLoad();

  get report(): StudyReportDto | null {
    return this.#report;
  }

  get loading(): boolean {
    return this.#load.loading;
  }

  get error(): string | null {
    return this.#load.error;
  }

  load(studyId: number): Promise<void> {
    return this.#load.run(
      () => call('study.report', { studyId }),
      (report) => (this.#report = report),
      () => (this.#report = null),
    );
  }
}
