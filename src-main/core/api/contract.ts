/**
 * The one typed API between the renderer and the Node side. Every request and
 * response has a zod schema; both carriers (Electron IPC and HTTP in browser mode)
 * validate requests with it, and the renderer is typed by it. This file must stay
 * importable from the renderer: zod only, no Node modules.
 */
import { z } from 'zod';

export const DatasetKindSchema = z.enum(['fashion-mnist', 'mnist', 'cifar10', 'idx', 'folder']);

export const DatasetSummarySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  kind: DatasetKindSchema,
  source: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  channels: z.number().int(),
  classes: z.array(z.string()),
  train: z.number().int(),
  test: z.number().int(),
  fingerprint: z.string(),
  createdAt: z.string(),
});

const Empty = z.object({}).strict();

const ExperimentId = z.number().int().positive();
const Nullable = z.number().nullable();

export const ExperimentSummarySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  dataset: z.string().nullable(),
  origin: z.enum(['trained', 'imported']),
  preset: z.string().nullable(),
  createdAt: z.string(),
  images: z.number().int(),
  variants: z.array(z.string()),
  models: z.object({ total: z.number(), done: z.number(), failed: z.number(), running: z.number(), pending: z.number() }),
});

export const ModelSummarySchema = z.object({
  id: z.number().int(),
  variant: z.string(),
  method: z.enum(['dense', 'magnitude', 'fp16', 'int8']),
  targetSparsity: z.number(),
  measuredSparsity: Nullable,
  seed: z.number().int(),
  arch: z.string(),
  backend: z.string().nullable(),
  epochs: Nullable,
  top1: Nullable,
  status: z.enum(['pending', 'running', 'done', 'failed']),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

/** `pie-audit report --json` (DESIGN.md section 5), plus the image and class counts. */
export const ReportSchema = z.object({
  experiment_id: z.number().int(),
  dataset: z.string(),
  images: z.number().int(),
  classes: z.array(z.string()),
  /** CIEs are the images at or above this quantile of a variant's distances */
  cie_quantile: z.number(),
  variants: z.array(
    z.object({
      variant: z.string(),
      method: z.string(),
      target_sparsity: z.number(),
      models: z.number().int(),
      top1_mean: z.number(),
      top1_std: z.number(),
      pies: Nullable,
      pie_share: Nullable,
      dense_top1_on_pies: Nullable,
      variant_top1_on_pies: Nullable,
      dense_top1_on_non_pies: Nullable,
      variant_top1_on_non_pies: Nullable,
      classes_p05: Nullable,
      classes_q05: Nullable,
      most_hurt: z.array(z.string()).nullable(),
      cies: Nullable,
      dense_top1_on_cies: Nullable,
      variant_top1_on_cies: Nullable,
      pies_and_cies: Nullable,
    }),
  ),
});

export const ClassImpactSchema = z.object({
  variant: z.string(),
  targetSparsity: z.number(),
  class: z.number().int(),
  className: z.string(),
  baselineMeanRecall: z.number(),
  variantMeanRecall: z.number(),
  statistic: Nullable,
  pvalue: Nullable,
  qvalue: Nullable,
  significant: z.boolean(),
});

/**
 * Every image of an experiment for one compressed variant, column-wise: array i of
 * each column belongs to the same image. `isPie`, `tie` and `denseTie` are 0/1;
 * `votes`/`observ` give the variant's agreement (votes / observ), `dense*` the
 * dense population's.
 */
export const PieColumnsSchema = z.object({
  experimentId: z.number().int(),
  variant: z.string(),
  variants: z.array(z.string()),
  classes: z.array(z.string()),
  count: z.number().int(),
  pies: z.number().int(),
  imageIndex: z.array(z.number()),
  imageId: z.array(Nullable),
  trueLabel: z.array(z.number()),
  isPie: z.array(z.number()),
  modal: z.array(z.number()),
  votes: z.array(z.number()),
  observ: z.array(z.number()),
  tie: z.array(z.number()),
  denseModal: z.array(z.number()),
  denseVotes: z.array(z.number()),
  denseObserv: z.array(z.number()),
  denseTie: z.array(z.number()),
  meanTrueProbability: z.array(Nullable),
  denseMeanTrueProbability: z.array(Nullable),
  selfConfidence: z.array(z.number()),
  normalizedMargin: z.array(z.number()),
});

export const PopulationVotesSchema = z.object({
  variant: z.string(),
  method: z.string(),
  targetSparsity: z.number(),
  models: z.number().int(),
  /** votes[c]: how many of the population's models predicted class c */
  votes: z.array(z.number().int()),
  modal: Nullable,
  agreement: Nullable,
  tie: z.boolean().nullable(),
  isPie: z.boolean().nullable(),
  meanTrueProbability: Nullable,
  selfConfidence: Nullable,
  normalizedMargin: Nullable,
});

export const ImageDetailSchema = z.object({
  experimentId: z.number().int(),
  imageIndex: z.number().int(),
  images: z.number().int(),
  imageId: Nullable,
  trueLabel: z.number().int(),
  classes: z.array(z.string()),
  populations: z.array(PopulationVotesSchema),
});

export const LabelCategorySchema = z.object({
  name: z.string(),
  description: z.string(),
  key: z.string().nullable(),
  position: z.number(),
});

export const LabelSchema = z.object({
  imageIndex: z.number().int(),
  /** category names in schema order, or ['none'] for a typical, clean image */
  categories: z.array(z.string()),
  note: z.string(),
  labeledAt: z.string(),
});

const AnnotatorName = z.string().trim().min(1).max(100);
const CategoryName = z.string().min(1).max(100);

const StudyId = z.number().int().positive();

export const StudySummarySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  experimentId: z.number().int(),
  dataset: z.string(),
  variant: z.string(),
  nPies: z.number().int(),
  nControls: z.number().int(),
  seed: z.number().int(),
  blind: z.boolean(),
  fingerprint: z.string(),
  createdAt: z.string(),
  /** images in the study */
  total: z.number().int(),
  progress: z.array(z.object({ annotator: z.string(), labeled: z.number().int(), total: z.number().int() })),
});

/** What an annotator sees of one study image: never the PIE flag, never a model output. */
export const StudyItemSchema = z.object({
  position: z.number().int(),
  imageIndex: z.number().int(),
  imageId: Nullable,
  trueLabel: z.number().int(),
  className: z.string(),
  /** this annotator's label; categories ['none'] for a typical, clean image */
  label: LabelSchema.nullable(),
});

const Interval = z.tuple([Nullable, Nullable]);

/** `pie-audit study report --json` (DESIGN.md section 5); is_pie in consensus only after unblinding. */
export const StudyReportSchema = z.object({
  study_id: z.number().int(),
  name: z.string(),
  variant: z.string(),
  blind: z.boolean(),
  n_pies: z.number().int(),
  n_controls: z.number().int(),
  pies_labeled: z.number().int(),
  controls_labeled: z.number().int(),
  annotators: z.array(z.string()),
  categories: z.array(
    z.object({
      name: z.string(),
      pie_count: z.number().int(),
      pie_share: Nullable,
      pie_ci: Interval,
      control_count: z.number().int(),
      control_share: Nullable,
      control_ci: Interval,
      ratio: Nullable,
      fisher_p: Nullable,
      fleiss_kappa: Nullable,
      krippendorff_alpha: Nullable,
      gwet_ac1: Nullable,
    }),
  ),
  overall: z.object({ krippendorff_alpha: Nullable }),
  /** Cohen's kappa per pair of annotators (a before b by name) and category, over the n images both labeled. */
  pairwise_kappa: z.array(z.object({ a: z.string(), b: z.string(), category: z.string(), kappa: Nullable, n: z.number().int() })),
  consensus: z.array(
    z.object({
      position: z.number().int(),
      image_index: z.number().int(),
      labeled_by: z.number().int(),
      categories: z.array(z.string()),
      ties: z.array(z.string()),
      is_pie: z.boolean().optional(),
    }),
  ),
});

export const ExportRequestSchema = z
  .object({
    experimentId: ExperimentId.optional(),
    /** with table 'study': the study (default: the newest) */
    studyId: StudyId.optional(),
    table: z.enum(['labels', 'pies', 'class-impact', 'predictions', 'models', 'study']),
    format: z.enum(['csv', 'json', 'jsonl']),
  })
  .strict();

export const apiContract = {
  'app.info': {
    request: Empty,
    response: z.object({
      version: z.string(),
      databasePath: z.string(),
      carrier: z.enum(['electron', 'http']),
    }),
  },
  'datasets.list': {
    request: Empty,
    response: z.array(DatasetSummarySchema),
  },
  'datasets.addKnown': {
    request: z
      .object({
        kind: z.enum(['fashion-mnist', 'mnist']),
        name: z.string().min(1).max(100).optional(),
      })
      .strict(),
    response: DatasetSummarySchema,
  },
  'train.start': {
    request: z
      .object({
        dataset: z.string().min(1).max(100),
        preset: z.enum(['smoke', 'quick', 'paper']).default('quick'),
        models: z.number().int().min(1).max(1000).optional(),
        sparsities: z.array(z.number().min(0).lt(1)).min(1).max(20).optional(),
        quantize: z.array(z.enum(['fp16', 'int8'])).max(2).optional(),
        epochs: z.number().int().min(1).max(1000).optional(),
        arch: z.enum(['mlp', 'cnn']).optional(),
        trainLimit: z.number().int().min(1).optional(),
        seed: z.number().int().min(0).max(2 ** 31).optional(),
        workers: z.number().int().min(1).max(64).optional(),
      })
      .strict(),
    response: z.object({ started: z.literal(true), experimentId: z.number().int() }),
  },
  'train.resume': {
    request: z.object({ experimentId: z.number().int().positive().optional(), workers: z.number().int().min(1).max(64).optional() }).strict(),
    response: z.object({ started: z.literal(true), experimentId: z.number().int() }),
  },
  'train.cancel': {
    request: Empty,
    response: z.object({ cancelled: z.boolean() }),
  },
  'train.status': {
    request: Empty,
    response: z.object({ running: z.boolean(), experimentId: z.number().int().nullable() }),
  },
  'experiments.list': {
    request: Empty,
    response: z.array(ExperimentSummarySchema),
  },
  'experiments.models': {
    request: z.object({ experimentId: ExperimentId }).strict(),
    response: z.array(ModelSummarySchema),
  },
  'report.get': {
    request: z.object({ experimentId: ExperimentId.optional() }).strict(),
    response: ReportSchema,
  },
  'classes.impact': {
    request: z.object({ experimentId: ExperimentId }).strict(),
    response: z.array(ClassImpactSchema),
  },
  'pies.list': {
    request: z.object({ experimentId: ExperimentId, variant: z.string().min(1).max(100).optional() }).strict(),
    response: PieColumnsSchema,
  },
  'image.detail': {
    request: z.object({ experimentId: ExperimentId, imageIndex: z.number().int().min(0) }).strict(),
    response: ImageDetailSchema,
  },
  'schema.get': {
    request: Empty,
    response: z.array(LabelCategorySchema),
  },
  'annotator.get': {
    request: Empty,
    response: z.object({ name: z.string(), osUser: z.string() }),
  },
  'annotator.set': {
    request: z.object({ name: AnnotatorName }).strict(),
    response: z.object({ name: z.string(), osUser: z.string() }),
  },
  'labels.list': {
    request: z.object({ experimentId: ExperimentId, annotator: AnnotatorName.optional() }).strict(),
    response: z.object({ annotator: z.string(), images: z.number().int(), labels: z.array(LabelSchema) }),
  },
  'labels.get': {
    request: z.object({ experimentId: ExperimentId, imageIndex: z.number().int().min(0), annotator: AnnotatorName.optional() }).strict(),
    response: z.object({ annotator: z.string(), label: LabelSchema.nullable() }),
  },
  'labels.set': {
    request: z
      .object({
        experimentId: ExperimentId,
        imageIndex: z.number().int().min(0),
        categories: z.array(CategoryName).max(50),
        /** [] removes the label; ['none'] marks a typical, clean image. note: left as stored when absent */
        note: z.string().max(4000).optional(),
        annotator: AnnotatorName.optional(),
      })
      .strict(),
    /** label null: the image has no label (no category, no note) */
    response: z.object({ annotator: z.string(), label: LabelSchema.nullable(), labeled: z.number().int() }),
  },
  'study.list': {
    request: Empty,
    response: z.array(StudySummarySchema),
  },
  'study.create': {
    request: z
      .object({
        name: z.string().trim().min(1).max(200),
        experimentId: ExperimentId,
        /** a sparsity such as '0.9' or a variant name; default: the sparsest magnitude-pruned one */
        variant: z.string().min(1).max(100).optional(),
        pies: z.number().int().min(1).max(100_000),
        controls: z.number().int().min(0).max(100_000),
        seed: z.number().int().min(0).max(2 ** 31),
      })
      .strict(),
    response: StudySummarySchema,
  },
  'study.items': {
    request: z.object({ studyId: StudyId, annotator: AnnotatorName }).strict(),
    response: z.object({
      studyId: z.number().int(),
      name: z.string(),
      blind: z.boolean(),
      annotator: z.string(),
      total: z.number().int(),
      labeled: z.number().int(),
      items: z.array(StudyItemSchema),
    }),
  },
  'study.label': {
    request: z
      .object({
        studyId: StudyId,
        annotator: AnnotatorName,
        imageIndex: z.number().int().min(0),
        /** [] removes the label; ['none'] marks a typical, clean image */
        categories: z.array(CategoryName).max(50),
        /** left as stored when absent */
        note: z.string().max(2000).optional(),
      })
      .strict(),
    /** label null: removed (or there was none) */
    response: z.object({ annotator: z.string(), label: LabelSchema.nullable(), labeled: z.number().int(), total: z.number().int() }),
  },
  'study.report': {
    request: z.object({ studyId: StudyId }).strict(),
    response: StudyReportSchema,
  },
  'study.unblind': {
    request: z.object({ studyId: StudyId }).strict(),
    response: StudySummarySchema,
  },
  'export.file': {
    request: ExportRequestSchema,
    response: z.discriminatedUnion('outcome', [
      /** Electron: written where the save dialog said */
      z.object({ outcome: z.literal('saved'), path: z.string(), rows: z.number().int() }),
      z.object({ outcome: z.literal('cancelled') }),
      /** browser mode: fetch this same-origin URL as a download */
      z.object({ outcome: z.literal('download'), url: z.string(), fileName: z.string() }),
    ]),
  },
} as const;

export type ApiContract = typeof apiContract;
export type ApiMethod = keyof ApiContract;
export type ApiRequest<M extends ApiMethod> = z.input<ApiContract[M]['request']>;
export type ApiResponse<M extends ApiMethod> = z.output<ApiContract[M]['response']>;
export type DatasetSummaryDto = z.output<typeof DatasetSummarySchema>;
export type ExperimentSummaryDto = z.output<typeof ExperimentSummarySchema>;
export type ModelSummaryDto = z.output<typeof ModelSummarySchema>;
export type ReportDto = z.output<typeof ReportSchema>;
export type ClassImpactDto = z.output<typeof ClassImpactSchema>;
export type PieColumnsDto = z.output<typeof PieColumnsSchema>;
export type PopulationVotesDto = z.output<typeof PopulationVotesSchema>;
export type ImageDetailDto = z.output<typeof ImageDetailSchema>;
export type LabelCategoryDto = z.output<typeof LabelCategorySchema>;
export type LabelDto = z.output<typeof LabelSchema>;
export type StudySummaryDto = z.output<typeof StudySummarySchema>;
export type StudyItemDto = z.output<typeof StudyItemSchema>;
export type StudyReportDto = z.output<typeof StudyReportSchema>;
export type ExportRequestDto = z.output<typeof ExportRequestSchema>;
export type ExportResultDto = z.output<ApiContract['export.file']['response']>;

/**
 * Where images and export downloads are served, on the page's own origin (browser
 * mode, and Electron's app://renderer/): /image/<images.id>.png?size=thumb|full.
 * The renderer spells these paths itself (it may import only types from here).
 */
export const IMAGE_PATH_PREFIX = '/image/';
export const DOWNLOAD_PATH = '/download/export';

export const apiMethods = Object.keys(apiContract) as ApiMethod[];

export function isApiMethod(value: unknown): value is ApiMethod {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(apiContract, value);
}

/** Progress events pushed to the renderer (server-sent events or IPC). */
export const ApiEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('download.progress'),
    file: z.string(),
    received: z.number(),
    total: z.number().optional(),
  }),
  z.object({ type: z.literal('datasets.changed') }),
  z.object({ type: z.literal('train.started'), experimentId: z.number(), backend: z.string() }),
  z.object({
    type: z.literal('train.progress'),
    modelId: z.number(),
    variant: z.string(),
    seed: z.number(),
    epoch: z.number(),
    epochs: z.number(),
    step: z.number(),
    steps: z.number(),
    loss: z.number(),
    accuracy: z.number(),
  }),
  z.object({ type: z.literal('train.model-done'), modelId: z.number(), variant: z.string(), seed: z.number(), top1: z.number(), measuredSparsity: z.number(), seconds: z.number() }),
  z.object({ type: z.literal('train.model-failed'), modelId: z.number(), variant: z.string(), message: z.string() }),
  z.object({ type: z.literal('train.finished'), experimentId: z.number(), done: z.number(), failed: z.number(), cancelled: z.boolean(), seconds: z.number() }),
  z.object({ type: z.literal('train.error'), message: z.string() }),
]);
export type ApiEvent = z.output<typeof ApiEventSchema>;

/** What a failed call returns: the one-line reason, and whether the input was at fault. */
export interface ApiFailure {
  error: string;
  kind: 'bad-request' | 'internal';
}
