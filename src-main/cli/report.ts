import type { Command } from 'commander';
import { refreshAnalysis } from '../core/analysis/refresh.js';
import { experimentReport, type ExperimentReport } from '../core/analysis/report.js';
import { resultsMethods } from '../core/api/contract/results.js';
import { checkRequest } from '../core/api/validate.js';
import { resolveExperiment } from '../core/sql/experiments.js';
import { printTable } from './datasets.js';
import { withDatabase, type GlobalOptions } from './context.js';
import { CIE_QUANTILE_KIND, decimal, optionNaming, wholeNumber } from './options.js';

const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(2)}%`);

export function printReport(report: ExperimentReport): void {
  console.log(`experiment ${report.experiment_id} on ${report.dataset}: ${report.images} images, ${report.classes.length} classes`);
  printTable(
    ['variant', 'models', 'top-1', 'sd', 'PIEs', 'share', 'dense on PIEs', 'variant on PIEs', 'dense on rest', 'variant on rest', 'p<=.05', 'q<=.05', 'CIEs', 'PIE&CIE'],
    report.variants.map((v) => [
      v.variant,
      String(v.models),
      pct(v.top1_mean),
      pct(v.top1_std),
      v.pies === null ? '-' : String(v.pies),
      pct(v.pie_share),
      pct(v.dense_top1_on_pies),
      pct(v.variant_top1_on_pies),
      pct(v.dense_top1_on_non_pies),
      pct(v.variant_top1_on_non_pies),
      v.classes_p05 === null ? '-' : String(v.classes_p05),
      v.classes_q05 === null ? '-' : String(v.classes_q05),
      v.cies === null ? '-' : String(v.cies),
      v.pies_and_cies === null ? '-' : String(v.pies_and_cies),
    ]),
  );
  for (const v of report.variants) {
    if (v.most_hurt !== null) console.log(`${v.variant} most hurt: ${v.most_hurt.length ? v.most_hurt.join(', ') : '(none)'}`);
  }
}

export function registerReportCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('report')
    .description('the headline table per variant: top-1, PIEs, classes hurt')
    .option('--json', 'print JSON')
    .option('--experiment <id>', 'experiment (default: the newest)')
    .option('--cie-quantile <q>', 'CIEs: images at or above this quantile of the distance (default 0.9, the top decile)')
    .action(async (opts: { json?: boolean; experiment?: string; cieQuantile?: string }) => {
      // The app's report.get request: the same ranges and messages.
      const request = checkRequest(
        resultsMethods['report.get'].request,
        { experimentId: wholeNumber('--experiment', opts.experiment, 'a number'), cieQuantile: decimal('--cie-quantile', opts.cieQuantile, CIE_QUANTILE_KIND) },
        optionNaming(opts, { experimentId: 'experiment' }, { cieQuantile: CIE_QUANTILE_KIND }),
      );
      const report = await withDatabase(
        globals(),
        (db) => {
          const experimentId = resolveExperiment(db, request.experimentId);
          refreshAnalysis(db, experimentId); // the explicit step for a database left stale: a no-op when current
          return experimentReport(db, experimentId, { shift: opts.json === true, cieQuantile: request.cieQuantile });
        },
        { existingOnly: true },
      );
      if (opts.json) console.log(JSON.stringify(report, null, 2));
      else printReport(report);
    });
}
