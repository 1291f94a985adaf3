/**
 * Magnitude masks: a 0/1 mask per kernel that zeroes its k smallest-magnitude weights,
 * k = round(sparsity * size). Ties at the threshold are broken by position so the
 * count is exact.
 */
export function magnitudeMask(weights: Float32Array, sparsity: number): Float32Array {
  const size = weights.length;
  const k = Math.min(size, Math.max(0, Math.round(sparsity * size)));
  const mask = new Float32Array(size).fill(1);
  if (k === 0) return mask;
  const magnitudes = new Float32Array(size);
  for (let i = 0; i < size; i++) magnitudes[i] = Math.abs(weights[i] ?? 0);
  const sorted = Float32Array.from(magnitudes).sort();
  const threshold = sorted[k - 1] ?? 0;
  let below = 0;
  for (let i = 0; i < size; i++) if ((magnitudes[i] ?? 0) < threshold) below++;
  let atThreshold = k - below; // how many weights equal to the threshold still go
  for (let i = 0; i < size; i++) {
    const m = magnitudes[i] ?? 0;
    if (m < threshold) mask[i] = 0;
    else if (m === threshold && atThreshold > 0) {
      mask[i] = 0;
      atThreshold--;
    }
  }
  return mask;
}

/** Share of exact zeros among all the given kernels' weights. */
export function measuredSparsity(kernels: Float32Array[]): number {
  let zeros = 0;
  let total = 0;
  for (const kernel of kernels) {
    total += kernel.length;
    for (const w of kernel) if (w === 0) zeros++;
  }
  return total === 0 ? 0 : zeros / total;
}
