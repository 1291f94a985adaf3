import type { Command } from 'commander';
import { importPredictions } from '../core/import/import-predictions.js';
import { IMPORT_FORMATS } from '../core/import/formats.js';
import { testImagePaths } from '../core/sql/image-paths.js';
import { databaseIsCurrent, withDatabase, withReadonlyDatabase, type GlobalOptions } from './context.js';

export function registerImportCommand(program: Command, globals: () => GlobalOptions): void {
  const importCommand = program.command('import').description('import data made elsewhere');
  importCommand
    .command('predictions')
    .description('import a population trained elsewhere: every model\'s prediction for every image')
    .requiredOption('--format <format>', IMPORT_FORMATS.join(' | '))
    .requiredOption('--dataset <name>', 'the dataset the predictions are on (labels-only when no dataset has this name)')
    .argument('<files...>', 'prediction files (reference-csv: one file per checkpoint)')
    .action(async (files: string[], opts: { format: string; dataset: string }) => {
      const summary = await importPredictions(
        {
          format: opts.format,
          datasetName: opts.dataset,
          files,
          onStatus: (m) => process.stderr.write(`${m}\n`),
          imagePaths: () => withReadonlyDatabase(globals(), (db) => testImagePaths(db, opts.dataset)),
          // stored while read (two threads) when opening the database first changes nothing
          storeWhileReading: databaseIsCurrent(globals()),
        },
        (fn) => withDatabase(globals(), fn),
      );
      console.log(
        `imported ${summary.models} models (${summary.variants} variants), ${summary.images} images, ${summary.predictions} predictions into experiment ${summary.experimentId}`,
      );
    });
}
