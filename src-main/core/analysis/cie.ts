import type { VariantVotes } from './modal.js';

/** CIEs are the images at or above this quantile of the variant's distances: the top decile. */
export const DEFAULT_CIE_QUANTILE = 0.9;

/**
 * Per image, the taxicab distance between the two populations' label-vote shares,
 * d(i) = sum_y |share_v(y, i) - share_dense(y, i)| (0 when they vote alike, 2 when they
 * share no label). Summed over integers, sum_y |votes_v * K_dense - votes_dense * K_v|,
 * and divided once, so that images with the same vote pattern get exactly the same
 * distance and ties at the CIE threshold are real ties.
 */
export function cieDistances(variant: VariantVotes, dense: VariantVotes, numImages: number, numClasses: number): Float64Array {
  const distances = new Float64Array(numImages);
  const scale = variant.models * dense.models;
  for (let i = 0; i < numImages; i++) {
    let d = 0;
    for (let c = 0; c < numClasses; c++) {
      const k = i * numClasses + c;
      d += Math.abs((variant.votes[k] ?? 0) * dense.models - (dense.votes[k] ?? 0) * variant.models);
    }
    distances[i] = d / scale;
  }
  return distances;
}

/**
 * How many of n images the top (1 - q) share holds: ceil(n * (1 - q)), at least 1.
 * Rounded to 9 decimals first so that 240 * (1 - 0.9) = 24.000000000000004 counts as 24.
 */
export function cieRank(n: number, quantile: number): number {
  return Math.max(1, Math.ceil(Number((n * (1 - quantile)).toFixed(9))));
}

/**
 * An image is a CIE when its distance is at least the k-th largest distance of the
 * variant's images (k = cieRank; ties at the threshold are included) and above 0: an
 * image both populations vote on alike is never one, even when most images are.
 */
export function isCie(distance: number, threshold: number | null): boolean {
  return threshold !== null && distance > 0 && distance >= threshold;
}

/** The CIE threshold of a variant's distances at quantile q: the cieRank-th largest distance. */
export function cieThreshold(distances: ArrayLike<number>, quantile: number): number | null {
  if (distances.length === 0) return null;
  const sorted = Float64Array.from(distances).sort().reverse();
  return sorted[cieRank(distances.length, quantile) - 1] ?? null;
}
