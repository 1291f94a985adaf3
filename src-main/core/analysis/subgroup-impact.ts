import type { Db } from '../db/database.js';
import { UserError } from '../errors.js';
import { experimentAttributes, experimentClasses } from '../sql/image-attributes.js';
import { computeAnalysis } from './analyse.js';
import { DEFAULT_CIE_QUANTILE, cieThreshold, isCie } from './cie.js';
import { loadExperiment, type Variant } from './population-data.js';
import { benjaminiHochberg, mean, welchTTest } from './statistics.js';

export interface SubgroupImpact {
  variant: string;
  attribute: string;
  value: string;
  images: number;
  baseline_mean_accuracy: number;
  variant_mean_accuracy: number;
  statistic: number | null;
  pvalue: number | null;
  qvalue: number | null;
  significant: 0 | 1;
  pie_ratio: number | null;
  cie_ratio: number | null;
  fpr_change?: number | null;
  fnr_change?: number | null;
}

export interface SubgroupOptions {
  /** class name or label number: adds fpr_change and fnr_change */
  positiveClass?: string;
  cieQuantile?: number;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** The label of --positive-class, given as a class name or a label number of the experiment's dataset. */
export function resolvePositiveClass(db: Db, experimentId: number, raw: string): number {
  const classes = experimentClasses(db, experimentId);
  const hit = classes.find((c) => c.name === raw) ?? classes.find((c) => String(c.label) === raw.trim());
  if (!hit) {
    const known = classes.length ? classes.map((c) => c.name).join(', ') : 'none: the experiment has no dataset';
    throw new UserError(`--positive-class '${raw}' is not a class of the experiment's dataset (classes: ${known})`);
  }
  return hit.label;
}

/**
 * Subgroup impact of every non-dense variant, for every attribute value with at least
 * two of the experiment's images. As class impact: per model, its accuracy on the
 * subgroup minus its population's mean top-1; Welch's t-test of the dense values against
 * the variant's (positive: the subgroup lost more than top-1 did); Benjamini-Hochberg
 * over all subgroups of the variant, significant at q <= 0.05. pie_ratio and cie_ratio:
 * the subgroup's share among the variant's PIEs (CIEs) over its share of the images.
 * With a positive class C, fpr_change and fnr_change: the relative change of the
 * population mean false-positive (false-negative) rate for C on the subgroup, variant
 * against dense.
 */
export function subgroupImpact(db: Db, experimentId: number, options: SubgroupOptions = {}): SubgroupImpact[] {
  const positive = options.positiveClass === undefined ? undefined : resolvePositiveClass(db, experimentId, options.positiveClass);
  const attributes = experimentAttributes(db, experimentId);
  if (attributes.size === 0) throw new UserError(`the images of experiment ${experimentId} carry no attributes (add them: pie-audit datasets attributes --dataset NAME FILE.csv)`);
  const data = loadExperiment(db, experimentId);
  const analysis = computeAnalysis(data);
  const dense = data.variants.find((v) => v.name === 'dense') as Variant;
  const n = data.numImages;
  const truth = data.trueLabels;
  const accuracyOn = (variant: Variant, images: number[]): number[] =>
    variant.models.map((m) => images.reduce((s, i) => s + (m.predicted[i] === truth[i] ? 1 : 0), 0) / images.length);
  const top1 = (variant: Variant): number => mean(accuracyOn(variant, Array.from({ length: n }, (_, i) => i)));
  /** population mean of a rate over the models; NaN when no image counts for it */
  const meanRate = (variant: Variant, images: number[], counts: (i: number) => boolean, hit: (predicted: number) => boolean): number => {
    const base = images.filter(counts);
    if (base.length === 0) return NaN;
    return mean(variant.models.map((m) => base.reduce((s, i) => s + (hit(m.predicted[i] ?? -1) ? 1 : 0), 0) / base.length));
  };
  const denseTop1 = top1(dense);
  const rows: SubgroupImpact[] = [];
  for (const result of analysis) {
    if (result.variant === dense || !result.isPie || !result.cieDistance) continue;
    const variant = result.variant;
    const isPie = result.isPie;
    const distances = result.cieDistance;
    const threshold = cieThreshold(distances, options.cieQuantile ?? DEFAULT_CIE_QUANTILE);
    const cie = Uint8Array.from(distances, (d) => (isCie(d, threshold) ? 1 : 0));
    const pies = isPie.reduce((s, x) => s + x, 0);
    const cies = cie.reduce((s, x) => s + x, 0);
    const variantTop1 = top1(variant);
    const start = rows.length;
    for (const [attribute, values] of attributes) {
      for (const [value, images] of values) {
        if (images.length < 2) continue;
        const base = accuracyOn(dense, images);
        const vari = accuracyOn(variant, images);
        const test = welchTTest(base.map((a) => a - denseTop1), vari.map((a) => a - variantTop1));
        const share = images.length / n;
        const row: SubgroupImpact = {
          variant: variant.name,
          attribute,
          value,
          images: images.length,
          baseline_mean_accuracy: mean(base),
          variant_mean_accuracy: mean(vari),
          statistic: finite(test.statistic),
          pvalue: finite(test.pvalue),
          qvalue: null,
          significant: 0,
          pie_ratio: pies ? images.filter((i) => isPie[i] === 1).length / pies / share : null,
          cie_ratio: cies ? images.filter((i) => cie[i] === 1).length / cies / share : null,
        };
        if (positive !== undefined) {
          const change = (counts: (i: number) => boolean, hit: (p: number) => boolean): number | null => {
            const d = meanRate(dense, images, counts, hit);
            return d === 0 ? null : finite((meanRate(variant, images, counts, hit) - d) / d);
          };
          row.fpr_change = change((i) => truth[i] !== positive, (p) => p === positive);
          row.fnr_change = change((i) => truth[i] === positive, (p) => p !== positive);
        }
        rows.push(row);
      }
    }
    const mine = rows.slice(start);
    const q = benjaminiHochberg(mine.map((r) => r.pvalue ?? NaN));
    mine.forEach((r, i) => {
      r.qvalue = finite(q[i] ?? NaN);
      r.significant = r.qvalue !== null && r.qvalue <= 0.05 ? 1 : 0;
    });
  }
  return rows;
}
