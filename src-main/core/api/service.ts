import os from 'node:os';
import type { Db } from '../db/database.js';
import { addKnownIdxDataset } from '../datasets/add.js';
import { listDatasets } from '../datasets/store.js';
import { refreshAnalysis } from '../analysis/refresh.js';
import { experimentReport } from '../analysis/report.js';
import { UserError, errorMessage, isDiskFull } from '../errors.js';
import { trainPopulation, type TrainRequest } from '../population/train.js';
import type { PopulationEvent } from '../population/runner.js';
import { importModels, inspectModels, type ImportModelsRequest } from '../models/import.js';
import { writeManifest } from '../models/write-manifest.js';
import type { ModelRunEvent } from '../models/runner.js';
import { APP_VERSION } from '../version.js';
import { experimentImageCount, resolveExperiment } from '../sql/experiments.js';
import { schemaCookie } from '../sql/database-identity.js';
import { labeledCount } from '../sql/labels.js';
import { createImageRenderer, type ImageRenderer, type ImageSize } from '../images/render.js';
import { currentAnnotator, getLabel, listLabels, osAnnotator, setCurrentAnnotator, setLabel } from '../labels/store.js';
import { listCategories } from '../schema/categories.js';
import { deleteExperiment, renameExperiment } from '../sql/experiment-lifecycle.js';
import { checkExportRequest, exportFileName, writeExport, type ExportRequest } from './export.js';
import { studyReportFileName, writeStudyReport } from '../export/study-report-file.js';
import { thumbnailStrip } from './image-strip.js';
import { studyReport } from '../study/report.js';
import { createStudySummary, listStudySummaries, setStudyLabelApi, studyItemsFor, unblindStudySummary } from './study.js';
import { classImpact, experimentModels, imageDetail, listExperiments, pieColumns } from './results.js';
import { subgroupSection } from './subgroups.js';
import { compare } from '../analysis/comparison.js';
import { imageShift, shiftTable } from './shift.js';
import { evaluateExperiment, type EvaluateEvent, type EvaluateRequest } from '../evaluation/evaluate.js';
import { findDataset } from '../datasets/store.js';
import { parseTailOrder, type LongTailConfig } from '../population/long-tail.js';
import { PRESETS } from '../population/presets.js';
import {
  apiContract,
  isApiMethod,
  type ApiEvent,
  type ApiFailure,
  type ApiResult,
  type ApiMethod,
  type ApiRequest,
  type ApiResponse,
  DOWNLOAD_PATH,
} from './contract.js';

type Handlers = { [M in ApiMethod]: (request: ApiRequest<M>) => Promise<ApiResponse<M>> | ApiResponse<M> };

export interface ServiceContext {
  databasePath: string;
  carrier: 'electron' | 'http';
  /**
   * Electron: asks where to save an export (a save dialog); undefined when the user
   * cancels. Without it (browser mode) export.file answers with a download URL.
   */
  chooseExportPath?: (fileName: string, format: 'csv' | 'json' | 'jsonl') => Promise<string | undefined>;
  /** Electron: picks a models manifest (an open dialog); undefined when cancelled. Browser mode has none: the path is typed. */
  chooseManifestPath?: () => Promise<string | undefined>;
  /** Electron: an open dialog for model files (.onnx, model.json) */
  chooseModelFiles?: () => Promise<string[] | undefined>;
}

/**
 * The API implemented once, over one open database. Carriers call `call` with the
 * method name and the untrusted payload; it validates, runs, and never throws.
 */
export class ApiService {
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  /** The population run in progress (one at a time: they share the cores). */
  private training: AbortController | undefined;
  private trainingExperiment: number | null = null;
  /** The experiment being evaluated under shift (the run holds `training`'s slot too). */
  private evaluating: number | null = null;
  private readonly handlers: Handlers;
  private images: ImageRenderer;
  /** The schema cookie when this service last looked: a change means the file was restored or migrated by another program. */
  private cookie: number;

  constructor(
    private readonly db: Db,
    private readonly context: ServiceContext,
  ) {
    this.images = createImageRenderer(db);
    this.cookie = schemaCookie(db);
    this.handlers = {
      'app.info': () => ({ version: APP_VERSION, databasePath: this.context.databasePath, carrier: this.context.carrier, cores: os.availableParallelism() }),
      'datasets.list': () => listDatasets(this.db),
      'datasets.addKnown': async (request) => {
        const summary = await addKnownIdxDataset(this.db, request.kind, {
          name: request.name,
          onDownload: (p) => this.emit({ type: 'download.progress', ...p }),
        });
        this.emit({ type: 'datasets.changed' });
        return summary;
      },
      'train.start': (request) => {
        const { dataset, preset, workers, longTail, tailOrder, ...overrides } = request;
        return this.startTraining({ dataset, preset, overrides: { ...overrides, longTail: this.longTailOf(dataset, preset, longTail, tailOrder) }, workers });
      },
      'models.chooseManifest': async () => {
        if (!this.context.chooseManifestPath) throw new UserError('no file dialog in browser mode: type the manifest\'s path on the machine serving PIE Audit');
        return { path: (await this.context.chooseManifestPath()) ?? null };
      },
      'models.chooseModelFiles': async () => {
        if (!this.context.chooseModelFiles) throw new UserError('no file dialog in browser mode: type the model files\' paths on the machine serving PIE Audit');
        return { paths: (await this.context.chooseModelFiles()) ?? null };
      },
      'models.writeManifest': (request) => writeManifest(request.out, request.manifest),
      'models.inspect': (request) => inspectModels(this.db, request.dataset, request.manifest),
      'models.import': (request) => this.startModelImport({ dataset: request.dataset, manifest: request.manifest, name: request.name, workers: request.workers }),
      'train.resume': (request) => this.startTraining({ resume: true, experimentId: request.experimentId, workers: request.workers }),
      'train.cancel': () => {
        // An evaluation holds the same slot; it has its own cancel.
        const running = this.training !== undefined && this.evaluating === null;
        if (running) this.training?.abort();
        return { cancelled: running };
      },
      'train.status': () => {
        const running = this.training !== undefined && this.evaluating === null;
        return { running, experimentId: running ? this.trainingExperiment : null };
      },
      'experiments.list': () => listExperiments(this.db),
      'experiments.models': (request) => experimentModels(this.db, request.experimentId),
      'experiments.rename': (request) => ({ id: request.experimentId, name: renameExperiment(this.db, request.experimentId, request.name) }),
      'experiments.delete': (request) => {
        if (this.training && this.trainingExperiment === request.experimentId) {
          throw new UserError(`experiment ${request.experimentId} is being trained: cancel the run first`);
        }
        if (this.evaluating === request.experimentId) throw new UserError(`experiment ${request.experimentId} is being evaluated: cancel the evaluation first`);
        return deleteExperiment(this.db, request.experimentId);
      },
      'report.get': (request) => experimentReport(this.db, this.analysed(resolveExperiment(this.db, request.experimentId)), { cieQuantile: request.cieQuantile }),
      'classes.impact': (request) => classImpact(this.db, this.analysed(resolveExperiment(this.db, request.experimentId))),
      'pies.list': (request) => pieColumns(this.db, this.analysed(resolveExperiment(this.db, request.experimentId)), request.variant, request.cieQuantile),
      'image.detail': (request) => {
        try {
          this.analysed(resolveExperiment(this.db, request.experimentId));
        } catch (error) {
          // No finished dense population yet: the votes are still worth showing.
          if (!(error instanceof UserError)) throw error;
        }
        return imageDetail(this.db, request.experimentId, request.imageIndex);
      },
      'subgroups.impact': (request) => subgroupSection(this.db, this.analysed(resolveExperiment(this.db, request.experimentId)), request.positiveClass, request.cieQuantile),
      'compare.get': (request) => compare(this.db, this.analysed(resolveExperiment(this.db, request.experimentId)), request.first, request.second),
      'shift.get': (request) => shiftTable(this.db, this.analysed(request.experimentId)),
      'image.shift': (request) => imageShift(this.db, request.experimentId, request.imageIndex),
      'evaluate.start': (request) => this.startEvaluation(request),
      'evaluate.cancel': () => {
        const running = this.evaluating !== null;
        if (running) this.training?.abort();
        return { cancelled: running };
      },
      'evaluate.status': () => ({ running: this.evaluating !== null, experimentId: this.evaluating }),
      'schema.get': () => listCategories(this.db),
      'annotator.get': () => ({ name: currentAnnotator(this.db), osUser: osAnnotator() }),
      'annotator.set': (request) => ({ name: setCurrentAnnotator(this.db, request.name), osUser: osAnnotator() }),
      'labels.list': (request) => {
        const annotator = request.annotator ?? currentAnnotator(this.db);
        const labels = listLabels(this.db, request.experimentId, annotator);
        return { annotator, images: experimentImageCount(this.db, request.experimentId), labels };
      },
      'labels.get': (request) => {
        const annotator = request.annotator ?? currentAnnotator(this.db);
        return { annotator, label: getLabel(this.db, request.experimentId, annotator, request.imageIndex) };
      },
      'labels.set': (request) => {
        const annotator = request.annotator ?? currentAnnotator(this.db);
        const label = setLabel(this.db, { ...request, annotator });
        return { annotator, label, labeled: labeledCount(this.db, { experimentId: request.experimentId, studyId: null }, annotator) };
      },
      'study.list': () => listStudySummaries(this.db),
      'study.create': (request) => createStudySummary(this.db, request),
      'study.items': (request) => studyItemsFor(this.db, request.studyId, request.annotator),
      'study.label': (request) => setStudyLabelApi(this.db, request),
      'study.report': (request) => studyReport(this.db, request.studyId),
      'study.unblind': (request) => unblindStudySummary(this.db, request.studyId),
      'export.file': async (request) => {
        const fileName = exportFileName(this.db, request);
        checkExportRequest(this.db, request);
        if (!this.context.chooseExportPath) {
          const query = new URLSearchParams({ table: request.table, format: request.format });
          if (request.experimentId !== undefined) query.set('experimentId', String(request.experimentId));
          if (request.studyId !== undefined) query.set('studyId', String(request.studyId));
          if (request.cieQuantile !== undefined) query.set('cieQuantile', String(request.cieQuantile));
          if (request.positiveClass !== undefined) query.set('positiveClass', request.positiveClass);
          return { outcome: 'download' as const, url: `${DOWNLOAD_PATH}?${query.toString()}`, fileName };
        }
        const out = await this.context.chooseExportPath(fileName, request.format);
        if (out === undefined) return { outcome: 'cancelled' as const };
        const { rows } = await writeExport(this.db, request, out);
        return { outcome: 'saved' as const, path: out, rows };
      },
      'study.exportReport': async (request) => {
        const fileName = studyReportFileName(this.db, request.studyId, request.format);
        if (!this.context.chooseExportPath) {
          // The same download route as the tables, told apart by its table name.
          const query = new URLSearchParams({ table: STUDY_REPORT_TABLE, format: request.format, studyId: String(request.studyId) });
          return { outcome: 'download' as const, url: `${DOWNLOAD_PATH}?${query.toString()}`, fileName };
        }
        const out = await this.context.chooseExportPath(fileName, request.format);
        if (out === undefined) return { outcome: 'cancelled' as const };
        const rows = await writeStudyReport(this.db, request.studyId, request.format, out);
        return { outcome: 'saved' as const, path: out, rows };
      },
    };
  }

  /**
   * The explicit step before the results screens read, for a database left stale (an
   * older version's, or a run interrupted before its refresh): brings the stored
   * analysis up to date. Writers keep it current, so on their databases this only reads.
   */
  private analysed(experimentId: number): number {
    refreshAnalysis(this.db, experimentId);
    return experimentId;
  }

  /**
   * Starts a population run in the background (workers keep this thread free) and
   * streams its progress as events. Answers once the run is under way, or with the
   * reason it could not start (unknown dataset, bad settings).
   */
  private startTraining(request: TrainRequest): Promise<{ started: true; experimentId: number }> {
    if (this.training) throw new UserError('a population run is already in progress; cancel it or wait for it to finish');
    const controller = new AbortController();
    this.training = controller;
    const onEvent = (e: PopulationEvent): void => {
      if (e.type === 'backend') return;
      const model = { modelId: e.model.id, variant: e.model.variant, seed: e.model.seed };
      if (e.type === 'model-progress') this.emit({ type: 'train.progress', ...model, ...e.progress });
      else if (e.type === 'model-done') this.emit({ type: 'train.model-done', ...model, top1: e.top1, measuredSparsity: e.measuredSparsity, seconds: e.seconds });
      else if (e.type === 'model-failed') this.emit({ type: 'train.model-failed', modelId: e.model.id, variant: e.model.variant, message: e.message });
    };
    return new Promise((resolve, reject) => {
      let started = false;
      trainPopulation(this.db, this.context.databasePath, request, onEvent, controller.signal, (experimentId, backend) => {
        started = true;
        this.trainingExperiment = experimentId;
        this.emit({ type: 'train.started', experimentId, backend });
        resolve({ started: true, experimentId });
      })
        .then((outcome) => this.emit({ type: 'train.finished', experimentId: outcome.experimentId, done: outcome.done, failed: outcome.failed, cancelled: outcome.cancelled, seconds: outcome.seconds }))
        .catch((error: unknown) => {
          if (started) this.emit({ type: 'train.error', message: errorMessage(error) });
          else reject(error instanceof Error ? error : new Error(String(error)));
        })
        .finally(() => {
          this.training = undefined;
          this.trainingExperiment = null;
        });
    });
  }

  /**
   * Starts an own-models import in the background (one run at a time, training or
   * import: they share the cores) and streams its progress as events. Answers once every
   * model has been checked and the run is under way, or with the reason it could not start.
   */
  private startModelImport(request: ImportModelsRequest): Promise<{ started: true }> {
    if (this.training) throw new UserError('a population run is already in progress; cancel it or wait for it to finish');
    const controller = new AbortController();
    this.training = controller;
    const onEvent = (e: ModelRunEvent): void => {
      const model = { modelId: e.model.modelId, variant: e.model.variant, seed: e.model.seed };
      if (e.type === 'model-progress') this.emit({ type: 'models.progress', ...model, done: e.done, total: e.total });
      else if (e.type === 'model-done') this.emit({ type: 'models.model-done', ...model, top1: e.top1, measuredSparsity: e.measuredSparsity, seconds: e.seconds });
    };
    return new Promise((resolve, reject) => {
      let started = false;
      importModels(this.db, request, onEvent, controller.signal, (experimentId) => {
        started = true;
        this.trainingExperiment = experimentId;
        this.emit({ type: 'models.started', experimentId });
        resolve({ started: true });
      })
        .then((outcome) => this.emit({ type: 'models.finished', experimentId: outcome.experimentId, done: outcome.done, failed: outcome.failed, cancelled: outcome.cancelled, seconds: outcome.seconds }))
        .catch((error: unknown) => {
          if (started) this.emit({ type: 'models.error', message: errorMessage(error) });
          else reject(error instanceof Error ? error : new Error(String(error)));
        })
        .finally(() => {
          this.training = undefined;
          this.trainingExperiment = null;
        });
    });
  }

  /**
   * Notices that another program replaced the database's content under this connection
   * (`pie-audit db restore`, or a newer version migrating it): what this service keeps in
   * memory about the old content is dropped (rendered images by id; a run in progress,
   * whose experiment is gone, is cancelled) and the renderer is told (database.replaced),
   * before the call that noticed is answered. Checked on every call and by watchDatabase.
   */
  noticeReplacedDatabase(): boolean {
    let now: number;
    try {
      now = schemaCookie(this.db);
    } catch {
      return false; // busy or unreadable right now: the next call looks again
    }
    if (now === this.cookie) return false;
    this.cookie = now;
    this.images = createImageRenderer(this.db);
    this.training?.abort();
    this.emit({ type: 'database.replaced' });
    return true;
  }

  /** Looks for a replaced database every `everyMs` while no call comes (an idle window still hears of it). */
  watchDatabase(everyMs = 2000): () => void {
    const timer = setInterval(() => this.noticeReplacedDatabase(), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** The long-tail setting of a run request: the ratio, and the typed tail order as labels (one line naming the field when wrong). */
  private longTailOf(dataset: string, preset: string | undefined, ratio: number | undefined, tailOrder: string | undefined): LongTailConfig | undefined {
    if (tailOrder === undefined) return ratio === undefined ? undefined : { ratio };
    if (ratio === undefined && preset !== 'longtail') throw new UserError('Tail order: give a long-tail ratio too (or choose the long-tail preset)');
    const order = parseTailOrder(tailOrder, findDataset(this.db, dataset).classes, 'Tail order');
    return { ratio: ratio ?? PRESETS.longtail.longTail?.ratio ?? 10, order };
  }

  /**
   * Starts `evaluate` in the background (one run at a time: it shares the cores with
   * training and imports) and streams its progress. Answers once every check has passed
   * and the sets are written, or with the one-line reason it could not start.
   */
  private startEvaluation(request: EvaluateRequest): Promise<{ started: true; experimentId: number; sets: number; todo: number }> {
    if (this.training) throw new UserError('a population run is already in progress; cancel it or wait for it to finish');
    if ((request.corruptions === undefined) === (request.onDataset === undefined)) throw new UserError('choose corruptions or another dataset to evaluate on');
    const controller = new AbortController();
    this.training = controller;
    this.evaluating = request.experimentId;
    const experimentId = request.experimentId;
    return new Promise((resolve, reject) => {
      let started = false;
      const onEvent = (e: EvaluateEvent): void => {
        if (e.type === 'started') {
          started = true;
          this.emit({ type: 'evaluate.started', experimentId, sets: e.sets, todo: e.todo, backend: e.backend });
          resolve({ started: true, experimentId, sets: e.sets, todo: e.todo });
        } else if (e.type === 'model-done') this.emit({ type: 'evaluate.progress', experimentId, evalSet: e.set.name, variant: e.variant, top1: e.top1, done: e.done, todo: e.todo });
      };
      evaluateExperiment(this.db, request, onEvent, controller.signal)
        .then((outcome) => this.emit({ type: 'evaluate.finished', experimentId, evaluated: outcome.evaluated, skipped: outcome.skipped, cancelled: outcome.cancelled, seconds: outcome.seconds }))
        .catch((error: unknown) => {
          if (started) this.emit({ type: 'evaluate.error', experimentId, message: errorMessage(error) });
          else reject(error instanceof Error ? error : new Error(String(error)));
        })
        .finally(() => {
          this.training = undefined;
          this.evaluating = null;
        });
    });
  }

  /** A rendered PNG of images.id (undefined: no such image). Never throws for bad ids. */
  imagePng(imageId: number, size: ImageSize): Promise<Buffer | undefined> {
    this.noticeReplacedDatabase();
    return this.images.png(imageId, size);
  }

  /** One PNG of many thumbnails, top to bottom (the grid's strips; see image-strip.ts). */
  imageStripPng(imageIds: readonly number[]): Promise<Buffer | undefined> {
    this.noticeReplacedDatabase();
    return thumbnailStrip(this.db, this.images, imageIds);
  }

  /**
   * Browser mode's download: validates the query like an API call, writes the export
   * to `out` and returns the file name to offer, or the one-line reason it failed.
   */
  async exportToFile(payload: unknown, out: string): Promise<{ ok: true; fileName: string; rows: number } | { ok: false; failure: ApiFailure }> {
    this.noticeReplacedDatabase();
    if (payload && typeof payload === 'object' && 'table' in payload && payload.table === STUDY_REPORT_TABLE) return this.studyReportToFile(payload, out);
    const parsed = apiContract['export.file'].request.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, failure: { kind: 'bad-request', error: `export: invalid ${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'bad query'}` } };
    }
    try {
      const request: ExportRequest = parsed.data;
      const fileName = exportFileName(this.db, request);
      const { rows } = await writeExport(this.db, request, out);
      return { ok: true, fileName, rows };
    } catch (error) {
      if (error instanceof UserError) return { ok: false, failure: { kind: 'bad-request', error: errorMessage(error) } };
      return { ok: false, failure: { kind: 'internal', error: `internal error: ${errorMessage(error)}` } };
    }
  }

  /** The download of study.exportReport in browser mode. */
  private async studyReportToFile(payload: object, out: string): Promise<{ ok: true; fileName: string; rows: number } | { ok: false; failure: ApiFailure }> {
    const { table, ...request } = payload as Record<string, unknown>;
    void table;
    const parsed = apiContract['study.exportReport'].request.safeParse(request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, failure: { kind: 'bad-request', error: `export: invalid ${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'bad query'}` } };
    }
    try {
      const fileName = studyReportFileName(this.db, parsed.data.studyId, parsed.data.format);
      const rows = await writeStudyReport(this.db, parsed.data.studyId, parsed.data.format, out);
      return { ok: true, fileName, rows };
    } catch (error) {
      if (error instanceof UserError) return { ok: false, failure: { kind: 'bad-request', error: errorMessage(error) } };
      return { ok: false, failure: { kind: 'internal', error: `internal error: ${errorMessage(error)}` } };
    }
  }

  onEvent(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: ApiEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  async call(method: unknown, payload: unknown): Promise<ApiResult> {
    if (!isApiMethod(method)) {
      return { ok: false, failure: { kind: 'bad-request', error: `unknown API method ${JSON.stringify(typeof method === 'string' ? method : typeof method).slice(0, 80)}` } };
    }
    const parsed = apiContract[method].request.safeParse(payload ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : 'request';
      return { ok: false, failure: { kind: 'bad-request', error: `${method}: invalid ${where}: ${issue?.message ?? 'bad payload'}` } };
    }
    this.noticeReplacedDatabase();
    // The handler table is indexed by the validated method; TypeScript cannot
    // correlate the union of handlers with the union of requests.
    const handler = this.handlers[method] as (request: unknown) => unknown;
    for (let attempt = 1; ; attempt++) {
      try {
        return { ok: true, value: await handler(parsed.data) };
      } catch (error) {
        if (isDatabaseBusy(error) && attempt < BUSY_ATTEMPTS && !NOT_RETRIED.has(method)) {
          await new Promise((resolve) => setTimeout(resolve, BUSY_BACKOFF_MS * 2 ** (attempt - 1)));
          continue;
        }
        if (error instanceof UserError) return { ok: false, failure: { kind: 'bad-request', error: errorMessage(error) } };
        if (isDiskFull(error)) return { ok: false, failure: { kind: 'internal', error: 'the disk holding the database is full; nothing was changed (free some space and try again)' } };
        if (isDatabaseBusy(error)) return { ok: false, failure: { kind: 'internal', error: `the database is busy (another program holds it); nothing was changed, try again` } };
        return { ok: false, failure: { kind: 'internal', error: `internal error: ${errorMessage(error)}` } };
      }
    }
  }
}

/**
 * Waiting for another process's write (a training run, an import, a second app on the
 * same file): SQLite's busy handler first waits up to the connection's busy_timeout
 * (5 s) for the lock; a call that still fails with SQLITE_BUSY (the timeout ran out, or
 * a read snapshot went stale before its write, which SQLite reports at once) had its
 * transaction rolled back, and is tried again after 50, 100, 200 ms: at most four
 * attempts, so about 20 s in the worst case, then a clear error.
 */
const BUSY_ATTEMPTS = 4;
const BUSY_BACKOFF_MS = 50;
/** Methods with effects outside the database (runs, downloads) are not repeated. */
/** The download route's table name for a study's statistics (study.exportReport). */
const STUDY_REPORT_TABLE = 'study-report';

const NOT_RETRIED = new Set<string>(['train.start', 'train.resume', 'train.cancel', 'datasets.addKnown', 'evaluate.start', 'evaluate.cancel']);

function isDatabaseBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
