import type { Command } from 'commander';
import { parseCieQuantile } from '../core/analysis/cie.js';
import { UserError } from '../core/errors.js';
import { MODEL_COLUMNS, PREDICTION_COLUMNS, modelRows, predictionRows, resolveExperiment } from '../core/export/tables.js';
import { writeRows, type ExportFormat } from '../core/export/writers.js';
import { LABEL_COLUMNS, auditLabelRows, studyLabelRows } from '../core/export/label-tables.js';
import { CLASS_IMPACT_COLUMNS, PIE_COLUMNS, classImpactRows, pieRows } from '../core/export/analysis-tables.js';
import { SHIFT_COLUMNS, shiftRows } from '../core/export/shift-tables.js';
import { subgroupColumns, subgroupRows } from '../core/export/subgroup-table.js';
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
      const count = await withDatabase(
        globals(),
        async (db) => {
          const which = table as Table;
          if (which === 'study') return writeRows(opts.out, format, LABEL_COLUMNS, studyLabelRows(db, opts.study === undefined ? undefined : Number(opts.study)));
          const experimentId = resolveExperiment(db, opts.experiment === undefined ? undefined : Number(opts.experiment));
          switch (which) {
            case 'models':
              return writeRows(opts.out, format, MODEL_COLUMNS, modelRows(db, experimentId));
            case 'predictions':
              return writeRows(opts.out, format, PREDICTION_COLUMNS, predictionRows(db, experimentId));
            case 'pies':
              return writeRows(opts.out, format, PIE_COLUMNS, pieRows(db, experimentId, { cieQuantile }));
            case 'class-impact':
              return writeRows(opts.out, format, CLASS_IMPACT_COLUMNS, classImpactRows(db, experimentId));
            case 'shift':
              return writeRows(opts.out, format, SHIFT_COLUMNS, shiftRows(db, experimentId));
            case 'subgroup-impact': {
              const options = { cieQuantile, positiveClass: opts.positiveClass };
              return writeRows(opts.out, format, subgroupColumns(options), subgroupRows(db, experimentId, options));
            }
            case 'labels':
              return writeRows(opts.out, format, LABEL_COLUMNS, auditLabelRows(db, experimentId));
          }
        },
        { readonly: true },
      );
      console.log(`wrote ${count} ${table} rows to ${opts.out}`);
    });
}
