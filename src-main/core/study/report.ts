import type { Db } from '../db/database.js';
import { cohenKappa, fisherExact, fleissKappa, gwetAc1, krippendorffAlphaNominal, wilsonInterval } from './agreement.js';
import { categoryNames } from '../schema/categories.js';
import { studyLabels } from './labels.js';
import { getStudy } from './store.js';

export interface CategoryResult {
  name: string;
  pie_count: number;
  pie_share: number | null;
  pie_ci: [number | null, number | null];
  control_count: number;
  control_share: number | null;
  control_ci: [number | null, number | null];
  ratio: number | null;
  fisher_p: number | null;
  fleiss_kappa: number | null;
  krippendorff_alpha: number | null;
  gwet_ac1: number | null;
}

/** Cohen's kappa of two annotators on one category, over the n images both labeled. */
export interface PairwiseKappa {
  a: string;
  b: string;
  category: string;
  kappa: number | null;
  n: number;
}

export interface ConsensusItem {
  position: number;
  image_index: number;
  labeled_by: number;
  categories: string[];
  /** categories chosen by exactly half of the annotators */
  ties: string[];
  is_pie?: boolean;
}

export interface StudyReport {
  study_id: number;
  name: string;
  variant: string;
  blind: boolean;
  n_pies: number;
  n_controls: number;
  pies_labeled: number;
  controls_labeled: number;
  annotators: string[];
  categories: CategoryResult[];
  overall: { krippendorff_alpha: number | null };
  pairwise_kappa: PairwiseKappa[];
  consensus: ConsensusItem[];
}

const num = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * The study's results (DESIGN.md sections 2 and 5). An image carries a category when a
 * strict majority of the annotators who labeled it chose it; shares are over the
 * images of each group that at least one annotator labeled; intervals are 95% Wilson;
 * Fisher's test is two-sided on [[PIEs with, PIEs without], [controls with, controls
 * without]]. Agreement per category is on chose / did not choose: Fleiss' kappa over
 * the images every annotator labeled, Krippendorff's alpha (nominal) over images
 * labeled by at least two. Overall alpha takes an annotator's whole set of categories
 * for an image as one value ('none' for the empty set). Gwet's AC1 per category uses the
 * same images as Fleiss' kappa; Cohen's kappa for each pair of annotators (sorted by
 * name) and category uses the images both labeled.
 */
export function studyReport(db: Db, studyId?: number): StudyReport {
  const study = getStudy(db, studyId);
  const items = db.prepare('SELECT position, image_index, is_pie FROM study_items WHERE study_id = ? ORDER BY position').all(study.id) as {
    position: number;
    image_index: number;
    is_pie: number;
  }[];
  const labels = studyLabels(db, study.id);
  const annotators = [...new Set(labels.map((l) => l.annotator))].sort();
  const schema = categoryNames(db);
  const byImage = new Map<number, Map<string, string[]>>();
  for (const l of labels) {
    const m = byImage.get(l.imageIndex) ?? new Map<string, string[]>();
    m.set(l.annotator, l.categories);
    byImage.set(l.imageIndex, m);
  }
  const labeled = items.filter((i) => byImage.has(i.image_index));
  const pieItems = labeled.filter((i) => i.is_pie === 1);
  const controlItems = labeled.filter((i) => i.is_pie === 0);
  const carries = (imageIndex: number, category: string): boolean => {
    const votes = [...(byImage.get(imageIndex)?.values() ?? [])];
    return votes.filter((v) => v.includes(category)).length * 2 > votes.length;
  };
  const complete = labeled.filter((i) => annotators.every((a) => byImage.get(i.image_index)?.has(a)));
  const pairable = labeled.filter((i) => (byImage.get(i.image_index)?.size ?? 0) >= 2);

  const categories = schema.map((name): CategoryResult => {
    const pieCount = pieItems.filter((i) => carries(i.image_index, name)).length;
    const controlCount = controlItems.filter((i) => carries(i.image_index, name)).length;
    const pieShare = pieItems.length ? pieCount / pieItems.length : NaN;
    const controlShare = controlItems.length ? controlCount / controlItems.length : NaN;
    const choseTable = complete.map((i) => {
      const chose = [...(byImage.get(i.image_index)?.values() ?? [])].filter((v) => v.includes(name)).length;
      return [chose, annotators.length - chose];
    });
    const kappa = annotators.length >= 2 && complete.length > 0 ? fleissKappa(choseTable) : NaN;
    const ac1 = annotators.length >= 2 && complete.length > 0 ? gwetAc1(choseTable) : NaN;
    const alpha = krippendorffAlphaNominal(pairable.map((i) => [...(byImage.get(i.image_index)?.values() ?? [])].map((v) => (v.includes(name) ? '1' : '0'))));
    const [pl, ph] = wilsonInterval(pieCount, pieItems.length);
    const [cl, ch] = wilsonInterval(controlCount, controlItems.length);
    return {
      name,
      pie_count: pieCount,
      pie_share: num(pieShare),
      pie_ci: [num(pl), num(ph)],
      control_count: controlCount,
      control_share: num(controlShare),
      control_ci: [num(cl), num(ch)],
      ratio: num(pieShare / controlShare),
      fisher_p: pieItems.length + controlItems.length > 0 ? fisherExact(pieCount, pieItems.length - pieCount, controlCount, controlItems.length - controlCount) : null,
      fleiss_kappa: num(kappa),
      krippendorff_alpha: num(alpha),
      gwet_ac1: num(ac1),
    };
  });
  const overall = krippendorffAlphaNominal(pairable.map((i) => [...(byImage.get(i.image_index)?.values() ?? [])].map((v) => (v.length ? v.join(';') : 'none'))));
  const pairwiseKappa: PairwiseKappa[] = [];
  annotators.forEach((a, ai) => {
    for (const b of annotators.slice(ai + 1)) {
      const both = labeled.map((i) => byImage.get(i.image_index)).filter((m) => m?.has(a) && m.has(b));
      for (const category of schema) {
        const chose = (who: string): string[] => both.map((m) => (m?.get(who)?.includes(category) ? '1' : '0'));
        pairwiseKappa.push({ a, b, category, kappa: num(cohenKappa(chose(a), chose(b))), n: both.length });
      }
    }
  });
  const consensus = labeled.map((i): ConsensusItem => {
    const votes = [...(byImage.get(i.image_index)?.values() ?? [])];
    const count = (c: string): number => votes.filter((v) => v.includes(c)).length;
    const item: ConsensusItem = {
      position: i.position,
      image_index: i.image_index,
      labeled_by: votes.length,
      categories: schema.filter((c) => count(c) * 2 > votes.length),
      ties: schema.filter((c) => count(c) > 0 && count(c) * 2 === votes.length),
    };
    if (!study.blind) item.is_pie = i.is_pie === 1;
    return item;
  });
  return {
    study_id: study.id,
    name: study.name,
    variant: study.variant,
    blind: study.blind,
    n_pies: study.nPies,
    n_controls: study.nControls,
    pies_labeled: pieItems.length,
    controls_labeled: controlItems.length,
    annotators,
    categories,
    overall: { krippendorff_alpha: num(overall) },
    pairwise_kappa: pairwiseKappa,
    consensus,
  };
}
