import type { Variant } from './population-data.js';

export interface VariantVotes {
  /** numImages x numClasses vote counts */
  votes: Uint16Array;
  modal: Uint16Array;
  modalVotes: Uint16Array;
  tie: Uint8Array;
  models: number;
}

/**
 * Counts each image's votes in a population and takes the modal label. Ties go to the
 * largest tied label, as pandas' mode().max() in the reference code, and are recorded.
 */
export function countVotes(variant: Variant, numImages: number, numClasses: number): VariantVotes {
  const votes = new Uint16Array(numImages * numClasses);
  for (const model of variant.models) {
    const p = model.predicted;
    for (let i = 0; i < numImages; i++) {
      const k = i * numClasses + (p[i] ?? 0);
      votes[k] = (votes[k] ?? 0) + 1;
    }
  }
  const modal = new Uint16Array(numImages);
  const modalVotes = new Uint16Array(numImages);
  const tie = new Uint8Array(numImages);
  for (let i = 0; i < numImages; i++) {
    const base = i * numClasses;
    let best = 0;
    let bestCount = -1;
    let tied = 0;
    for (let c = 0; c < numClasses; c++) {
      const n = votes[base + c] ?? 0;
      if (n > bestCount) {
        bestCount = n;
        best = c;
        tied = 0;
      } else if (n === bestCount) {
        best = c; // the larger label wins the tie
        tied = 1;
      }
    }
    modal[i] = best;
    modalVotes[i] = bestCount;
    tie[i] = tied;
  }
  return { votes, modal, modalVotes, tie, models: variant.models.length };
}
