import fs from 'node:fs';
import { UserError } from '../errors.js';
import { fileHash, type EvaluatedConfig } from '../models/import.js';
import { parseManifest, type ManifestModel } from '../models/manifest.js';
import { openModel, runtimeFor } from '../models/open-model.js';
import { predictImages } from '../models/predict-images.js';
import { modelPixels } from '../models/preprocess.js';
import type { Db } from '../db/database.js';
import { findEvaluatedExperiment } from '../sql/evaluated-models.js';
import type { FinishedModel } from '../sql/eval-sets.js';
import type { SplitData } from '../training/data.js';
import type { PopulationRunner, SetPredictions } from './set-predictor.js';

/**
 * The models of a population made by `models import`, run again on evaluation sets
 * through the import's own inference path (same manifest input, batch size and
 * scoring). Every model file must still be where the import found it, with the same
 * SHA-256: checked here, before anything is written.
 */
export async function importedRunner(db: Db, experimentId: number, models: FinishedModel[]): Promise<PopulationRunner> {
  const found = findEvaluatedExperiment(db, experimentId);
  if (!found) throw new UserError(`no evaluated experiment ${experimentId}`);
  const config = JSON.parse(found.config) as EvaluatedConfig;
  const manifest = parseManifest(config.manifest, config.manifestPath);
  const byFile = new Map(manifest.models.map((m) => [m.file, m]));
  const files = new Map<number, ManifestModel>();
  for (const model of models) {
    const entry = model.weightsPath === null ? undefined : byFile.get(model.weightsPath);
    if (!entry) throw new UserError(`model ${model.id} (${model.variant}): its file ${model.weightsPath ?? '(none)'} is not in the experiment's stored manifest ${config.manifestPath}`);
    if (!fs.existsSync(entry.file)) throw new UserError(`${entry.file}: model file not found (model ${model.id}, ${model.variant}, of experiment ${experimentId}); put it back to evaluate this population`);
    if (fileHash(entry.file) !== config.files[entry.file]) throw new UserError(`${entry.file}: the file changed since experiment ${experimentId} was imported (SHA-256 differs); its stored predictions came from another model`);
    files.set(model.id, entry);
  }
  const formats = new Set([...files.values()].map((m) => m.format));
  const backend = (await Promise.all([...formats].map((f) => runtimeFor(f)))).join('+');
  return {
    backend,
    forSet(images: SplitData) {
      let prepared: Promise<Uint8Array> | undefined;
      const source = { kind: 'pixels' as const, count: images.count, ...images.input, pixels: images.pixels };
      return async (model: FinishedModel): Promise<SetPredictions> => {
        const entry = files.get(model.id);
        if (!entry) throw new Error(`model ${model.id} was not checked`);
        prepared ??= modelPixels(source, manifest.input);
        const pixels = await prepared;
        const opened = await openModel(entry, manifest.input);
        try {
          const p = await predictImages(opened, entry.file, pixels, Uint16Array.from(images.labels), { input: manifest.input, output: manifest.output, batchSize: config.batchSize, count: images.count, numClasses: images.numClasses });
          let correct = 0;
          for (let i = 0; i < images.count; i++) if (p.predicted[i] === images.labels[i]) correct++;
          return { ...p, top1: correct / images.count };
        } finally {
          await opened.dispose();
        }
      };
    },
  };
}
