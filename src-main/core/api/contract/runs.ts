/** The runs namespace: training a population, and the experiments and models it made. */
import { z } from 'zod';
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

export const runsMethods = {
  'train.start': {
    request: z
      .object({
        dataset: z.string().min(1).max(100),
        preset: z.enum(['smoke', 'quick', 'paper', 'longtail']).default('quick'),
        models: z.number().int().min(1).max(1000).optional(),
        sparsities: z.array(z.number().min(0).lt(1)).min(1).max(20).optional(),
        quantize: z.array(z.enum(['fp16', 'int8'])).max(2).optional(),
        epochs: z.number().int().min(1).max(1000).optional(),
        arch: z.enum(['mlp', 'cnn']).optional(),
        trainLimit: z.number().int().min(1).optional(),
        seed: z.number().int().min(0).max(2 ** 31).optional(),
        workers: z.number().int().min(1).max(64).optional(),
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
