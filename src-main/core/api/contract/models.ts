/** The models namespace: populations of the user's own model files (ONNX, TensorFlow.js). */
import { z } from 'zod';
import { Empty } from './common.js';

/** A model file of an own-models manifest, as opened and probed before a run. */
export const ModelDescriptionSchema = z.object({
  file: z.string(),
  variant: z.string(),
  seed: z.number().int(),
  inputName: z.string(),
  inputShape: z.string(),
  outputName: z.string(),
  outputShape: z.string(),
  outputWidth: z.number().int(),
  measuredSparsity: z.number(),
});
export type ModelDescriptionDto = z.output<typeof ModelDescriptionSchema>;

const POSITIVE = 'must be a positive integer';

/**
 * An import of the user's own models and its ranges: the one source for the API
 * (models.import takes its fields from here) and pie-audit models import.
 */
export const ModelImportSettingsSchema = z.object({
  dataset: z.string().min(1).max(100),
  manifest: z.string().min(1).max(4096),
  name: z.string().min(1).max(200).optional(),
  workers: z.number({ error: POSITIVE }).int({ error: POSITIVE }).min(1, { error: POSITIVE }).max(64, { error: 'must be 1..64' }).optional(),
  batchSize: z.number({ error: POSITIVE }).int({ error: POSITIVE }).min(1, { error: POSITIVE }).max(65536, { error: 'must be 1..65536' }).optional(),
  resume: z.boolean().optional(),
  experimentId: z.number({ error: POSITIVE }).int({ error: POSITIVE }).min(1, { error: POSITIVE }).optional(),
});

export const modelsMethods = {
  /** Electron only: the open dialog's choice (null when cancelled). */
  'models.chooseManifest': {
    request: Empty,
    response: z.object({ path: z.string().nullable() }),
  },
  /** Electron only: model files from an open dialog (null when cancelled). */
  'models.chooseModelFiles': {
    request: Empty,
    response: z.object({ paths: z.array(z.string()).nullable() }),
  },
  /** Writes a manifest from the form; the manifest's schema checks it first (every bad field: one line in `problems`, nothing written). */
  'models.writeManifest': {
    request: z.object({ out: z.string().min(1).max(4096), manifest: z.unknown() }).strict(),
    response: z.discriminatedUnion('written', [
      z.object({ written: z.literal(true), path: z.string(), text: z.string() }),
      z.object({ written: z.literal(false), problems: z.array(z.string()).min(1) }),
    ]),
  },
  'models.inspect': {
    request: z.object({ dataset: z.string().min(1).max(100), manifest: z.string().min(1).max(4096) }).strict(),
    response: z.array(ModelDescriptionSchema),
  },
  'models.import': {
    request: ModelImportSettingsSchema.pick({ dataset: true, manifest: true, name: true, workers: true }).strict(),
    // the experiment id comes with models.finished: nothing is stored before every model has run
    response: z.object({ started: z.literal(true) }),
  },
} as const;
