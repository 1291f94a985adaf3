import * as tf from '@tensorflow/tfjs';
import { FUSED_ADAM_WASM_BASE64 } from './fused-adam-wasm.js';

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

const fusedAdamKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = wasmInternals(backend as tf.KernelBackend);
  if (!wasm) throw new Error(`${FUSED_ADAM_KERNEL} needs the WASM backend`);
  const { gradient, m, v, weights, mask } = inputs as Record<string, tf.TensorInfo | undefined>;
  if (!gradient || !m || !v || !weights) throw new Error(`${FUSED_ADAM_KERNEL}: gradient, m, v and weights are required`);
  const offset = (t: tf.TensorInfo): number => {
    const data = wasm.dataIdMap.get(t.dataId);
    if (!data) throw new Error(`${FUSED_ADAM_KERNEL}: a tensor is not on the WASM backend`);
    return data.memoryOffset;
  };
  const n = weights.shape.reduce((a, b) => a * b, 1);
  for (const t of [gradient, m, v, weights, ...(mask ? [mask] : [])]) {
    if (t.dtype !== 'float32' || t.shape.reduce((a, b) => a * b, 1) !== n) throw new Error(`${FUSED_ADAM_KERNEL}: every input must be float32 with ${n} values`);
  }
  const outM = wasm.makeOutput(weights.shape, 'float32');
  const outV = wasm.makeOutput(weights.shape, 'float32');
  const outWeights = wasm.makeOutput(weights.shape, 'float32');
  const c = attrs as unknown as AdamConstants;
  adamStepFor(wasm.wasm.asm.memory)(
    offset(gradient),
    offset(m),
    offset(v),
    offset(weights),
    mask ? offset(mask) : 0, // 0: no mask (the heap allocator never hands out offset 0)
    offset(outM),
    offset(outV),
    offset(outWeights),
    n,
    c.b1,
    c.c1,
    c.b2,
    c.c2,
    c.corr1,
    c.corr2,
    c.eps,
    c.negLr,
  );
  return [outM, outV, outWeights];
};

function registerFusedAdam(): void {
  if (!tf.getKernel(FUSED_ADAM_KERNEL, 'wasm')) tf.registerKernel({ kernelName: FUSED_ADAM_KERNEL, backendName: 'wasm', kernelFunc: fusedAdamKernel });
}

/**
 * Adam over one flat parameter vector, followed by the pruning mask's product. On the WASM
 * backend one fused kernel (WebAssembly SIMD, one pass over gradient, moments and weights)
 * does what tfjs's AdamOptimizer does in ~16 kernels plus the mask's multiplication, with the
 * same float32 operations in the same order: the weights are the same bit for bit. Other
 * backends run tfjs's own optimizer.
 */
export class FlatAdam {
  private readonly fused: boolean;
  private readonly reference: tf.AdamOptimizer | null = null;
  private readonly moments: { m: tf.Variable; v: tf.Variable } | null = null;
  private readonly constants: StepConstants;
  // tfjs keeps beta1^t and beta2^t as float32 scalars, multiplied once per step.
  private accBeta1: number;
  private accBeta2: number;

  constructor(
    learningRate: number,
    size: number,
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
      this.moments = { m: tf.variable(tf.zeros([size]), false), v: tf.variable(tf.zeros([size]), false) };
    } else {
      this.reference = tf.train.adam(learningRate, beta1, beta2);
    }
  }

  /** Whether the fused WASM kernel runs (else tfjs's AdamOptimizer). */
  get isFused(): boolean {
    return this.fused;
  }

  /** One step: weights <- Adam(weights, gradient), then weights * mask when there is a mask. */
  apply(weights: tf.Variable, gradient: tf.Tensor, mask: tf.Tensor | null): void {
    if (this.reference) {
      this.reference.applyGradients([{ name: weights.name, tensor: gradient }]);
      if (mask) tf.tidy(() => weights.assign(tf.mul(weights, mask)));
      return;
    }
    const moments = this.moments as { m: tf.Variable; v: tf.Variable };
    const attrs: AdamConstants = { ...this.constants, corr1: Math.fround(1 - this.accBeta1), corr2: Math.fround(1 - this.accBeta2) };
    const inputs: tf.NamedTensorMap = { gradient, m: moments.m, v: moments.v, weights, ...(mask ? { mask } : {}) };
    tf.tidy(() => {
      const [m, v, w] = tf.engine().runKernel(FUSED_ADAM_KERNEL, inputs, attrs) as tf.Tensor[];
      moments.m.assign(m as tf.Tensor);
      moments.v.assign(v as tf.Tensor);
      weights.assign(w as tf.Tensor);
    });
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.beta2));
  }

  dispose(): void {
    this.reference?.dispose();
    if (this.moments) tf.dispose([this.moments.m, this.moments.v]);
  }
}
