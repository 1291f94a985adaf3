import { call, type PieColumnsDto } from './api.ts';
import { NewestLoad } from './newest-load.svelte.ts';
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

/** The grid's filters and order, kept across reloads (the audit's queue is taken from them). */
export interface GridSettings {
  piesOnly: boolean;
  /** true label to show, -1: every class */
  classFilter: number;
  tieFilter: TieFilter;
  cieFilter: CieFilter;
  /** 'any', 'unlabeled', 'labeled', or a category name (including 'none') */
  labelFilter: string;
  sort: SortKey;
  descending: boolean;
  /** the variant last shown, per experiment id */
  variants: Record<string, string>;
  /** attribute to filter by ('' : none) and the value its images must have */
  attribute: string;
  attributeValue: string;
  /** CIEs are the images at or above this quantile of the variant's CIE distances (grid, Results and exports) */
  cieQuantile: number;
}

const SETTINGS_KEY = 'pie-audit.grid';
export const DEFAULT_CIE_QUANTILE = 0.9;
const DEFAULTS: GridSettings = {
  piesOnly: true,
  classFilter: -1,
  tieFilter: 'any',
  cieFilter: 'any',
  labelFilter: 'any',
  sort: 'agreement',
  descending: false,
  variants: {},
  attribute: '',
  attributeValue: '',
  cieQuantile: DEFAULT_CIE_QUANTILE,
};

/** A CIE quantile the API accepts: strictly between 0 and 1. */
export function isCieQuantile(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value < 1;
}

/** The stored settings, each field checked (a stale or edited entry falls back to the default). */
export function readGridSettings(text: string | null): GridSettings {
  let stored: Partial<Record<keyof GridSettings, unknown>> = {};
  try {
    const parsed: unknown = text === null ? null : JSON.parse(text);
    if (parsed && typeof parsed === 'object') stored = parsed as typeof stored;
  } catch {
    // unreadable: the defaults
  }
  const pick = <K extends keyof GridSettings>(key: K, ok: (v: unknown) => boolean): GridSettings[K] => (ok(stored[key]) ? (stored[key] as GridSettings[K]) : DEFAULTS[key]);
  const isVariants = (v: unknown): boolean => !!v && typeof v === 'object' && Object.values(v).every((x) => typeof x === 'string');
  return {
    piesOnly: pick('piesOnly', (v) => typeof v === 'boolean'),
    classFilter: pick('classFilter', (v) => Number.isInteger(v) && (v as number) >= -1),
    tieFilter: pick('tieFilter', (v) => v === 'any' || v === 'tie' || v === 'no-tie'),
    cieFilter: pick('cieFilter', (v) => v === 'any' || v === 'cie' || v === 'not-cie'),
    labelFilter: pick('labelFilter', (v) => typeof v === 'string' && v !== ''),
    sort: pick('sort', (v) => typeof v === 'string' && v in SORT_LABELS),
    descending: pick('descending', (v) => typeof v === 'boolean'),
    variants: { ...pick('variants', isVariants) },
    attribute: pick('attribute', (v) => typeof v === 'string'),
    attributeValue: pick('attributeValue', (v) => typeof v === 'string'),
    cieQuantile: pick('cieQuantile', isCieQuantile),
  };
}

function loadSettings(): GridSettings {
  try {
    return readGridSettings(localStorage.getItem(SETTINGS_KEY));
  } catch {
    return { ...DEFAULTS, variants: {} };
  }
}

/**
 * The PIE grid's data (every image of the experiment for one variant, as columns),
 * its filters and sort order. `rows` is the filtered, sorted list of row positions
 * into the columns; the audit steps through the same list. Filters, order and the
 * variant shown are kept in localStorage, so a reload finds the same list.
 */
export class GridState {
  #data = $state.raw<PieColumnsDto | null>(null);
  #load = new NewestLoad();
  #settings = $state<GridSettings>(loadSettings());

  /** an image set chosen elsewhere (a comparison cell): this session only */
  imageSet = $state.raw<ImageSet | null>(null);

  readonly labels: LabelsState;

  constructor(labels: LabelsState) {
    this.labels = labels;
  }

  get data(): PieColumnsDto | null {
    return this.#data;
  }

  get loading(): boolean {
    return this.#load.loading;
  }

  get error(): string | null {
    return this.#load.error;
  }

  #set<K extends keyof GridSettings>(key: K, value: GridSettings[K]): void {
    this.#settings[key] = value;
    try {
      localStorage.setItem(SETTINGS_KEY, JSON.stringify(this.#settings));
    } catch {
      // storage full or off: the settings hold for this session only
    }
  }

  get piesOnly(): boolean {
    return this.#settings.piesOnly;
  }
  set piesOnly(value: boolean) {
    this.#set('piesOnly', value);
  }

  /** true label to show, -1: every class */
  get classFilter(): number {
    return this.#settings.classFilter;
  }
  set classFilter(value: number) {
    this.#set('classFilter', value);
  }

  get tieFilter(): TieFilter {
    return this.#settings.tieFilter;
  }
  set tieFilter(value: TieFilter) {
    this.#set('tieFilter', value);
  }

  get cieFilter(): CieFilter {
    return this.#settings.cieFilter;
  }
  set cieFilter(value: CieFilter) {
    this.#set('cieFilter', value);
  }

  /** 'any', 'unlabeled', 'labeled', or a category name (including 'none') */
  get labelFilter(): string {
    return this.#settings.labelFilter;
  }
  set labelFilter(value: string) {
    this.#set('labelFilter', value);
  }

  get sort(): SortKey {
    return this.#settings.sort;
  }
  set sort(value: SortKey) {
    this.#set('sort', value);
  }

  /** the attribute filtered by ('': none); changing it clears the value */
  get attribute(): string {
    return this.#settings.attribute;
  }
  set attribute(value: string) {
    this.#set('attribute', value);
    this.#set('attributeValue', value === '' ? '' : (this.#data?.attributes.find((a) => a.name === value)?.values[0] ?? ''));
  }

  get attributeValue(): string {
    return this.#settings.attributeValue;
  }
  set attributeValue(value: string) {
    this.#set('attributeValue', value);
  }

  /** The CIE quantile; a new one reloads the grid's CIEs (the Results screen reads it too). */
  get cieQuantile(): number {
    return this.#settings.cieQuantile;
  }
  set cieQuantile(value: number) {
    if (!isCieQuantile(value) || value === this.#settings.cieQuantile) return;
    this.#set('cieQuantile', value);
    const shown = this.#data;
    if (shown) void this.load(shown.experimentId, shown.variant);
  }

  get descending(): boolean {
    return this.#settings.descending;
  }
  set descending(value: boolean) {
    this.#set('descending', value);
  }

  rows = $derived.by((): Int32Array => {
    const d = this.data;
    if (!d) return new Int32Array(0);
    const labelFilter = this.labelFilter;
    if (labelFilter !== 'any') void this.labels.version;
    const keep: number[] = [];
    // An attribute (or value) the experiment's images do not carry filters nothing.
    const attribute = d.attributes.find((a) => a.name === this.attribute);
    const attributeCode = attribute ? attribute.values.indexOf(this.attributeValue) : -1;
    const attributeCodes = attributeCode >= 0 ? attribute?.codes : undefined;
    for (let i = 0; i < d.count; i++) {
      if (attributeCodes && attributeCodes[i] !== attributeCode) continue;
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

  load(experimentId: number, variant?: string): Promise<void> {
    const cieQuantile = this.cieQuantile;
    return this.#load.run(
      () => call('pies.list', variant === undefined ? { experimentId, cieQuantile } : { experimentId, variant, cieQuantile }),
      (data) => {
        // another experiment chosen (not a reload): its classes are others
        if ((this.#data !== null && this.#data.experimentId !== experimentId) || this.classFilter >= data.classes.length) this.classFilter = -1;
        this.#set('variants', { ...this.#settings.variants, [experimentId]: data.variant });
        this.#data = data;
      },
      () => (this.#data = null),
    );
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
    // the variant shown now, else the one last shown for this experiment (before a reload)
    const shown = this.#data?.experimentId === experimentId ? this.#data.variant : undefined;
    const stored = this.#settings.variants[experimentId];
    if (shown !== undefined || stored === undefined) return this.load(experimentId, shown);
    // a stored variant the experiment no longer has: its default instead
    return this.load(experimentId, stored).then(() => (this.#load.error !== null ? this.load(experimentId) : undefined));
  }
}
