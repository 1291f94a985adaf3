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
]);
export type ApiEvent = z.output<typeof ApiEventSchema>;

/** What a failed call returns: the one-line reason, and whether the input was at fault. */
export interface ApiFailure {
  error: string;
  kind: 'bad-request' | 'internal';
}
