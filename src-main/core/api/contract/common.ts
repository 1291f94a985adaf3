/**
 * What every namespace of the API shares: the empty request, id fields, and the one
 * result type both carriers return (IPC and HTTP alike).
 */
import { z } from 'zod';

export const Empty = z.object({}).strict();
/** A row id: the message is the one both carriers show (the CLI as `--experiment must be a positive integer, not '0'`). */
const RowId = z.number({ error: 'must be a positive integer' }).int({ error: 'must be a positive integer' }).positive({ error: 'must be a positive integer' });
export const ExperimentId = RowId;
export const StudyId = RowId;
export const Nullable = z.number().nullable();
export const AnnotatorName = z.string().trim().min(1).max(100);
/** CIEs are the images at or above this quantile of a variant's CIE distances (the CLI's --cie-quantile). */
export const CieQuantile = z.number().gt(0, 'must be between 0 and 1 (exclusive)').lt(1, 'must be between 0 and 1 (exclusive)');
export const CategoryName = z.string().min(1).max(100);
/** The longest note a label may carry, in the audit and in studies alike. */
export const MAX_NOTE_LENGTH = 4000;

/** What a failed call returns: the one-line reason, and whether the input was at fault. */
export interface ApiFailure {
  error: string;
  kind: 'bad-request' | 'internal';
}

/** What a call returns over either carrier: the response, or why there is none. */
export type ApiResult = { ok: true; value: unknown } | { ok: false; failure: ApiFailure };

/**
 * Where images and export downloads are served, on the page's own origin (browser
 * mode, and Electron's app://renderer/): /image/<images.id>.png?size=thumb|full.
 * The renderer spells these paths itself (it may import only types from here).
 */
export const IMAGE_PATH_PREFIX = '/image/';
export const DOWNLOAD_PATH = '/download/export';
