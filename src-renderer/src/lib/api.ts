/**
 * The renderer's typed API client. The same calls work in Electron (through the
 * preload's window.pieAudit) and in a browser (POST /api/<method> with the session
 * cookie, events over EventSource); components never know which.
 */
import type { ApiEvent, ApiFailure, ApiMethod, ApiRequest, ApiResponse, ApiResult } from '../../../src-main/core/api/contract.ts';
import { electronBridge } from './bridge.ts';

// The contract's types, for components (which import from here, never from src-main).
export type {
  ApiEvent,
  ApiMethod,
  ApiRequest,
  ApiResponse,
  ClassImpactDto,
  ComparisonDto,
  DatasetSummaryDto,
  ExperimentSummaryDto,
  ExportRequestDto,
  ImageDetailDto,
  LabelCategoryDto,
  LabelDto,
  ModelDescriptionDto,
  ModelSummaryDto,
  PieColumnsDto,
  PopulationVotesDto,
  ReportDto,
  ShiftDto,
  ImageShiftDto,
  StudyItemDto,
  StudyReportDto,
  StudySummaryDto,
  SubgroupImpactDto,
} from '../../../src-main/core/api/contract.ts';
export type AppInfo = ApiResponse<'app.info'>;

/**
 * An image of the database by its images.id, on the page's own origin: browser mode's
 * /image/ route, or Electron's app://renderer/image/ (IMAGE_PATH_PREFIX in contract.ts).
 */
export function imageUrl(imageId: number, size: 'thumb' | 'full'): string {
  return `/image/${imageId}.png?size=${size}`;
}

/**
 * Many thumbnails in one PNG, top to bottom, each in a square cell as wide as the strip
 * (the grid's sprite sheets: one request and one decode for a block of cells). At most
 * 256 ids (STRIP_MAX_IDS in src-main/core/api/image-strip.ts).
 */
export function imageStripUrl(imageIds: readonly number[]): string {
  return `/image/strip.png?ids=${imageIds.join(',')}`;
}

/** Starts a same-origin download (browser mode's export): the server names the file. */
export function startDownload(url: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}

/** A failed call: the server's one-line reason as the message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly kind: ApiFailure['kind'] | 'network',
  ) {
    super(message);
  }
}

/** The one-line text to show for anything a call threw. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function call<M extends ApiMethod>(method: M, request: ApiRequest<M>): Promise<ApiResponse<M>> {
  const bridge = electronBridge();
  const result = bridge ? await bridge.call(method, request) : await callHttp(method, request);
  if (!result.ok) throw new ApiError(result.failure.error, result.failure.kind);
  // The carriers validated the request; the response comes from our own service.
  return result.value as ApiResponse<M>;
}

async function callHttp(method: ApiMethod, request: unknown): Promise<ApiResult> {
  let response: Response;
  try {
    response = await fetch(`/api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(request ?? {}),
    });
  } catch {
    throw new ApiError('cannot reach the PIE Audit server (is pie-audit serve still running?)', 'network');
  }
  const body = await readJson(response);
  if (response.ok && body && 'value' in body) return { ok: true, value: body.value };
  const reason = body && typeof body.error === 'string' ? body.error : `HTTP ${response.status} ${response.statusText}`.trim();
  const kind = body?.kind === 'bad-request' || body?.kind === 'internal' ? body.kind : 'internal';
  return { ok: false, failure: { error: reason, kind } };
}

async function readJson(response: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = await response.json();
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

type Listener = (event: ApiEvent) => void;
const listeners = new Set<Listener>();
let source: EventSource | undefined;

/** Subscribes to progress and change events; returns the unsubscribe function. */
export function onEvent(listener: Listener): () => void {
  const bridge = electronBridge();
  if (bridge) return bridge.onEvent(listener);
  listeners.add(listener);
  source ??= openEventSource();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && source) {
      source.close();
      source = undefined;
    }
  };
}

function openEventSource(): EventSource {
  const es = new EventSource('/api/events');
  es.onmessage = (message: MessageEvent<string>) => {
    let event: ApiEvent;
    try {
      event = JSON.parse(message.data) as ApiEvent;
    } catch {
      return;
    }
    if (!event || typeof event.type !== 'string') return;
    for (const listener of listeners) listener(event);
  };
  return es;
}
