/** What is stored per prediction, for a run of images. */
export interface Predictions {
  /** 16-bit: a dataset may have more than 256 classes (ImageNet's 1,000) */
  predicted: Uint16Array;
  predictedProbability: Float32Array;
  trueLabelProbability: Float32Array;
}

export function emptyPredictions(count: number): Predictions {
  return { predicted: new Uint16Array(count), predictedProbability: new Float32Array(count), trueLabelProbability: new Float32Array(count) };
}

/**
 * Turns a batch of outputs (batch x width, row-major) into stored predictions at
 * positions offset.. : softmax of logits (in float64, shifted by the row's maximum), or
 * the probabilities as given; the label is the first largest. Returns the reason when
 * an output is not usable (NaN, or probabilities that are not).
 */
export function scoreBatch(
  values: Float32Array,
  width: number,
  batch: number,
  output: 'logits' | 'probabilities',
  trueLabels: Uint16Array,
  offset: number,
  into: Predictions,
): string | undefined {
  const row = new Float64Array(width);
  for (let b = 0; b < batch; b++) {
    let max = -Infinity;
    for (let k = 0; k < width; k++) {
      const v = values[b * width + k] ?? NaN;
      if (Number.isNaN(v)) return `it outputs NaN (image ${offset + b})`;
      row[k] = v;
      if (v > max) max = v;
    }
    if (output === 'logits') {
      if (!Number.isFinite(max)) return `it outputs an infinite logit (image ${offset + b})`;
      let sum = 0;
      for (let k = 0; k < width; k++) sum += row[k] = Math.exp((row[k] ?? 0) - max);
      for (let k = 0; k < width; k++) row[k] = (row[k] ?? 0) / sum;
    } else {
      let sum = 0;
      for (let k = 0; k < width; k++) {
        const p = row[k] ?? 0;
        if (p < 0 || p > 1) return `output 'probabilities' holds ${p} (image ${offset + b}); if the model outputs logits, say "output": "logits"`;
        sum += p;
      }
      if (Math.abs(sum - 1) > 1e-3) return `output 'probabilities' sums to ${sum.toFixed(4)} for image ${offset + b}; if the model outputs logits, say "output": "logits"`;
    }
    let best = 0;
    for (let k = 1; k < width; k++) if ((row[k] ?? 0) > (row[best] ?? 0)) best = k;
    const i = offset + b;
    into.predicted[i] = best;
    into.predictedProbability[i] = row[best] ?? 0;
    into.trueLabelProbability[i] = row[trueLabels[i] ?? 0] ?? 0;
  }
  return undefined;
}
