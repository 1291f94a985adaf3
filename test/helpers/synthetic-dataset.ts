import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT } from './cli.js';
import { idxBuffer, syntheticImages } from './data.js';

export const ANALYSIS_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'analysis');
export const SYNTHETIC_CLASSES = Array.from({ length: 10 }, (_, c) => `c${c}`);

/**
 * Writes the committed synthetic population's test split as IDX files: 240 small images
 * whose labels are the population's true labels (from population.csv), so that the
 * population can be imported against a real dataset (and attributes attached to it).
 * The CLI arguments that add it follow.
 */
export function writeSyntheticDataset(dir: string): string[] {
  const lines = fs.readFileSync(path.join(ANALYSIS_FIXTURES, 'population.csv'), 'utf8').trim().split('\n').slice(1);
  const labels = new Uint8Array(240);
  for (const line of lines) {
    const cells = line.split(',');
    labels[Number(cells[4])] = Number(cells[5]);
  }
  const images = path.join(dir, 'images.gz');
  const labelFile = path.join(dir, 'labels.gz');
  fs.writeFileSync(images, zlib.gzipSync(idxBuffer([240, 8, 8], syntheticImages(240, 8))));
  fs.writeFileSync(labelFile, zlib.gzipSync(idxBuffer([240], labels)));
  return ['datasets', 'add', 'idx', '--name', 'synthetic', '--images', images, '--labels', labelFile, '--classes', SYNTHETIC_CLASSES.join(','), '--split', 'test'];
}
