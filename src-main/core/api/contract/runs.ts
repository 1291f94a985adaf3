/** The runs namespace: training a population, and the experiments and models it made. */
import { z } from 'zod';
import { BACKENDS } from '../../training/backend-names.js';
import { Empty, ExperimentId, Nullable } from './common.js';

export const ExperimentSummarySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  dataset: z.string().nullable(),
  origin: z.enum(['trained', 'imported', 'evaluated']),
  preset: z.string().nullable(),
  createdAt: z.string(),
  images: z.number().int(),
  variants: z.array(z.string()),
  models: z.object({ total: z.number(), done: z.number(), failed: z.number(), running: z.number(), pending: z.number() }),
});

export const ModelSummarySchema = z.object({
  id: z.number().int(),
  variant: z.string(),
  method: z.enum(['dense', 'magnitude', 'fp16', 'int8', 'other']),
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

const PRESETS = ['smoke', 'quick', 'paper', 'longtail'] as const;
const oneOf = (names: readonly string[]): string => `must be one of ${names.join(', ')}`;
/** An integer from min to max, and the one message that says so. */
const whole = (min: number, max: number, message = `must be ${min}..${max}`) => z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });

/**
 * A population run's settings and their ranges: the one source for the API
 * (train.start takes its fields from here) and the command line (pie-audit train
 * checks its options against it). Messages follow core/api/validate.ts: "must ..."
 * speaks of the field, "is ..." of a value in a list.
 */
export const TrainSettingsSchema = z.object({
  dataset: z.string().min(1).max(100),
  preset: z.enum(PRESETS, { error: oneOf(PRESETS) }),
  models: whole(1, 1000).optional(),
  sparsities: z.array(z.number({ error: 'is not a sparsity in [0, 1)' }).min(0, { error: 'is not a sparsity in [0, 1)' }).lt(1, { error: 'is not a sparsity in [0, 1)' })).max(20).optional(),
  quantize: z.array(z.enum(['fp16', 'int8'], { error: oneOf(['fp16', 'int8']) })).max(2).optional(),
  epochs: whole(1, 1000).optional(),
  arch: z.enum(['mlp', 'cnn'], { error: oneOf(['mlp', 'cnn']) }).optional(),
  trainLimit: whole(1, Number.MAX_SAFE_INTEGER, 'must be a positive integer').optional(),
  seed: whole(0, 2 ** 31, 'must be a non-negative integer').optional(),
  workers: whole(1, 64).optional(),
  backend: z.enum(BACKENDS, { error: oneOf(BACKENDS) }).optional(),
  batchSize: whole(1, 65536).optional(),
  longTail: z.object({ ratio: z.number({ error: 'must be a ratio of at least 1' }).min(1, { error: 'must be a ratio of at least 1' }), order: z.array(z.number().int().min(0)).optional() }).optional(),
});

export const runsMethods = {
  'train.start': {
    request: TrainSettingsSchema.pick({ dataset: true, preset: true, models: true, sparsities: true, quantize: true, epochs: true, arch: true, trainLimit: true, seed: true, workers: true })
      .extend({
        preset: TrainSettingsSchema.shape.preset.default('quick'),
        sparsities: TrainSettingsSchema.shape.sparsities.unwrap().min(1).optional(),
        /** a class-imbalanced training set: the class of rank r keeps floor(n * longTail^(-r/(C-1))) images */
        longTail: z.number().min(1).max(1e6).optional(),
        /** with longTail (or the longtail preset): class names or label numbers, most frequent first, comma-separated */
        tailOrder: z.string().min(1).max(10_000).optional(),
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
  'experiments.rename': {
    request: z.object({ experimentId: ExperimentId, name: z.string().max(1000) }).strict(),
    response: z.object({ id: z.number().int(), name: z.string() }),
  },
  /** Refused while the experiment is being trained or a study draws from it. */
  'experiments.delete': {
    request: z.object({ experimentId: ExperimentId }).strict(),
    response: z.object({ id: z.number().int(), name: z.string(), models: z.number().int(), labels: z.number().int() }),
  },
} as const;

export type ExperimentSummaryDto = z.output<typeof ExperimentSummarySchema>;
export type ModelSummaryDto = z.output<typeof ModelSummarySchema>;
