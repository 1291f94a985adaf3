/**
 * Issue 12: inference throughput of `models import` for the fixture CNN (dense and 90%
 * pruned) on Fashion-MNIST's 10,000 test images, with one and two workers.
 */
import path from 'node:path';
import { openDatabase } from '../src-main/core/db/database.js';
import { addKnownIdxDataset } from '../src-main/core/datasets/add.js';
import { importModels } from '../src-main/core/models/import.js';

const MANIFEST = path.join(import.meta.dirname, '..', 'test', 'fixtures', 'models', 'cnn.manifest.json');

export async function benchModels(dir: string): Promise<void> {
  console.log('\n== own models: fixture CNN (dense + 90% pruned, ONNX Runtime CPU) on Fashion-MNIST test (10,000 images)');
  for (const workers of [1, 2]) {
    const db = openDatabase(path.join(dir, `models-${workers}.sqlite`));
    try {
      await addKnownIdxDataset(db, 'fashion-mnist', { from: '/usr/share/datasets/fashion-mnist' });
      const perModel: string[] = [];
      const outcome = await importModels(db, { dataset: 'fashion-mnist', manifest: MANIFEST, workers, batchSize: 128 }, (e) => {
        if (e.type === 'model-done') perModel.push(`${e.model.variant} ${(10_000 / e.seconds).toFixed(0)} images/s (${e.seconds.toFixed(2)} s, load included)`);
      });
      const images = 10_000 * outcome.done;
      console.log(`${workers} worker(s): ${images} predictions in ${outcome.seconds.toFixed(2)} s wall (worker start included) = ${(images / outcome.seconds).toFixed(0)} images/s; per model: ${perModel.join('; ')}`);
    } finally {
      db.close();
    }
  }
}
