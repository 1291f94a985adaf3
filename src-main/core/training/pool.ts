import * as tf from '@tensorflow/tfjs';

/**
 * dL/dx of a 2x2, stride-2, 'valid' max-pool (NHWC): each window's output gradient goes
 * to the window's first maximum in row-major order (strictly greater wins, so a tie
 * goes to the earliest; a window of NaNs or -Infinity gets none), the rule of tfjs's
 * MaxPoolGrad on the CPU backend. A row or column left over by an odd side gets zero.
 * The windows do not overlap, so one pass writes each gradient once; the WASM backend's
 * own MaxPoolGrad is a general loop about ten times slower (docs/performance.md).
 */
export function maxPool2x2Backprop(x: Float32Array, dy: Float32Array, shape: readonly [number, number, number, number]): Float32Array {
  const [batch, height, width, channels] = shape;
  const outHeight = Math.floor(height / 2);
  const outWidth = Math.floor(width / 2);
  if (dy.length !== batch * outHeight * outWidth * channels) throw new Error(`maxPool2x2Backprop: ${dy.length} output gradients for an input of ${shape.join('x')}`);
  const dx = new Float32Array(x.length);
  const row = width * channels;
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outHeight; r++) {
      for (let c = 0; c < outWidth; c++) {
        const topLeft = ((b * height + 2 * r) * width + 2 * c) * channels;
        for (let d = 0; d < channels; d++, o++) {
          // The window's four inputs in row-major order.
          const i0 = topLeft + d;
          const i1 = i0 + channels;
          const i2 = i0 + row;
          const i3 = i2 + channels;
          let best = -1;
          let max = Number.NEGATIVE_INFINITY;
          const v0 = x[i0] as number;
          if (v0 > max) {
            max = v0;
            best = i0;
          }
          const v1 = x[i1] as number;
          if (v1 > max) {
            max = v1;
            best = i1;
          }
          const v2 = x[i2] as number;
          if (v2 > max) {
            max = v2;
            best = i2;
          }
          const v3 = x[i3] as number;
          if (v3 > max) best = i3;
          if (best >= 0) dx[best] = dy[o] as number;
        }
      }
    }
  }
  return dx;
}

/** tf.maxPool(x, 2, 2, 'valid') with the gradient above. */
export const maxPool2x2 = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
  save([x]);
  return {
    value: tf.maxPool(x, 2, 2, 'valid'),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [sx] = saved as [tf.Tensor4D];
      const g = dy as tf.Tensor4D;
      return [tf.tensor4d(maxPool2x2Backprop(sx.dataSync() as Float32Array, g.dataSync() as Float32Array, sx.shape), sx.shape)];
    },
  };
}) as (x: tf.Tensor4D) => tf.Tensor4D;
