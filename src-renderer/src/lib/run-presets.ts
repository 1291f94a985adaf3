/**
 * The run form's presets (the same designs as the CLI's `--preset`, which a unit test
 * holds them to) and the time a run is expected to take, from figures measured on the
 * two-core development machine (docs/performance.md, "Training"):
 *
 * - the `quick` preset (16 trained MLPs x 6 epochs on 60,000 images, 4 int8 copies) took
 *   274 s with 2 workers on 2 quiet cores: 548 core-seconds;
 * - the `smoke` preset (4 MLPs, 1 epoch on 6,000 images) took 10.7 s of CPU, which puts
 *   the cost of a model apart from its epochs (worker start, test predictions) at about
 *   1.7 core-seconds;
 * - so one MLP epoch over 60,000 images costs (548 - 2 - 20 x 1.7) / 96 = 5.33 core-seconds;
 * - the `quick` preset with `--arch cnn` (16 LeNet-5s x 6 epochs with the CNN's recipe,
 *   4 int8 copies) took 1,183.6 s with 2 workers on 2 quiet cores (2026-12-02): one CNN
 *   epoch costs (2,367 - 2 - 20 x 1.7) / 96 = 24.3 core-seconds, 4.55 times an MLP epoch.
 *
 * The estimate shares that work among min(workers, cores, models) workers; it is a guide
 * (a busy machine is slower), and the form says it is one.
 */
export type PresetName = 'smoke' | 'quick' | 'paper' | 'longtail';

export interface RunDesign {
  models: number;
  sparsities: number[];
  quantize: ('fp16' | 'int8')[];
  epochs: number;
  /** training images (all of the split when undefined) */
  trainLimit?: number;
  /** long-tail ratio: the rarest class keeps 1/ratio of the commonest class's images (balanced when undefined) */
  longTail?: number;
}

export interface PresetInfo extends RunDesign {
  title: string;
  /** what the preset is for, after its expected time */
  purpose: string;
}

export const RUN_PRESETS: Record<PresetName, PresetInfo> = {
  smoke: { title: 'Smoke', purpose: 'a first look; 2 models per variant are too few for the tests', models: 2, sparsities: [0, 0.9], quantize: [], epochs: 1, trainLimit: 6000 },
  quick: { title: 'Quick', purpose: 'the method at small scale, enough models for the tests', models: 4, sparsities: [0, 0.9, 0.97, 0.99], quantize: ['int8'], epochs: 6 },
  paper: { title: 'Paper', purpose: "the paper's design, 30 models per variant", models: 30, sparsities: [0, 0.5, 0.7, 0.9, 0.95, 0.97, 0.99], quantize: ['fp16', 'int8'], epochs: 10 },
  longtail: { title: 'Long tail', purpose: 'quick, on a class-imbalanced training set (ratio 10)', models: 4, sparsities: [0, 0.9, 0.97, 0.99], quantize: ['int8'], epochs: 6, longTail: 10 },
};

/** What a new user meets: the run that shows the whole method in seconds (the others say their time). */
export const DEFAULT_PRESET: PresetName = 'smoke';

const FIXED_CORE_SECONDS = 2;
const PER_MODEL_CORE_SECONDS = 1.7;
const MLP_EPOCH_CORE_SECONDS = 5.33;
const CNN_FACTOR = 4.55;
const FULL_SPLIT = 60_000;

/** Expected wall-clock seconds of a run of this design on `cores` cores with `workers` workers (default: all cores). */
export function expectedSeconds(design: RunDesign, options: { cores: number; workers?: number; arch?: 'mlp' | 'cnn'; trainImages?: number; classes?: number }): number {
  const trained = design.models * new Set([0, ...design.sparsities]).size;
  const quantized = design.models * design.quantize.length;
  const images = Math.min(design.trainLimit ?? Infinity, options.trainImages ?? FULL_SPLIT) * longTailShare(design.longTail, options.classes ?? 10);
  const epoch = MLP_EPOCH_CORE_SECONDS * (options.arch === 'cnn' ? CNN_FACTOR : 1) * (images / FULL_SPLIT);
  const coreSeconds = FIXED_CORE_SECONDS + trained * (PER_MODEL_CORE_SECONDS + design.epochs * epoch) + quantized * PER_MODEL_CORE_SECONDS;
  const parallel = Math.max(1, Math.min(options.workers ?? options.cores, options.cores, trained + quantized));
  return coreSeconds / parallel;
}

/** The share of a balanced training set a long-tailed run keeps: class r of C keeps ratio^(-r/(C-1)) of its images. */
function longTailShare(ratio: number | undefined, classes: number): number {
  if (ratio === undefined || classes < 2) return 1;
  let kept = 0;
  for (let r = 0; r < classes; r++) kept += ratio ** (-r / (classes - 1));
  return kept / classes;
}

/** "under a minute", "about 5 min", "about 1.6 h". */
export function formatExpected(seconds: number): string {
  if (seconds < 60) return 'under a minute';
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} min`;
  return `about ${(seconds / 3600).toFixed(1)} h`;
}
