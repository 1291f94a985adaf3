/**
 * What the e2e sessions put in their database before the server opens it (an
 * E2eSessionOptions.prepare step): the committed fixture population, a small learnable
 * MNIST-style dataset.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeLearnableMnistFolder } from '../helpers/data.ts';
import type { SessionFolder } from './session.ts';
import { ROOT } from './support.ts';

/** The committed synthetic population (240 images, dense and compressed variants) as long CSV. */
export const FIXTURE_POPULATION = path.join(ROOT, 'test', 'fixtures', 'analysis', 'population.csv');

/** Imports the fixture population as predictions (experiment 1 of a fresh database). */
export function importFixturePopulation(cli: SessionFolder['cli']): Promise<string> {
  return cli(['import', 'predictions', '--format', 'long-csv', '--dataset', 'synthetic', FIXTURE_POPULATION]);
}

/** Writes a learnable MNIST-style folder of `train` and `test` images in the session's folder and adds it as the dataset `name`. */
export async function addLearnableMnist({ dir, cli }: Pick<SessionFolder, 'dir' | 'cli'>, name: string, train: number, test: number): Promise<void> {
  const source = path.join(dir, name);
  fs.mkdirSync(source);
  writeLearnableMnistFolder(source, train, test);
  await cli(['datasets', 'add', 'mnist', '--name', name, '--from', source]);
}
