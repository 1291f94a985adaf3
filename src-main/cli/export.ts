import type { Command } from 'commander';
import { parseCieQuantile } from '../core/analysis/cie.js';
import { UserError } from '../core/errors.js';
import { writeExport } from '../core/api/export.js';
import type { ExportFormat } from '../core/export/writers.js';
import { withDatabase, type GlobalOptions } from './context.js';

const TABLES = ['models', 'predictions', 'pies', 'class-impact', 'shift', 'subgroup-impact', 'labels', 'study'] as const;
type Table = (typeof TABLES)[number];

export function registerExportCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('export')
    .description(`export a table: ${TABLES.join(' | ')}`)
    .argument('<table>', TABLES.join(' | '))
    .requiredOption('--format <format>', 'csv | json | jsonl')
    .requiredOption('--out <file>', 'output file')
    .option('--experiment <id>', 'experiment (default: the newest)')
    .option('--study <id>', 'with study: the study (default: the newest)')
    .option('--cie-quantile <q>', 'with pies and subgroup-impact: CIEs are the images at or above this quantile of cie_distance (default 0.9)')
    .option('--positive-class <class>', 'with subgroup-impact: add fpr_change and fnr_change for this class (name or label)')
    .action(async (table: string, opts: { format: string; out: string; experiment?: string; study?: string; cieQuantile?: string; positiveClass?: string }) => {
      if (!(TABLES as readonly string[]).includes(table)) throw new UserError(`cannot export '${table}': choose one of ${TABLES.join(', ')}`);
      if (!['csv', 'json', 'jsonl'].includes(opts.format)) throw new UserError(`--format must be csv, json or jsonl, not '${opts.format}'`);
      if (opts.experiment !== undefined && !/^\d+$/.test(opts.experiment)) throw new UserError(`--experiment must be a number, not '${opts.experiment}'`);
      if (opts.study !== undefined && !/^\d+$/.test(opts.study)) throw new UserError(`--study must be a number, not '${opts.study}'`);
      const cieQuantile = parseCieQuantile(opts.cieQuantile);
      const format = opts.format as ExportFormat;
      const request = {
        table: table as Table,
        format,
        experimentId: opts.experiment === undefined ? undefined : Number(opts.experiment),
        studyId: opts.study === undefined ? undefined : Number(opts.study),
        cieQuantile,
        positiveClass: opts.positiveClass,
      };
      // The same writer as the app's export.file: one set of tables, columns and formats.
      const { rows: count } = await withDatabase(globals(), (db) => writeExport(db, request, opts.out), { existingOnly: true });
      console.log(`wrote ${count} ${table} rows to ${opts.out}`);
    });
}
