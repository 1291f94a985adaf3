import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src-main/core/analysis/population-data.js';
import { openDatabase, type Db } from '../../src-main/core/db/database.js';
import { tempDir } from '../helpers/data.js';

const IMAGES = 5;

/** An experiment with one model per entry, each predicting the given image indices. */
function experimentWith(db: Db, models: { variant: string; images: number[] }[]): number {
  const experimentId = Number(db.prepare("INSERT INTO experiments (name, origin, config, created_at) VALUES ('e', 'imported', '{}', 'now')").run().lastInsertRowid);
  for (let i = 0; i < IMAGES; i++) db.prepare('INSERT INTO experiment_images (experiment_id, image_index, true_label) VALUES (?, ?, ?)').run(experimentId, i, i % 3);
  models.forEach((m, k) => {
    const method = m.variant === 'dense' ? 'dense' : 'magnitude';
    const modelId = Number(
      db
        .prepare("INSERT INTO models (experiment_id, variant, method, target_sparsity, seed, arch, status) VALUES (?, ?, ?, ?, ?, 'mlp', 'done')")
        .run(experimentId, m.variant, method, method === 'dense' ? 0 : 0.9, k + 1).lastInsertRowid,
    );
    for (const i of m.images) {
      // image 2's true-label probability is unknown (NULL); the others are exact doubles to check
      db.prepare('INSERT INTO predictions (model_id, image_index, predicted_label, predicted_probability, true_label_probability) VALUES (?, ?, ?, ?, ?)').run(
        modelId,
        i,
        (i + k) % 3,
        0.5,
        i === 2 ? null : 0.1 + i / 7,
      );
    }
  });
  return experimentId;
}

describe('loadExperiment (the analysis reads predictions a column at a time)', () => {
  const dir = tempDir();

  it("reads every model's labels and true-label probabilities by image index, NaN where unknown", () => {
    const db = openDatabase(path.join(dir, 'good.db'));
    try {
      const all = [0, 1, 2, 3, 4];
      const id = experimentWith(db, [
        { variant: 'dense', images: all },
        { variant: 'magnitude-0.9', images: [4, 3, 2, 1, 0] },
      ]);
      const data = loadExperiment(db, id);
      expect(data.variants.map((v) => v.name)).toEqual(['dense', 'magnitude-0.9']);
      const pruned = data.variants[1]?.models[0];
      expect(Array.from(pruned?.predicted ?? [])).toEqual(all.map((i) => (i + 1) % 3));
      expect(Array.from(pruned?.trueProbability ?? [])).toEqual(all.map((i) => (i === 2 ? NaN : 0.1 + i / 7)));
      expect(Array.from(data.trueLabels)).toEqual(all.map((i) => i % 3));
    } finally {
      db.close();
    }
  });

  it('refuses a model with the right number of predictions but not for images 0..n-1', () => {
    const db = openDatabase(path.join(dir, 'shifted.db'));
    try {
      const id = experimentWith(db, [
        { variant: 'dense', images: [0, 1, 2, 3, 4] },
        { variant: 'magnitude-0.9', images: [1, 2, 3, 4, 5] },
      ]);
      expect(() => loadExperiment(db, id)).toThrow(/^model 2 \(magnitude-0\.9\) has predictions for images 1 to 5, not 0 to 4$/);
    } finally {
      db.close();
    }
  });

  it('refuses a model with too few predictions', () => {
    const db = openDatabase(path.join(dir, 'short.db'));
    try {
      const id = experimentWith(db, [
        { variant: 'dense', images: [0, 1, 2, 3, 4] },
        { variant: 'magnitude-0.9', images: [0, 1, 2, 3] },
      ]);
      expect(() => loadExperiment(db, id)).toThrow(/^model 2 \(magnitude-0\.9\) has predictions for 4 of 5 images$/);
    } finally {
      db.close();
    }
  });
});
