/** The events namespace: progress pushed to the renderer (server-sent events or IPC). */
import { z } from 'zod';

export const ApiEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('download.progress'),
    file: z.string(),
    received: z.number(),
    total: z.number().optional(),
  }),
  z.object({ type: z.literal('datasets.changed') }),
  /** Another program replaced the database's content (db restore, or a newer version migrated it): every screen is out of date. */
  z.object({ type: z.literal('database.replaced') }),
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
  // experimentId: null for a new import, whose experiment is stored when every model has finished
  z.object({ type: z.literal('models.started'), experimentId: z.number().nullable() }),
  z.object({ type: z.literal('models.progress'), modelId: z.number(), variant: z.string(), seed: z.number(), done: z.number(), total: z.number() }),
  z.object({ type: z.literal('models.model-done'), modelId: z.number(), variant: z.string(), seed: z.number(), top1: z.number(), measuredSparsity: z.number(), seconds: z.number() }),
  z.object({ type: z.literal('models.finished'), experimentId: z.number().nullable(), done: z.number(), failed: z.number(), cancelled: z.boolean(), seconds: z.number() }),
  z.object({ type: z.literal('models.error'), message: z.string() }),
  z.object({ type: z.literal('evaluate.started'), experimentId: z.number(), sets: z.number(), todo: z.number(), backend: z.string() }),
  z.object({ type: z.literal('evaluate.progress'), experimentId: z.number(), evalSet: z.string(), variant: z.string(), top1: z.number(), done: z.number(), todo: z.number() }),
  z.object({ type: z.literal('evaluate.finished'), experimentId: z.number(), evaluated: z.number(), skipped: z.number(), cancelled: z.boolean(), seconds: z.number() }),
  z.object({ type: z.literal('evaluate.error'), experimentId: z.number(), message: z.string() }),
]);
export type ApiEvent = z.output<typeof ApiEventSchema>;

