import { Random } from '../random.js';

export interface Candidate {
  imageIndex: number;
  trueLabel: number;
  isPie: boolean;
}

export interface StudySample {
  /** In presentation order (shuffled). */
  items: Candidate[];
  /** Controls per class: wanted (matching the sampled PIEs) and drawn. */
  strata: { label: number; pies: number; controlsWanted: number; controlsDrawn: number }[];
}

/** k items of `pool` without replacement, in the order drawn. */
function draw<T>(pool: T[], k: number, random: Random): T[] {
  const order = random.permutation(pool.length);
  return Array.from(order.subarray(0, Math.min(k, pool.length)), (i) => pool[i] as T);
}

/**
 * The study's design: N PIEs drawn at random from the variant's PIEs, and N controls
 * from its non-PIEs stratified by true class to match the drawn PIEs' classes (a class
 * short of non-PIEs is filled from the rest at random), then all shuffled. Everything
 * comes from the seed, so the same predictions, variant, sizes and seed give the same
 * study on any machine.
 */
export function sampleStudy(candidates: Candidate[], nPies: number, nControls: number, seed: number): StudySample {
  const random = new Random(seed);
  const pies = draw(candidates.filter((c) => c.isPie), nPies, random);
  const nonPies = candidates.filter((c) => !c.isPie);
  const byClass = new Map<number, Candidate[]>();
  for (const c of nonPies) byClass.set(c.trueLabel, [...(byClass.get(c.trueLabel) ?? []), c]);
  const pieClasses = new Map<number, number>();
  for (const p of pies) pieClasses.set(p.trueLabel, (pieClasses.get(p.trueLabel) ?? 0) + 1);

  // Controls per class in proportion to the drawn PIEs (largest remainder).
  const labels = [...pieClasses.keys()].sort((a, b) => a - b);
  const exact = labels.map((l) => ((pieClasses.get(l) ?? 0) * nControls) / Math.max(1, pies.length));
  const wanted = exact.map(Math.floor);
  let left = nControls - wanted.reduce((s, x) => s + x, 0);
  const byRemainder = labels.map((_, i) => i).sort((a, b) => (exact[b] ?? 0) - (wanted[b] ?? 0) - ((exact[a] ?? 0) - (wanted[a] ?? 0)) || a - b);
  for (const i of byRemainder) {
    if (left <= 0) break;
    wanted[i] = (wanted[i] ?? 0) + 1;
    left--;
  }
  const controls: Candidate[] = [];
  const taken = new Set<number>();
  const strata = labels.map((label, i) => {
    const drawn = draw(byClass.get(label) ?? [], wanted[i] ?? 0, random);
    for (const d of drawn) taken.add(d.imageIndex);
    controls.push(...drawn);
    return { label, pies: pieClasses.get(label) ?? 0, controlsWanted: wanted[i] ?? 0, controlsDrawn: drawn.length };
  });
  const shortfall = nControls - controls.length;
  if (shortfall > 0) controls.push(...draw(nonPies.filter((c) => !taken.has(c.imageIndex)), shortfall, random));
  const all = [...pies, ...controls];
  const order = random.permutation(all.length);
  return { items: Array.from(order, (i) => all[i] as Candidate), strata };
}
