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
    response: z.object({ running: z.boolean() }),
  },
} as const;

export type ApiContract = typeof apiContract;
export type ApiMethod = keyof ApiContract;
export type ApiRequest<M extends ApiMethod> = z.input<ApiContract[M]['request']>;
export type ApiResponse<M extends ApiMethod> = z.output<ApiContract[M]['response']>;
export type DatasetSummaryDto = z.output<typeof DatasetSummarySchema>;

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
