import { call, errorMessage } from './api.ts';

export type ModelMethod = 'dense' | 'magnitude' | 'fp16' | 'int8' | 'other';

export interface DraftModel {
  file: string;
  variant: string;
  method: ModelMethod;
  targetSparsity: number;
  seed: number;
}

function folderOf(file: string): string {
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return cut > 0 ? file.slice(0, cut) : file;
}

function baseName(file: string): string {
  return file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1).replace(/\.(onnx|json)$/i, '');
}

/** "0.5, 0.5, 0.5" as numbers (anything not a number stays NaN: the manifest's schema names it). */
function numbers(text: string): number[] {
  return text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map(Number);
}

/**
 * The "write a manifest" form of Add models: model files (paths on the serving machine,
 * or from Electron's dialog), the input settings and each model's variant, method,
 * target sparsity and seed. The server checks and writes the manifest.
 */
export class ManifestFormState {
  files = $state('');
  layout = $state<'nchw' | 'nhwc' | 'flat'>('nchw');
  channels = $state<1 | 3>(1);
  height = $state<number | null>(28);
  width = $state<number | null>(28);
  scale = $state<number | null>(1 / 255);
  mean = $state('0');
  std = $state('1');
  output = $state<'logits' | 'probabilities'>('logits');
  models = $state<DraftModel[]>([]);
  out = $state('');
  problems = $state.raw<string[]>([]);
  busy = $state(false);
  /** the manifest last written */
  written = $state<string | null>(null);

  /** One row per listed file; rows already filled in keep their settings. */
  listModels(): void {
    const files = this.files
      .split('\n')
      .map((f) => f.trim())
      .filter((f) => f !== '');
    const before = this.models;
    this.models = files.map(
      (file, i) => before.find((m) => m.file === file) ?? (i === 0 ? { file, variant: 'dense', method: 'dense', targetSparsity: 0, seed: 1 } : { file, variant: baseName(file), method: 'other', targetSparsity: 0, seed: i + 1 }),
    );
    if (this.out.trim() === '' && files[0]) this.out = `${folderOf(files[0])}/manifest.json`;
  }

  /** Electron: the model files from an open dialog. */
  async choose(): Promise<void> {
    try {
      const chosen = await call('models.chooseModelFiles', {});
      if (chosen.paths === null) return;
      this.files = chosen.paths.join('\n');
      this.listModels();
    } catch (error) {
      this.problems = [errorMessage(error)];
    }
  }

  manifest(): unknown {
    return {
      input: { layout: this.layout, channels: this.channels, height: this.height, width: this.width, scale: this.scale, mean: numbers(this.mean), std: numbers(this.std) },
      output: this.output,
      models: this.models.map((m) => ({ file: m.file, variant: m.variant, method: m.method, target_sparsity: m.targetSparsity, seed: m.seed })),
    };
  }

  /** Writes the manifest; its path, or null with every problem listed. */
  async write(): Promise<string | null> {
    this.busy = true;
    this.problems = [];
    this.written = null;
    try {
      const result = await call('models.writeManifest', { out: this.out.trim(), manifest: this.manifest() });
      if (result.written) {
        this.written = result.path;
        return result.path;
      }
      this.problems = result.problems;
    } catch (error) {
      this.problems = [errorMessage(error)];
    } finally {
      this.busy = false;
    }
    return null;
  }
}
