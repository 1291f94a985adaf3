import { subgroupImpact } from '../analysis/subgroup-impact.js';
import type { Db } from '../db/database.js';
import { experimentAttributes } from '../sql/image-attributes.js';
import type { SubgroupImpactDto } from './contract.js';

/** The Results screen's subgroup section: the export's rows in camelCase; none (not an error) when no attributes are attached. */
export function subgroupSection(db: Db, experimentId: number, positiveClass: string | undefined, cieQuantile?: number): { attributes: number; rows: SubgroupImpactDto[] } {
  const attributes = experimentAttributes(db, experimentId).size;
  if (attributes === 0) return { attributes, rows: [] };
  const rows = subgroupImpact(db, experimentId, { positiveClass, cieQuantile }).map(
    (r): SubgroupImpactDto => ({
      variant: r.variant,
      attribute: r.attribute,
      value: r.value,
      images: r.images,
      baselineMeanAccuracy: r.baseline_mean_accuracy,
      variantMeanAccuracy: r.variant_mean_accuracy,
      statistic: r.statistic,
      pvalue: r.pvalue,
      qvalue: r.qvalue,
      significant: r.significant === 1,
      pieRatio: r.pie_ratio,
      cieRatio: r.cie_ratio,
      ...(r.fpr_change === undefined ? {} : { fprChange: r.fpr_change, fnrChange: r.fnr_change ?? null }),
    }),
  );
  return { attributes, rows };
}
