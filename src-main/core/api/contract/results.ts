/**
 * The results namespace: the report, class impact, the PIE columns, one image's
 * populations, and exports. ReportSchema keeps the snake_case names of
 * `pie-audit report --json` (docs/exports.md); everything else is camelCase.
 */
import { z } from 'zod';
import { CieQuantile, ExperimentId, Nullable, StudyId } from './common.js';
import { ShiftRowSchema } from './shift.js';

/** `pie-audit report --json` as docs/exports.md documents it, plus the image and class counts. */
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
      pies_on_ties: Nullable,
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
      /** Spearman of class training counts against class impact and PIE counts (docs/science.md) */
      longtail: z.object({ spearman_rho: Nullable, spearman_p: Nullable, pie_rho: Nullable, pie_p: Nullable }).nullable(),
      /** mean corruption error; null here unless the report was made with its shift table */
      mce: Nullable,
    }),
  ),
  /** the shift table (the CLI's report --json; the app reads it through shift.get) */
  shift: z.array(ShiftRowSchema.omit({ ce: true })),
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
  /** the class's training images in this experiment's run; null for imported predictions */
  trainCount: Nullable,
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
  /** taxicab distance between the variant's and dense's vote shares (0..2) */
  cieDistance: z.array(z.number()),
  /** 0/1: a compression-identified exemplar at cieQuantile */
  isCie: z.array(z.number()),
  cies: z.number().int(),
  cieQuantile: z.number(),
  /**
   * The images' attributes (`datasets attributes`), one entry per attribute: its values
   * in order, and per image (index-aligned with the other columns) the position of the
   * image's value in `values`, -1 where the image has none.
   */
  attributes: z.array(z.object({ name: z.string(), values: z.array(z.string()), codes: z.array(z.number().int()) })),
});

/** One row of `export subgroup-impact`, camelCase. */
export const SubgroupImpactSchema = z.object({
  variant: z.string(),
  attribute: z.string(),
  value: z.string(),
  images: z.number().int(),
  baselineMeanAccuracy: z.number(),
  variantMeanAccuracy: z.number(),
  statistic: Nullable,
  pvalue: Nullable,
  qvalue: Nullable,
  significant: z.boolean(),
  pieRatio: Nullable,
  cieRatio: Nullable,
  fprChange: Nullable.optional(),
  fnrChange: Nullable.optional(),
});

const ComparisonSideSchema = z.union([z.object({ variant: z.string().min(1).max(100) }).strict(), z.object({ modelId: z.number().int().positive() }).strict()]);

/** Two populations (modal labels) or two models side by side; arrays are index-aligned per image. */
export const ComparisonSchema = z.object({
  classes: z.array(z.string()),
  matrix: z.array(z.array(z.number().int())),
  bothRight: z.number().int(),
  bothWrong: z.number().int(),
  onlyFirstRight: z.number().int(),
  onlySecondRight: z.number().int(),
  imageIndex: z.array(z.number().int()),
  trueLabel: z.array(z.number().int()),
  first: z.array(z.number().int()),
  second: z.array(z.number().int()),
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

export const ExportRequestSchema = z
  .object({
    experimentId: ExperimentId.optional(),
    /** with table 'study': the study (default: the newest) */
    studyId: StudyId.optional(),
    table: z.enum(['labels', 'pies', 'class-impact', 'shift', 'subgroup-impact', 'predictions', 'models', 'study']),
    format: z.enum(['csv', 'json', 'jsonl'], { error: 'must be csv, json or jsonl' }),
    /** pies and subgroup-impact: as the CLI's --cie-quantile */
    cieQuantile: CieQuantile.optional(),
    /** subgroup-impact: as the CLI's --positive-class (name or label) */
    positiveClass: z.string({ error: 'must be 1-200 characters' }).trim().min(1, { error: 'must be 1-200 characters' }).max(200, { error: 'must be 1-200 characters' }).optional(),
  })
  .strict();

export const resultsMethods = {
  'report.get': {
    request: z.object({ experimentId: ExperimentId.optional(), cieQuantile: CieQuantile.optional() }).strict(),
    response: ReportSchema,
  },
  'classes.impact': {
    request: z.object({ experimentId: ExperimentId }).strict(),
    response: z.array(ClassImpactSchema),
  },
  'pies.list': {
    request: z.object({ experimentId: ExperimentId, variant: z.string().min(1).max(100).optional(), cieQuantile: CieQuantile.optional() }).strict(),
    response: PieColumnsSchema,
  },
  'subgroups.impact': {
    request: z.object({ experimentId: ExperimentId, positiveClass: z.string().min(1).max(200).optional(), cieQuantile: CieQuantile.optional() }).strict(),
    /** attributes: how many attributes the experiment's images carry (0: none attached yet, rows empty) */
    response: z.object({ attributes: z.number().int(), rows: z.array(SubgroupImpactSchema) }),
  },
  'compare.get': {
    request: z.object({ experimentId: ExperimentId, first: ComparisonSideSchema, second: ComparisonSideSchema }).strict(),
    response: ComparisonSchema,
  },
  'image.detail': {
    request: z.object({ experimentId: ExperimentId, imageIndex: z.number().int().min(0) }).strict(),
    response: ImageDetailSchema,
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

export type ReportDto = z.output<typeof ReportSchema>;
export type ClassImpactDto = z.output<typeof ClassImpactSchema>;
export type PieColumnsDto = z.output<typeof PieColumnsSchema>;
export type PopulationVotesDto = z.output<typeof PopulationVotesSchema>;
export type SubgroupImpactDto = z.output<typeof SubgroupImpactSchema>;
export type ComparisonDto = z.output<typeof ComparisonSchema>;
export type ImageDetailDto = z.output<typeof ImageDetailSchema>;
export type ExportRequestDto = z.output<typeof ExportRequestSchema>;
