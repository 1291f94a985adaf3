import { Random } from '../../src-main/core/random.js';

export interface GeneratedLabel {
  annotator: string;
  imageIndex: number;
  trueLabel: number;
  categories: string[];
  note: string;
}

const CATEGORIES = ['atypical', 'noisy', 'mislabeled', 'multiple-objects', 'fine-grained', 'abstract'];
// how often a category is seen in PIEs and in controls: PIEs over-index on most of them
const RATE_PIE = [0.45, 0.25, 0.4, 0.15, 0.3, 0.05];
const RATE_CONTROL = [0.12, 0.08, 0.05, 0.1, 0.1, 0.05];

/**
 * Deterministic synthetic labels: each image has a latent set of categories (drawn
 * from rates that differ for PIEs and controls), and each annotator reports it with
 * their own mistakes, so agreement is high but not perfect.
 */
export function generateLabels(items: { position: number; imageIndex: number; trueLabel: number; isPie: boolean }[], annotators: string[], seed = 11): GeneratedLabel[] {
  const truth = new Random(seed);
  const latent = items.map((item) => CATEGORIES.filter((_, c) => truth.next() < ((item.isPie ? RATE_PIE : RATE_CONTROL)[c] ?? 0)));
  const out: GeneratedLabel[] = [];
  annotators.forEach((annotator, a) => {
    const noise = new Random(seed * 100 + a);
    items.forEach((item, i) => {
      const base = latent[i] ?? [];
      const categories = CATEGORIES.filter((c) => {
        const flip = noise.next() < 0.08 + 0.04 * a;
        return base.includes(c) !== flip;
      });
      out.push({ annotator, imageIndex: item.imageIndex, trueLabel: item.trueLabel, categories, note: i % 7 === 0 ? `note ${a}-${i}` : '' });
    });
  });
  return out;
}
