/**
 * The shift namespace: the paper's distribution-shift finding. `shift.get` is the
 * shift table of `pie-audit report --json` (snake_case, as documented in docs/), with
 * each row's corruption error and mCE per variant; `image.shift` is one image under
 * each evaluated corruption with every population's vote.
 */
import { z } from 'zod';
import { ExperimentId, Nullable } from './common.js';

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

export const shiftMethods = {
  'shift.get': {
    request: z.object({ experimentId: ExperimentId }).strict(),
    response: ShiftSchema,
  },
  'image.shift': {
    request: z.object({ experimentId: ExperimentId, imageIndex: z.number().int().min(0) }).strict(),
    response: ImageShiftSchema,
  },
} as const;

export type ShiftDto = z.output<typeof ShiftSchema>;
export type ShiftRowDto = z.output<typeof ShiftRowSchema>;
export type ImageShiftDto = z.output<typeof ImageShiftSchema>;
