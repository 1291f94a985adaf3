/** The datasets namespace: datasets in the database, and adding a known one. */
import { z } from 'zod';
import { Empty } from './common.js';

/** What a dataset name may hold: names appear in file names and URLs. */
export const DATASET_NAME_RULE = "1-100 letters, digits, spaces, '.', '_', '+', '-'; starting with a letter or digit";

/** A new dataset's name: the one rule for the API (datasets.addKnown) and every `datasets add`. */
export const DatasetName = z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N} ._+-]{0,99}$/u, { error: `must be ${DATASET_NAME_RULE}` });

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
        name: DatasetName.optional(),
      })
      .strict(),
    response: DatasetSummarySchema,
  },
} as const;

export type DatasetSummaryDto = z.output<typeof DatasetSummarySchema>;
