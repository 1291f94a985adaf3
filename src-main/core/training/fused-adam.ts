import * as tf from '@tensorflow/tfjs';
import { FUSED_ADAM_WASM_BASE64 } from './fused-adam-wasm.js';
import { ScheduledAdam } from './learning-rate.js';

/** The fused kernel's name in tfjs's kernel registry (registered for the WASM backend only). */
export const FUSED_ADAM_KERNEL = 'PieAuditFusedAdam';

/** What the kernel needs of tfjs's WASM backend beyond KernelBackend: its heap and tensor offsets. */
interface WasmBackendInternals {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

type AdamStep = (
  gradient: number,
  m: number,
  v: number,
  weights: number,
  mask: number,
  outM: number,
  outV: number,
  outWeights: number,
  n: number,
  b1: number,
  c1: number,
  b2: number,
  c2: number,
  corr1: number,
  corr2: number,
  eps: number,
  negLr: number,
) => void;

function wasmInternals(backend: tf.KernelBackend): WasmBackendInternals | null {
  const candidate = backend as unknown as Partial<WasmBackendInternals>;
  const memory = candidate.wasm?.asm?.memory;
  return memory instanceof WebAssembly.Memory && candidate.dataIdMap !== undefined && typeof candidate.makeOutput === 'function'
    ? (candidate as WasmBackendInternals)
    : null;
}

// One instance per backend heap: the module imports the backend's own memory, so it reads
// and writes the tensors where they are, with no copy in or out.
const instances = new WeakMap<WebAssembly.Memory, AdamStep>();

function adamStepFor(memory: WebAssembly.Memory): AdamStep {
  let step = instances.get(memory);
  if (!step) {
    const module = new WebAssembly.Module(Buffer.from(FUSED_ADAM_WASM_BASE64, 'base64'));
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    step = instance.exports.adam as AdamStep;
    instances.set(memory, step);
  }
  return step;
}

/** The float32 constants of one step, as tfjs's AdamOptimizer turns its numbers into scalars. */
type StepConstants = { b1: number; c1: number; b2: number; c2: number; eps: number; negLr: number };
/** With the bias corrections 1 - beta^t of the step at hand. */
type AdamConstants = StepConstants & { corr1: number; corr2: number };

// Inputs g0.., w0.., m0.., v0.. and optionally mask0.. for `count` parameters; outputs
// m0'.., v0'.., w0'.. in that order. One dispatch for all the parameters of a step.
const fusedAdamKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = wasmInternals(backend as tf.KernelBackend);
  if (!wasm) throw new Error(`${FUSED_ADAM_KERNEL} needs the WASM backend`);
  const c = attrs as unknown as AdamConstants & { count: number };
  const tensors = inputs as Record<string, tf.TensorInfo | undefined>;
  const offset = (t: tf.TensorInfo): number => {
    const data = wasm.dataIdMap.get(t.dataId);
    if (!data) throw new Error(`${FUSED_ADAM_KERNEL}: a tensor is not on the WASM backend`);
    return data.memoryOffset;
  };
  const step = adamStepFor(wasm.wasm.asm.memory);
  const outM: tf.TensorInfo[] = [];
  const outV: tf.TensorInfo[] = [];
  const outW: tf.TensorInfo[] = [];
  for (let i = 0; i < c.count; i++) {
    const [g, m, v, w] = [tensors[`g${i}`], tensors[`m${i}`], tensors[`v${i}`], tensors[`w${i}`]];
    const mask = tensors[`mask${i}`];
    if (!g || !m || !v || !w) throw new Error(`${FUSED_ADAM_KERNEL}: parameter ${i} needs its gradient, moments and weights`);
    const n = w.shape.reduce((a, b) => a * b, 1);
    for (const t of [g, m, v, ...(mask ? [mask] : [])]) {
      if (t.dtype !== 'float32' || w.dtype !== 'float32' || t.shape.reduce((a, b) => a * b, 1) !== n) throw new Error(`${FUSED_ADAM_KERNEL}: parameter ${i}: every input must be float32 with ${n} values`);
    }
    const [newM, newV, newW] = [wasm.makeOutput(w.shape, 'float32'), wasm.makeOutput(w.shape, 'float32'), wasm.makeOutput(w.shape, 'float32')];
    // mask 0: none (the heap allocator never hands out offset 0)
    step(offset(g), offset(m), offset(v), offset(w), mask ? offset(mask) : 0, offset(newM), offset(newV), offset(newW), n, c.b1, c.c1, c.b2, c.c2, c.corr1, c.corr2, c.eps, c.negLr);
    outM.push(newM);
    outV.push(newV);
    outW.push(newW);
  }
  return [...outM, ...outV, ...outW];
};

function registerFusedAdam(): void {
  if (!tf.getKernel(FUSED_ADAM_KERNEL, 'wasm')) tf.registerKernel({ kernelName: FUSED_ADAM_KERNEL, backendName: 'wasm', kernelFunc: fusedAdamKernel });
}

/**
 * Adam over a model's parameters, each followed by its pruning mask's product (if it has
 * one). On the WASM backend one fused kernel (WebAssembly SIMD, one pass over gradient,
 * moments and weights) does for all parameters what tfjs's AdamOptimizer does in ~16 kernels
 * per parameter plus the masks' products, with the same float32 operations in the same
 * order: the weights are the same bit for bit. Other backends run tfjs's own optimizer.
 */
export class FusedAdam {
  private readonly fused: boolean;
  private readonly reference: ScheduledAdam | null = null;
  private readonly moments: { m: tf.Variable; v: tf.Variable }[] = [];
  private constants: StepConstants;
  // tfjs keeps beta1^t and beta2^t as float32 scalars, multiplied once per step.
  private accBeta1: number;
  private accBeta2: number;

  constructor(
    learningRate: number,
    shapes: number[][],
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
  ) {
    this.fused = wasmInternals(tf.backend()) !== null && tf.getBackend() === 'wasm';
    // Numbers become float32 scalars in tfjs's ops: Math.fround rounds them the same way.
    this.constants = {
      b1: Math.fround(beta1),
      c1: Math.fround(1 - beta1),
      b2: Math.fround(beta2),
      c2: Math.fround(1 - beta2),
      eps: Math.fround(tf.backend().epsilon()),
      negLr: Math.fround(-learningRate),
    };
    this.accBeta1 = Math.fround(beta1);
    this.accBeta2 = Math.fround(beta2);
    if (this.fused) {
      registerFusedAdam();
      // In a tidy, as tfjs's optimizer does: the zero tensors themselves are released.
      const zeros = (shape: number[]): tf.Variable => tf.tidy(() => tf.zeros(shape).variable(false));
      this.moments = shapes.map((shape) => ({ m: zeros(shape), v: zeros(shape) }));
    } else {
      this.reference = new ScheduledAdam(learningRate, beta1, beta2);
    }
  }

  /** Whether the fused WASM kernel runs (else tfjs's AdamOptimizer). */
  get isFused(): boolean {
    return this.fused;
  }

  /** The rate of the next steps (a schedule sets it before each step); read afresh by every apply. */
  setLearningRate(learningRate: number): void {
    this.constants = { ...this.constants, negLr: Math.fround(-learningRate) };
    this.reference?.setLearningRate(learningRate);
  }

  /** One step: weights[i] <- Adam(weights[i], gradients[i]), then * masks[i] where there is one. */
  apply(weights: tf.Variable[], gradients: tf.Tensor[], masks: readonly (tf.Tensor | null)[] = []): void {
    if (this.reference) {
      this.reference.applyGradients(weights.map((w, i) => ({ name: w.name, tensor: gradients[i] as tf.Tensor })));
      tf.tidy(() => {
        for (const [i, w] of weights.entries()) {
          const mask = masks[i];
          if (mask) w.assign(tf.mul(w, mask));
        }
      });
      return;
    }
    if (weights.length !== this.moments.length || gradients.length !== weights.length) throw new Error(`FusedAdam: ${this.moments.length} parameters expected`);
    const attrs = { ...this.constants, corr1: Math.fround(1 - this.accBeta1), corr2: Math.fround(1 - this.accBeta2), count: weights.length };
    const inputs: tf.NamedTensorMap = {};
    for (const [i, w] of weights.entries()) {
      const { m, v } = this.moments[i] as { m: tf.Variable; v: tf.Variable };
      Object.assign(inputs, { [`g${i}`]: gradients[i], [`w${i}`]: w, [`m${i}`]: m, [`v${i}`]: v });
      const mask = masks[i];
      if (mask) inputs[`mask${i}`] = mask;
    }
    tf.tidy(() => {
      const out = tf.engine().runKernel(FUSED_ADAM_KERNEL, inputs, attrs) as tf.Tensor[];
      const k = weights.length;
      for (const [i, w] of weights.entries()) {
        const { m, v } = this.moments[i] as { m: tf.Variable; v: tf.Variable };
        m.assign(out[i] as tf.Tensor);
        v.assign(out[k + i] as tf.Tensor);
        w.assign(out[2 * k + i] as tf.Tensor);
      }
    });
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.beta2));
  }

  dispose(): void {
    this.reference?.dispose();
    tf.dispose(this.moments.flatMap(({ m, v }) => [m, v]));
  }
}
