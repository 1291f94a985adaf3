import type { Command } from 'commander';
import { ExportRequestSchema } from '../core/api/contract/results.js';
import { writeExport } from '../core/api/export.js';
import { checkRequest } from '../core/api/validate.js';
import { UserError } from '../core/errors.js';
import { withDatabase, type GlobalOptions } from './context.js';
import { CIE_QUANTILE_KIND, decimal, optionNaming, wholeNumber } from './options.js';

const TABLES = ExportRequestSchema.shape.table.options;

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
      // The table is an argument, not an option: its refusal names the argument; the options are the API's export.file request.
      if (!ExportRequestSchema.shape.table.safeParse(table).success) throw new UserError(`cannot export '${table}': choose one of ${TABLES.join(', ')}`);
      const request = checkRequest(
        ExportRequestSchema,
        {
          table,
          format: opts.format,
          experimentId: wholeNumber('--experiment', opts.experiment, 'a number'),
          studyId: wholeNumber('--study', opts.study, 'a number'),
          cieQuantile: decimal('--cie-quantile', opts.cieQuantile, CIE_QUANTILE_KIND),
          positiveClass: opts.positiveClass,
        },
        optionNaming(opts, { experimentId: 'experiment', studyId: 'study' }, { cieQuantile: CIE_QUANTILE_KIND }),
      );
      // The same writer as the app's export.file: one set of tables, columns and formats.
      const { rows: count } = await withDatabase(globals(), (db) => writeExport(db, request, opts.out), { existingOnly: true });
      console.log(`wrote ${count} ${table} rows to ${opts.out}`);
    });
}
