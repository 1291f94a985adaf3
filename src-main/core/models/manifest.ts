import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError, errorMessage } from '../errors.js';

/**
 * The manifest of `pie-audit models import`: how to feed the dataset's images to a
 * population of model files, and which variant each file belongs to. The full
 * reference is in docs/own-models.md.
 */

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const InputSchema = z
  .object({
    layout: z.enum(['nchw', 'nhwc', 'flat']),
    channels: z.union([z.literal(1), z.literal(3)]),
    height: z.number().int().min(1).max(4096),
    width: z.number().int().min(1).max(4096),
    scale: finite.refine((v) => v > 0, 'must be positive').default(1 / 255),
    mean: z.array(finite).min(1).optional(),
    std: z.array(finite.refine((v) => v > 0, 'must be positive')).min(1).optional(),
  })
  .strict();

const ModelEntrySchema = z
  .object({
    file: z.string().min(1),
    variant: z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N} ._+-]{0,63}$/u, 'must be 1-64 letters, digits, spaces, . _ + -, starting with a letter or digit'),
    method: z.enum(['dense', 'magnitude', 'fp16', 'int8', 'other']),
    target_sparsity: finite.refine((v) => v >= 0 && v < 1, 'must be in [0, 1)').default(0),
    seed: z.number().int().min(0).max(2 ** 31),
    input_name: z.string().min(1).optional(),
    output_name: z.string().min(1).optional(),
  })
  .strict();

const ManifestSchema = z
  .object({
    input: InputSchema,
    output: z.enum(['logits', 'probabilities']),
    input_name: z.string().min(1).optional(),
    output_name: z.string().min(1).optional(),
    models: z.array(ModelEntrySchema).min(1),
  })
  .strict();

export type ModelMethod = z.infer<typeof ModelEntrySchema>['method'];
export type ModelFormat = 'onnx' | 'tfjs';

export interface InputSpec {
  layout: 'nchw' | 'nhwc' | 'flat';
  channels: 1 | 3;
  height: number;
  width: number;
  scale: number;
  /** one per channel */
  mean: number[];
  std: number[];
}

export interface ManifestModel {
  /** absolute path of the model file (an .onnx file, or a TF.js model.json) */
  file: string;
  format: ModelFormat;
  variant: string;
  method: ModelMethod;
  targetSparsity: number;
  seed: number;
  inputName?: string;
  outputName?: string;
}

export interface Manifest {
  /** absolute path of the manifest file */
  path: string;
  input: InputSpec;
  output: 'logits' | 'probabilities';
  models: ManifestModel[];
}

/** The format a model file is read as: by its name (.onnx, or a TF.js model.json). */
export function modelFormatOf(file: string): ModelFormat | undefined {
  if (file.toLowerCase().endsWith('.onnx')) return 'onnx';
  if (file.toLowerCase().endsWith('.json')) return 'tfjs';
  return undefined;
}

/** Reads and checks a manifest file; every problem is one line naming the file. */
export function readManifest(file: string): Manifest {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot read manifest (${code === 'ENOENT' ? 'no such file' : errorMessage(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file}: not a JSON manifest (${errorMessage(error)})`);
  }
  return parseManifest(json, absolute);
}

/** Every field the schema refuses, one `field: reason` line each (none: the shape is right). */
export function manifestFieldProblems(json: unknown): string[] {
  const parsed = ManifestSchema.safeParse(json);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const at = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : 'manifest';
    return `${at}: ${issue.message}`;
  });
}

/** Checks a manifest's content; `where` is the manifest's path (model files are relative to its folder). */
export function parseManifest(json: unknown, where: string): Manifest {
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) throw new UserError(`${where}: ${manifestFieldProblems(json)[0] ?? 'invalid manifest'}`);
  const m = parsed.data;
  const channels = m.input.channels;
  const perChannel = (name: 'mean' | 'std', fallback: number): number[] => {
    const values = m.input[name] ?? [fallback];
    if (values.length === channels) return values;
    if (values.length === 1) return Array.from({ length: channels }, () => values[0] ?? fallback);
    throw new UserError(`${where}: input.${name}: ${values.length} values for ${channels} channels (give one, or one per channel)`);
  };
  const input: InputSpec = { ...m.input, mean: perChannel('mean', 0), std: perChannel('std', 1) };
  const folder = path.dirname(where);
  const seen = new Map<string, number>();
  const models = m.models.map((entry, i): ManifestModel => {
    const key = `${entry.variant}\u0000${entry.seed}`;
    const first = seen.get(key);
    if (first !== undefined) throw new UserError(`${where}: models[${i}] and models[${first}] are both variant '${entry.variant}' with seed ${entry.seed} (each model of a variant needs its own seed)`);
    seen.set(key, i);
    if (entry.method === 'dense' && entry.variant !== 'dense') throw new UserError(`${where}: models[${i}]: a dense model's variant must be 'dense', not '${entry.variant}'`);
    if (entry.method !== 'dense' && entry.variant === 'dense') throw new UserError(`${where}: models[${i}]: variant 'dense' is for method dense, not ${entry.method}`);
    if (entry.method === 'magnitude' && entry.target_sparsity === 0) throw new UserError(`${where}: models[${i}]: method magnitude needs a target_sparsity above 0`);
    const format = modelFormatOf(entry.file);
    if (!format) throw new UserError(`${where}: models[${i}].file: '${entry.file}' is neither an .onnx file nor a TensorFlow.js model.json`);
    return {
      file: path.resolve(folder, entry.file),
      format,
      variant: entry.variant,
      method: entry.method,
      targetSparsity: entry.target_sparsity,
      seed: entry.seed,
      inputName: entry.input_name ?? m.input_name,
      outputName: entry.output_name ?? m.output_name,
    };
  });
  if (!models.some((x) => x.method === 'dense')) throw new UserError(`${where}: no dense model (PIEs are defined against the dense population: add models with method 'dense')`);
  return { path: where, input, output: m.output, models };
}
