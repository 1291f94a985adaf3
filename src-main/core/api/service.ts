import type { Db } from '../db/database.js';
import { addKnownIdxDataset } from '../datasets/add.js';
import { listDatasets } from '../datasets/store.js';
import { refreshAnalysis } from '../analysis/refresh.js';
import { experimentReport } from '../analysis/report.js';
import { UserError, errorMessage, isDiskFull } from '../errors.js';
import { trainPopulation, type TrainRequest } from '../population/train.js';
import type { PopulationEvent } from '../population/runner.js';
import { importModels, inspectModels, type ImportModelsRequest } from '../models/import.js';
import type { ModelRunEvent } from '../models/runner.js';
import { APP_VERSION } from '../version.js';
import { experimentImageCount, resolveExperiment } from '../sql/experiments.js';
import { labeledCount } from '../sql/labels.js';
import { createImageRenderer, type ImageRenderer, type ImageSize } from '../images/render.js';
import { currentAnnotator, getLabel, listLabels, osAnnotator, setCurrentAnnotator, setLabel } from '../labels/store.js';
import { listCategories } from '../schema/categories.js';
import { deleteExperiment, renameExperiment } from '../sql/experiment-lifecycle.js';
import { exportFileName, writeExport, type ExportRequest } from './export.js';
import { thumbnailStrip } from './image-strip.js';
import { studyReport } from '../study/report.js';
import { createStudySummary, listStudySummaries, setStudyLabelApi, studyItemsFor, unblindStudySummary } from './study.js';
import { classImpact, experimentModels, imageDetail, listExperiments, pieColumns } from './results.js';
import { subgroupSection } from './subgroups.js';
import { compare } from '../analysis/comparison.js';
import { imageShift, shiftTable } from './shift.js';
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
  private readonly handlers: Handlers;
  private readonly images: ImageRenderer;

  constructor(
    private readonly db: Db,
    private readonly context: ServiceContext,
  ) {
    this.images = createImageRenderer(db);
    this.handlers = {
      'app.info': () => ({ version: APP_VERSION, databasePath: this.context.databasePath, carrier: this.context.carrier }),
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
        const { dataset, preset, workers, ...overrides } = request;
        return this.startTraining({ dataset, preset, overrides, workers });
      },
      'models.chooseManifest': async () => {
        if (!this.context.chooseManifestPath) throw new UserError('no file dialog in browser mode: type the manifest\'s path on the machine serving PIE Audit');
        return { path: (await this.context.chooseManifestPath()) ?? null };
      },
      'models.inspect': (request) => inspectModels(this.db, request.dataset, request.manifest),
      'models.import': (request) => this.startModelImport({ dataset: request.dataset, manifest: request.manifest, name: request.name, workers: request.workers }),
      'train.resume': (request) => this.startTraining({ resume: true, experimentId: request.experimentId, workers: request.workers }),
      'train.cancel': () => {
        const running = this.training !== undefined;
        this.training?.abort();
        return { cancelled: running };
      },
      'train.status': () => ({ running: this.training !== undefined, experimentId: this.training ? this.trainingExperiment : null }),
      'experiments.list': () => listExperiments(this.db),
      'experiments.models': (request) => experimentModels(this.db, request.experimentId),
      'experiments.rename': (request) => ({ id: request.experimentId, name: renameExperiment(this.db, request.experimentId, request.name) }),
      'experiments.delete': (request) => {
        if (this.training && this.trainingExperiment === request.experimentId) {
          throw new UserError(`experiment ${request.experimentId} is being trained: cancel the run first`);
        }
        return deleteExperiment(this.db, request.experimentId);
      },
      'report.get': (request) => experimentReport(this.db, this.analysed(resolveExperiment(this.db, request.experimentId))),
      'classes.impact': (request) => classImpact(this.db, this.analysed(resolveExperiment(this.db, request.experimentId))),
      'pies.list': (request) => pieColumns(this.db, this.analysed(resolveExperiment(this.db, request.experimentId)), request.variant),
      'image.detail': (request) => {
        try {
          this.analysed(resolveExperiment(this.db, request.experimentId));
        } catch (error) {
          // No finished dense population yet: the votes are still worth showing.
          if (!(error instanceof UserError)) throw error;
        }
        return imageDetail(this.db, request.experimentId, request.imageIndex);
      },
      'subgroups.impact': (request) => subgroupSection(this.db, this.analysed(resolveExperiment(this.db, request.experimentId)), request.positiveClass),
      'compare.get': (request) => compare(this.db, this.analysed(resolveExperiment(this.db, request.experimentId)), request.first, request.second),
      'shift.get': (request) => shiftTable(this.db, this.analysed(request.experimentId)),
      'image.shift': (request) => imageShift(this.db, request.experimentId, request.imageIndex),
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
        if (!this.context.chooseExportPath) {
          const query = new URLSearchParams({ table: request.table, format: request.format });
          if (request.experimentId !== undefined) query.set('experimentId', String(request.experimentId));
          if (request.studyId !== undefined) query.set('studyId', String(request.studyId));
          return { outcome: 'download' as const, url: `${DOWNLOAD_PATH}?${query.toString()}`, fileName };
        }
        const out = await this.context.chooseExportPath(fileName, request.format);
        if (out === undefined) return { outcome: 'cancelled' as const };
        const { rows } = await writeExport(this.db, request, out);
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
  private startModelImport(request: ImportModelsRequest): Promise<{ started: true; experimentId: number }> {
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
        resolve({ started: true, experimentId });
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

  /** A rendered PNG of images.id (undefined: no such image). Never throws for bad ids. */
  imagePng(imageId: number, size: ImageSize): Promise<Buffer | undefined> {
    return this.images.png(imageId, size);
  }

  /** One PNG of many thumbnails, top to bottom (the grid's strips; see image-strip.ts). */
  imageStripPng(imageIds: readonly number[]): Promise<Buffer | undefined> {
    return thumbnailStrip(this.db, this.images, imageIds);
  }

  /**
   * Browser mode's download: validates the query like an API call, writes the export
   * to `out` and returns the file name to offer, or the one-line reason it failed.
   */
  async exportToFile(payload: unknown, out: string): Promise<{ ok: true; fileName: string; rows: number } | { ok: false; failure: ApiFailure }> {
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
const NOT_RETRIED = new Set<string>(['train.start', 'train.resume', 'train.cancel', 'datasets.addKnown']);

function isDatabaseBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
