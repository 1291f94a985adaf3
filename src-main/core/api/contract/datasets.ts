/** The datasets namespace: datasets in the database, and adding a known one. */
import { z } from 'zod';
import { Empty } from './common.js';

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

export const datasetsMethods = {
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

export type DatasetSummaryDto = z.output<typeof DatasetSummarySchema>;
