/**
 * The one typed API between the renderer and the Node side, gathered from its
 * namespaces (contract/*.ts: datasets, runs, models, results, shift, labels, studies, events). Every
 * request and response has a zod schema; both carriers (Electron IPC and HTTP in browser
 * mode) validate requests with it, and the renderer is typed by it. These files must
 * stay importable from the renderer: zod only, no Node modules.
 *
 * Naming: a schema is `<Thing>Schema`, its parsed type `<Thing>Dto`; fields are
 * camelCase, except the two documents that are also the CLI's documented JSON
 * (`report --json`, `study report --json`), which keep their snake_case names.
 * Method names are `<namespace>.<verb>` and never change once published.
 */
import { z } from 'zod';
import { Empty } from './contract/common.js';
import { datasetsMethods } from './contract/datasets.js';
import { labelsMethods } from './contract/labels.js';
import { modelsMethods } from './contract/models.js';
import { resultsMethods } from './contract/results.js';
import { runsMethods } from './contract/runs.js';
import { shiftMethods } from './contract/shift.js';
import { studiesMethods } from './contract/studies.js';

export * from './contract/common.js';
export * from './contract/datasets.js';
export * from './contract/events.js';
export * from './contract/labels.js';
export * from './contract/models.js';
export * from './contract/results.js';
export * from './contract/runs.js';
export * from './contract/shift.js';
export * from './contract/studies.js';

const appMethods = {
  'app.info': {
    request: Empty,
    response: z.object({
      version: z.string(),
      databasePath: z.string(),
      carrier: z.enum(['electron', 'http']),
      /** the serving machine's cores: what a run's workers share (the run form's time estimates) */
      cores: z.number().int().positive(),
    }),
  },
} as const;

export const apiContract = {
  ...appMethods,
  ...datasetsMethods,
  ...runsMethods,
  ...modelsMethods,
  ...resultsMethods,
  ...shiftMethods,
  ...labelsMethods,
  ...studiesMethods,
} as const;

export type ApiContract = typeof apiContract;
export type ApiMethod = keyof ApiContract;
export type ApiRequest<M extends ApiMethod> = z.input<ApiContract[M]['request']>;
export type ApiResponse<M extends ApiMethod> = z.output<ApiContract[M]['response']>;

export const apiMethods = Object.keys(apiContract) as ApiMethod[];

export function isApiMethod(value: unknown): value is ApiMethod {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(apiContract, value);
}
