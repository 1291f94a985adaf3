import type { Command } from 'commander';
import { checkRequest } from '../core/api/validate.js';
import { IdxSplitSchema, addCifar10Dataset, addFolderDataset, addIdxDataset, addKnownIdxDataset } from '../core/datasets/add.js';
import { importAttributes } from '../core/datasets/attributes.js';
import { listDatasets } from '../core/datasets/store.js';
import type { DatasetSummary } from '../core/datasets/types.js';
import { downloadProgressReporter } from './progress.js';
import { withDatabase, withReadonlyDatabase, type GlobalOptions } from './context.js';
import { optionNaming } from './options.js';

function describe(d: DatasetSummary): string {
  return `${d.name}: ${d.train + d.test} images (${d.train} train, ${d.test} test), ${d.classes.length} classes, ${d.width}x${d.height}x${d.channels}`;
}

export function registerDatasetCommands(program: Command, globals: () => GlobalOptions): void {
  const datasets = program.command('datasets').description('add and list image datasets');
  const add = datasets.command('add').description('import a dataset into the database');

  for (const kind of ['fashion-mnist', 'mnist'] as const) {
    add
      .command(kind)
      .description(`${kind === 'mnist' ? 'MNIST' : 'Fashion-MNIST'} (IDX .gz files; default: the OS package, then the cache, then a download)`)
      .option('--from <dir>', 'folder holding the four IDX files')
      .option('--name <name>', 'dataset name', kind)
      .option('--mirror <url>', 'base URL to download from instead of the official one')
      .action(async (opts: { from?: string; name: string; mirror?: string }) => {
        const progress = downloadProgressReporter();
        try {
          const summary = await withDatabase(globals(), (db) =>
            addKnownIdxDataset(db, kind, {
              from: opts.from,
              name: opts.name,
              mirror: opts.mirror ?? process.env.PIE_AUDIT_MIRROR,
              systemFolders: process.env.PIE_AUDIT_SYSTEM_DATASETS === 'none' ? [] : undefined,
              onDownload: progress.update,
              onStatus: (m) => process.stderr.write(`${m}\n`),
            }),
          );
          console.log(`added ${describe(summary)}`);
        } finally {
          progress.stop();
        }
      });
  }

  add
    .command('cifar10')
    .description('CIFAR-10, binary version (data_batch_1..5.bin, test_batch.bin)')
    .option('--from <dir>', 'folder holding the binary batches')
    .option('--name <name>', 'dataset name', 'cifar10')
    .action(async (opts: { from?: string; name: string }) => {
      const summary = await withDatabase(globals(), (db) => addCifar10Dataset(db, opts));
      console.log(`added ${describe(summary)}`);
    });

  add
    .command('idx')
    .description('any IDX image file with its IDX label file')
    .requiredOption('--name <name>', 'dataset name')
    .requiredOption('--images <file>', 'IDX image file (.gz or raw)')
    .requiredOption('--labels <file>', 'IDX label file (.gz or raw)')
    .option('--classes <names>', 'class names, comma-separated, in label order')
    .option('--split <split>', 'train or test', 'test')
    .action(async (opts: { name: string; images: string; labels: string; classes?: string; split: string }) => {
      const { split } = checkRequest(IdxSplitSchema, { split: opts.split }, optionNaming(opts));
      const classes = opts.classes?.split(',').map((c) => c.trim());
      const summary = await withDatabase(globals(), (db) => addIdxDataset(db, { ...opts, classes, split }));
      console.log(`added ${describe(summary)}`);
    });

  add
    .command('folder')
    .description('a folder with one sub-folder of PNG/JPEG images per class')
    .requiredOption('--name <name>', 'dataset name')
    .requiredOption('--from <dir>', 'the folder')
    .option('--classes <file>', "class index fixing each folder's label and class name (JSON {\"0\": [\"folder\", \"name\"]} or lines 'folder name')")
    .action(async (opts: { name: string; from: string; classes?: string }) => {
      const summary = await withDatabase(globals(), (db) =>
        addFolderDataset(db, { ...opts, onSkipped: (s) => process.stderr.write(`warning: ${s.file}: ${s.reason}\n`) }),
      );
      console.log(`added ${describe(summary)}`);
    });

  datasets
    .command('attributes')
    .description('attach per-image attributes for subgroup analysis (CSV: image_index or image, then one column per attribute); replaces earlier ones')
    .requiredOption('--dataset <name>', 'the dataset')
    .argument('<file>', 'the attribute CSV file')
    .action(async (file: string, opts: { dataset: string }) => {
      const result = await withDatabase(globals(), (db) => importAttributes(db, opts.dataset, file));
      console.log(`attached ${result.attributes.map((a) => `${a.name} (${a.values} values)`).join(', ')} to ${result.images} images of ${result.dataset}`);
    });

  datasets
    .command('list')
    .description('list the datasets in the database')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await withReadonlyDatabase(globals(), (db) => listDatasets(db));
      if (opts.json) {
        console.log(JSON.stringify(list, null, 2));
        return;
      }
      if (list.length === 0) {
        console.log('no datasets yet (add one: pie-audit datasets add fashion-mnist)');
        return;
      }
      const rows = list.map((d) => [d.name, d.kind, String(d.train), String(d.test), String(d.classes.length), `${d.width}x${d.height}x${d.channels}`, d.createdAt.slice(0, 19).replace('T', ' ')]);
      printTable(['name', 'kind', 'train', 'test', 'classes', 'size', 'added'], rows);
      for (const d of list) console.log(`${d.name} classes: ${d.classes.join(', ')}`);
    });
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}
