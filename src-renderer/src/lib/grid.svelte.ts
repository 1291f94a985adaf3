import { call, errorMessage, type PieColumnsDto } from './api.ts';
import type { LabelsState } from './labels.svelte.ts';

export type SortKey = 'agreement' | 'denseAgreement' | 'meanTrueProbability' | 'selfConfidence' | 'normalizedMargin' | 'cieDistance' | 'index';
export type TieFilter = 'any' | 'tie' | 'no-tie';
export type CieFilter = 'any' | 'cie' | 'not-cie';

/** A set of images chosen elsewhere (a comparison cell), shown alone in the grid. */
export interface ImageSet {
  /** the set applies to this experiment's grid only */
  experimentId: number;
  label: string;
  indexes: ReadonlySet<number>;
}

export const SORT_LABELS: Record<SortKey, string> = {
  agreement: 'Variant agreement',
  denseAgreement: 'Dense agreement',
  meanTrueProbability: 'Mean p(true label)',
  selfConfidence: 'Self-confidence',
  normalizedMargin: 'Normalized margin',
  cieDistance: 'CIE distance',
  index: 'Image index',
};

/**
 * The PIE grid's data (every image of the experiment for one variant, as columns),
 * its filters and sort order. `rows` is the filtered, sorted list of row positions
 * into the columns; the audit steps through the same list.
 */
export class GridState {
  data = $state.raw<PieColumnsDto | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);

  piesOnly = $state(true);
  /** true label to show, -1: every class */
  classFilter = $state(-1);
  tieFilter = $state<TieFilter>('any');
  cieFilter = $state<CieFilter>('any');
  imageSet = $state.raw<ImageSet | null>(null);
  /** 'any', 'unlabeled', 'labeled', or a category name (including 'none') */
  labelFilter = $state('any');
  sort = $state<SortKey>('agreement');
  descending = $state(false);

  #token = 0;
  readonly labels: LabelsState;

  constructor(labels: LabelsState) {
    this.labels = labels;
  }

  rows = $derived.by((): Int32Array => {
    const d = this.data;
    if (!d) return new Int32Array(0);
    const labelFilter = this.labelFilter;
    if (labelFilter !== 'any') void this.labels.version;
    const keep: number[] = [];
    for (let i = 0; i < d.count; i++) {
      if (this.imageSet?.experimentId === d.experimentId && !this.imageSet.indexes.has(d.imageIndex[i] ?? -1)) continue;
      if (this.piesOnly && !d.isPie[i]) continue;
      if (this.cieFilter !== 'any' && (this.cieFilter === 'cie') !== (d.isCie[i] === 1)) continue;
      if (this.classFilter >= 0 && d.trueLabel[i] !== this.classFilter) continue;
      if (this.tieFilter !== 'any') {
        const tie = (d.tie[i] ?? 0) | (d.denseTie[i] ?? 0);
        if ((this.tieFilter === 'tie') !== (tie === 1)) continue;
      }
      if (labelFilter !== 'any') {
        const label = this.labels.labelOf(d.imageIndex[i] ?? -1);
        const labeled = label !== null && label.categories.length > 0;
        if (labelFilter === 'unlabeled' ? labeled : labelFilter === 'labeled' ? !labeled : !label?.categories.includes(labelFilter)) continue;
      }
      keep.push(i);
    }
    const key = this.sortValues(d, this.sort);
    const sign = this.descending ? -1 : 1;
    keep.sort((a, b) => sign * ((key[a] ?? 0) - (key[b] ?? 0)) || (d.imageIndex[a] ?? 0) - (d.imageIndex[b] ?? 0));
    return Int32Array.from(keep);
  });

  private sortValues(d: PieColumnsDto, sort: SortKey): Float64Array {
    const out = new Float64Array(d.count);
    for (let i = 0; i < d.count; i++) {
      switch (sort) {
        case 'agreement':
          out[i] = (d.votes[i] ?? 0) / (d.observ[i] || 1);
          break;
        case 'denseAgreement':
          out[i] = (d.denseVotes[i] ?? 0) / (d.denseObserv[i] || 1);
          break;
        case 'meanTrueProbability':
          out[i] = d.meanTrueProbability[i] ?? -1;
          break;
        case 'selfConfidence':
          out[i] = d.selfConfidence[i] ?? 0;
          break;
        case 'normalizedMargin':
          out[i] = d.normalizedMargin[i] ?? 0;
          break;
        case 'cieDistance':
          out[i] = d.cieDistance[i] ?? 0;
          break;
        case 'index':
          out[i] = d.imageIndex[i] ?? 0;
          break;
      }
    }
    return out;
  }

  /** The image indexes of the current list, in order (the audit's queue). */
  imageIndexes(): number[] {
    const d = this.data;
    if (!d) return [];
    return Array.from(this.rows, (r) => d.imageIndex[r] ?? 0);
  }

  async load(experimentId: number, variant?: string): Promise<void> {
    const token = ++this.#token;
    this.loading = true;
    this.error = null;
    try {
      const data = await call('pies.list', variant === undefined ? { experimentId } : { experimentId, variant });
      if (token !== this.#token) return;
      if (this.data?.experimentId !== experimentId) this.classFilter = -1;
      this.data = data;
    } catch (error) {
      if (token !== this.#token) return;
      this.data = null;
      this.error = errorMessage(error);
    } finally {
      if (token === this.#token) this.loading = false;
    }
  }

  #loadedFor = '';

  /**
   * Loads when the experiment differs from what is shown (or nothing is), or when more
   * of its models have finished since (`doneModels`), keeping the chosen variant.
   */
  ensure(experimentId: number, doneModels = 0): Promise<void> {
    const key = `${experimentId}:${doneModels}`;
    if ((this.data?.experimentId === experimentId && this.#loadedFor === key) || this.loading) return Promise.resolve();
    this.#loadedFor = key;
    return this.load(experimentId, this.data?.experimentId === experimentId ? this.data.variant : undefined);
  }
}
