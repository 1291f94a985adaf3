/**
 * The studies namespace: blind human studies and their report. StudyReportSchema keeps
 * the snake_case names of `pie-audit study report --json` (docs/exports.md).
 */
import { z } from 'zod';
import { AnnotatorName, CategoryName, MAX_NOTE_LENGTH, Empty, ExperimentId, Nullable, StudyId } from './common.js';
import { LabelSchema } from './labels.js';

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

const count = (min: number, message: string) => z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(100_000, { error: `must be ${min}..100000` });

/**
 * A new study's settings and their ranges: the one source for the API (study.create)
 * and pie-audit study create. Messages follow core/api/validate.ts.
 */
export const StudySettingsSchema = z.object({
  name: z.string({ error: 'must be 1-200 characters' }).trim().min(1, { error: 'must be 1-200 characters' }).max(200, { error: 'must be 1-200 characters' }),
  experimentId: ExperimentId,
  /** a sparsity such as '0.9' or a variant name; default: the sparsest magnitude-pruned one */
  variant: z.string().min(1).max(100).optional(),
  pies: count(1, 'must be a positive integer'),
  controls: count(0, 'must be a non-negative integer'),
  seed: z.number({ error: 'must be a non-negative integer' }).int({ error: 'must be a non-negative integer' }).min(0, { error: 'must be a non-negative integer' }).max(2 ** 31, { error: 'must be a non-negative integer' }),
});

/** `pie-audit study report --json` as docs/exports.md documents it; is_pie in consensus only after unblinding. */
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

/** The formats a study's files come in (its report, its items). */
export const StudyFileFormat = z.enum(['json', 'csv'], { error: 'must be csv or json' });

export const studiesMethods = {
  'study.list': {
    request: Empty,
    response: z.array(StudySummarySchema),
  },
  'study.create': {
    request: StudySettingsSchema.strict(),
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
        note: z.string().max(MAX_NOTE_LENGTH).optional(),
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
  /**
   * The study's statistics as a file: json is `pie-audit study report --json`'s text, csv
   * one row per category. Answered while blind as the CLI answers; the app keeps it
   * behind the study owner's confirmation.
   */
  'study.exportReport': {
    request: z.object({ studyId: StudyId, format: StudyFileFormat }).strict(),
    response: z.discriminatedUnion('outcome', [
      /** Electron: written where the save dialog said (rows: one per category) */
      z.object({ outcome: z.literal('saved'), path: z.string(), rows: z.number().int() }),
      z.object({ outcome: z.literal('cancelled') }),
      /** browser mode: fetch this same-origin URL as a download */
      z.object({ outcome: z.literal('download'), url: z.string(), fileName: z.string() }),
    ]),
  },
} as const;

export type StudySummaryDto = z.output<typeof StudySummarySchema>;
export type StudyItemDto = z.output<typeof StudyItemSchema>;
export type StudyReportDto = z.output<typeof StudyReportSchema>;
