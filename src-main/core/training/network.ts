import * as tf from '@tensorflow/tfjs';
import type { Random } from '../random.js';
import { conv2d } from './conv.js';
import { maxPool2x2 } from './pool.js';

export type Arch = 'mlp' | 'cnn';

export interface ParamSpec {
  name: string;
  shape: number[];
  /** Kernels are pruned and quantized; biases are left alone. */
  kind: 'kernel' | 'bias';
  fanIn: number;
  fanOut: number;
}

export interface InputShape {
  height: number;
  width: number;
  channels: number;
}

/** LeNet-300-100 (the default) or a small LeNet-5-style CNN. */
export function paramSpecs(arch: Arch, input: InputShape, numClasses: number): ParamSpec[] {
  const dense = (name: string, fanIn: number, fanOut: number): ParamSpec[] => [
    { name: `${name}/kernel`, shape: [fanIn, fanOut], kind: 'kernel', fanIn, fanOut },
    { name: `${name}/bias`, shape: [fanOut], kind: 'bias', fanIn, fanOut },
  ];
  const conv = (name: string, k: number, inC: number, outC: number): ParamSpec[] => [
    { name: `${name}/kernel`, shape: [k, k, inC, outC], kind: 'kernel', fanIn: k * k * inC, fanOut: k * k * outC },
    { name: `${name}/bias`, shape: [outC], kind: 'bias', fanIn: k * k * inC, fanOut: outC },
  ];
  const inputSize = input.height * input.width * input.channels;
  if (arch === 'mlp') return [...dense('dense1', inputSize, 300), ...dense('dense2', 300, 100), ...dense('dense3', 100, numClasses)];
  const flat = cnnFlatSize(input);
  return [
    ...conv('conv1', 5, input.channels, 6),
    ...conv('conv2', 5, 6, 16),
    ...dense('dense1', flat, 120),
    ...dense('dense2', 120, 84),
    ...dense('dense3', 84, numClasses),
  ];
}

function cnnFlatSize(input: InputShape): number {
  // conv1 'same' + pool 2, conv2 'valid' (5x5) + pool 2
  const side = (n: number): number => Math.floor((Math.floor(n / 2) - 4) / 2);
  const h = side(input.height);
  const w = side(input.width);
  if (h < 1 || w < 1) throw new Error(`images of ${input.height}x${input.width} are too small for the CNN`);
  return h * w * 16;
}

/** Initial values: Glorot-uniform kernels, zero biases, drawn from the model's seed. */
export function initialParams(specs: ParamSpec[], random: Random): Map<string, Float32Array> {
  const params = new Map<string, Float32Array>();
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    params.set(spec.name, spec.kind === 'kernel' ? random.glorotUniform(size, spec.fanIn, spec.fanOut) : new Float32Array(size));
  }
  return params;
}

/**
 * x @ w with a gradient that transposes explicitly: tfjs's transposeA/transposeB
 * matMul is about ten times slower on the WASM backend than transpose + plain matMul
 * (measured in docs/performance.md), and the default dense gradient uses it.
 * Only x goes through `save` (a copy on the WASM backend, whose clone copies): x is made
 * in the forward pass, which tfjs disposes before the backward one. w is read from the
 * closure: it is a parameter, made before the gradient is asked for and kept past it.
 */
function matMulFastGrad(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([a]);
    return {
      value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor2D;
        return [tf.matMul(g, tf.transpose(w)), tf.matMul(tf.transpose(saved[0] as tf.Tensor2D), g)];
      },
    };
  })(x, w) as tf.Tensor2D;
}

/**
 * The same product for a layer fed by the input images: nothing upstream needs the
 * gradient with respect to x, so x is not an input of the gradient at all: no [batch,
 * 784] x [784, out] product (about a third of LeNet-300-100's backward pass) and no zero
 * tensor in its place.
 */
function matMulInputLayer(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [b, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return {
      value: tf.matMul(x, b as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.matMul(tf.transpose(saved[0] as tf.Tensor2D), dy as tf.Tensor2D),
    };
  })(w) as tf.Tensor2D;
}

export function dense(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, isInputLayer = false): tf.Tensor2D {
  const [x2, w2] = [x as tf.Tensor2D, kernel as tf.Tensor2D];
  return tf.add(isInputLayer ? matMulInputLayer(x2, w2) : matMulFastGrad(x2, w2), bias);
}

type Params = Map<string, tf.Tensor>;

function get(params: Params, name: string): tf.Tensor {
  const t = params.get(name);
  if (!t) throw new Error(`missing parameter ${name}`);
  return t;
}

/** Logits for a batch; x is [batch, height * width * channels], already normalised. */
export function forward(arch: Arch, params: Params, x: tf.Tensor2D, input: InputShape): tf.Tensor2D {
  if (arch === 'mlp') {
    const h1 = tf.relu(dense(x, get(params, 'dense1/kernel'), get(params, 'dense1/bias'), true));
    const h2 = tf.relu(dense(h1, get(params, 'dense2/kernel'), get(params, 'dense2/bias')));
    return dense(h2, get(params, 'dense3/kernel'), get(params, 'dense3/bias'));
  }
  const images = tf.reshape(x, [-1, input.height, input.width, input.channels]) as tf.Tensor4D;
  const c1 = tf.relu(tf.add(conv2d(images, get(params, 'conv1/kernel') as tf.Tensor4D, 'same', true), get(params, 'conv1/bias')));
  const p1 = maxPool2x2(c1 as tf.Tensor4D);
  const c2 = tf.relu(tf.add(conv2d(p1, get(params, 'conv2/kernel') as tf.Tensor4D, 'valid'), get(params, 'conv2/bias')));
  const p2 = maxPool2x2(c2 as tf.Tensor4D);
  const flat = tf.reshape(p2, [p2.shape[0], -1]);
  const d1 = tf.relu(dense(flat, get(params, 'dense1/kernel'), get(params, 'dense1/bias')));
  const d2 = tf.relu(dense(d1, get(params, 'dense2/kernel'), get(params, 'dense2/bias')));
  return dense(d2, get(params, 'dense3/kernel'), get(params, 'dense3/bias'));
}
