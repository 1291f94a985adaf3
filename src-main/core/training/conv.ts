import * as tf from '@tensorflow/tfjs';

/**
 * A stride-1 2-D convolution (NHWC, square odd kernel, [k, k, in, out]) whose gradient
 * runs on every backend. The WASM backend has no Conv2DBackpropFilter kernel, so tfjs's
 * own conv2d gradient fails there; this one is made of kernels WASM has:
 *
 * - filter gradient: the convolution of the input with the output gradient, batch and
 *   channels swapped (a forward convolution, which WASM runs in XNNPACK).
 * - input gradient: the output gradient padded by k-1-p and convolved (forward, XNNPACK)
 *   with the kernel rotated by 180 degrees and its channels swapped: twice as fast on
 *   WASM as its Conv2DBackpropInput kernel.
 */
export type ConvPadding = 'same' | 'valid';

/** Rows (and columns) of zeros 'same' adds on each side of a stride-1 odd kernel. */
function sidePad(kernelSize: number, padding: ConvPadding): number {
  return padding === 'same' ? (kernelSize - 1) / 2 : 0;
}

function checkKernel(kernel: tf.Tensor4D): number {
  const [kh, kw] = kernel.shape;
  if (kh !== kw || kh % 2 !== 1) throw new Error(`convolution kernels must be square with an odd side, not ${kh}x${kw}`);
  return kh;
}

/**
 * dL/dkernel[kh, kw, i, o] = sum over batch b and output pixel (y, x) of
 * xPadded[b, y+kh, x+kw, i] * dy[b, y, x, o]: itself a 'valid' convolution of the
 * input, channels as the batch and the batch as channels ([in, hp, wp, batch]), with
 * the output gradient as the kernel ([oh, ow, batch, out]). XNNPACK runs it; built
 * from image patches (im2col) and one product it cost 1.5 to 2.5 times as much on WASM.
 */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, kernelSize: number, padding: ConvPadding): tf.Tensor4D {
  return tf.tidy(() => {
    const p = sidePad(kernelSize, padding);
    const padded = p > 0 ? tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]) : x;
    const channelsAsBatch = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D;
    const dyAsKernel = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    // [in, k, k, out] -> [k, k, in, out]
    return tf.transpose(tf.conv2d(channelsAsBatch, dyAsKernel, 1, 'valid'), [1, 2, 0, 3]);
  });
}

/** dL/dx: dy padded by k-1-p, convolved with the kernel rotated 180 degrees, in and out swapped. */
export function conv2dInputGradient(dy: tf.Tensor4D, kernel: tf.Tensor4D, padding: ConvPadding): tf.Tensor4D {
  return tf.tidy(() => {
    const k = checkKernel(kernel);
    const q = k - 1 - sidePad(k, padding);
    const paddedDy = q > 0 ? tf.pad(dy, [[0, 0], [q, q], [q, q], [0, 0]]) : dy;
    const rotated = tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(paddedDy, rotated, 1, 'valid');
  });
}

type Conv = (x: tf.Tensor4D, kernel: tf.Tensor4D) => tf.Tensor4D;

function makeConv(padding: ConvPadding, inputGradient: boolean): Conv {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, kernel, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    const k = checkKernel(kernel);
    save([x, kernel]);
    return {
      value: tf.conv2d(x, kernel, 1, padding),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, sk] = saved as [tf.Tensor4D, tf.Tensor4D];
        const g = dy as tf.Tensor4D;
        // A layer fed by the images: nothing upstream needs dL/dx.
        return [inputGradient ? conv2dInputGradient(g, sk, padding) : tf.zerosLike(sx), conv2dFilterGradient(sx, g, k, padding)];
      },
    };
  }) as Conv;
}

const CONVS: Record<`${ConvPadding}/${'input' | 'hidden'}`, Conv> = {
  'same/input': makeConv('same', false),
  'same/hidden': makeConv('same', true),
  'valid/input': makeConv('valid', false),
  'valid/hidden': makeConv('valid', true),
};

/** Stride-1 convolution with the gradient above; isInputLayer skips dL/dx. */
export function conv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, padding: ConvPadding, isInputLayer = false): tf.Tensor4D {
  return CONVS[`${padding}/${isInputLayer ? 'input' : 'hidden'}`](x, kernel);
}
