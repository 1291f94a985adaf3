/**
 * The shift namespace: the paper's distribution-shift finding. `shift.get` is the
 * shift table of `pie-audit report --json` (snake_case, as documented in docs/), with
 * each row's corruption error and mCE per variant; `image.shift` is one image under
 * each evaluated corruption with every population's vote; `evaluate.*` runs an
 * experiment's models on corrupted copies of its test split or on another dataset's
 * (one run at a time, shared with training and model imports; progress as events).
 */
import { z } from 'zod';
import { Empty, ExperimentId, Nullable } from './common.js';

export const ShiftRowSchema = z.object({
  eval_set: z.string(),
  corruption: z.string().nullable(),
  severity: Nullable,
  variant: z.string(),
  top1_mean: z.number(),
  top1_std: z.number(),
  relative_change: Nullable,
  amplification: Nullable,
  pvalue: Nullable,
  pies: Nullable,
  ce: Nullable,
});

export const ShiftSchema = z.object({
  rows: z.array(ShiftRowSchema),
  mce: z.record(z.string(), Nullable),
});

export const ImageShiftSchema = z.object({
  experimentId: z.number().int(),
  imageIndex: z.number().int(),
  classes: z.array(z.string()),
  sets: z.array(
    z.object({
      evalSet: z.string(),
      corruption: z.string(),
      severity: z.number().int(),
      /** the corrupted image, regenerated (corruptions are seeded per image): a data:image/png URL */
      png: z.string(),
      populations: z.array(z.object({ variant: z.string(), models: z.number().int(), votes: z.array(z.number().int()), modal: Nullable })),
    }),
  ),
});

export const CORRUPTION_NAMES = [
  'identity', 'shot_noise', 'impulse_noise', 'glass_blur', 'motion_blur', 'shear', 'scale', 'rotate',
  'brightness', 'translate', 'stripe', 'fog', 'spatter', 'dotted_line', 'zigzag', 'canny_edges',
] as const;

const SEVERITY = { error: 'is not a severity (1 to 5)' };

/**
 * What an evaluation runs: the one source for the API (evaluate.start) and pie-audit
 * evaluate. Messages follow core/api/validate.ts.
 */
export const EvaluateSettingsSchema = z
  .object({
    experimentId: ExperimentId,
    /** corrupted copies of the test split, each at every severity given... */
    corruptions: z.array(z.enum(CORRUPTION_NAMES)).min(1).max(CORRUPTION_NAMES.length).optional(),
    severities: z
      .array(z.number(SEVERITY).int(SEVERITY).min(1, SEVERITY).max(5, SEVERITY))
      .min(1, { error: 'must list severities 1 to 5' })
      .max(5, { error: 'must list severities 1 to 5' })
      .optional(),
    /** ...or another dataset's test split with the same classes */
    onDataset: z.string({ error: 'must be a dataset name (1-100 characters)' }).min(1, { error: 'must be a dataset name (1-100 characters)' }).max(100, { error: 'must be a dataset name (1-100 characters)' }).optional(),
  })
  .strict();

export const shiftMethods = {
  'shift.get': {
    request: z.object({ experimentId: ExperimentId }).strict(),
    response: ShiftSchema,
  },
  'image.shift': {
    request: z.object({ experimentId: ExperimentId, imageIndex: z.number().int().min(0) }).strict(),
    response: ImageShiftSchema,
  },
  'evaluate.start': {
    request: EvaluateSettingsSchema,
    response: z.object({ started: z.literal(true), experimentId: z.number().int(), sets: z.number().int(), todo: z.number().int() }),
  },
  'evaluate.cancel': {
    request: Empty,
    response: z.object({ cancelled: z.boolean() }),
  },
  'evaluate.status': {
    request: Empty,
    response: z.object({ running: z.boolean(), experimentId: z.number().int().nullable() }),
  },
} as const;

export type ShiftDto = z.output<typeof ShiftSchema>;
export type ShiftRowDto = z.output<typeof ShiftRowSchema>;
export type ImageShiftDto = z.output<typeof ImageShiftSchema>;
