/**
 * The audit's queue: the images to step through, in order, taken from the PIE grid's
 * list (its variant, filters and sort) when asked, and kept in localStorage so that a
 * reload finds the same queue (the position is in the address). Labeling under a
 * "not labeled" filter does not shrink it: it changes only when taken again.
 */
export interface StoredQueue {
  experimentId: number;
  variant: string;
  images: number[];
}

const QUEUE_KEY = 'pie-audit.audit-queue';

/** The stored queue when it is well formed, else null. */
export function readQueue(text: string | null): StoredQueue | null {
  try {
    const q: unknown = text === null ? null : JSON.parse(text);
    if (!q || typeof q !== 'object') return null;
    const { experimentId, variant, images } = q as Record<string, unknown>;
    if (!Number.isInteger(experimentId) || typeof variant !== 'string' || !Array.isArray(images) || !images.every((i) => Number.isInteger(i) && i >= 0)) return null;
    return { experimentId: experimentId as number, variant, images: images as number[] };
  } catch {
    return null;
  }
}

export class AuditQueue {
  #queue = $state.raw<StoredQueue | null>(null);

  constructor() {
    try {
      this.#queue = readQueue(localStorage.getItem(QUEUE_KEY));
    } catch {
      this.#queue = null;
    }
  }

  /** The queue of this experiment, or null when none was taken for it. */
  of(experimentId: number | null): StoredQueue | null {
    return this.#queue !== null && this.#queue.experimentId === experimentId ? this.#queue : null;
  }

  take(experimentId: number, variant: string, images: number[]): void {
    this.#queue = { experimentId, variant, images };
    try {
      localStorage.setItem(QUEUE_KEY, JSON.stringify(this.#queue));
    } catch {
      // storage full or off: the queue holds until the page closes
    }
  }
}
