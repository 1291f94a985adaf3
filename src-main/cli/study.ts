import type { Command } from 'commander';
import { StudySettingsSchema, studiesMethods } from '../core/api/contract/studies.js';
import { checkRequest } from '../core/api/validate.js';
import { resolveExperiment } from '../core/sql/experiments.js';
import { importStudyLabels } from '../core/study/exchange.js';
import { StudyItemsFileSchema, writeStudyItems } from '../core/study/items-file.js';
import { studyProgress } from '../core/study/labels.js';
import { studyReport, type StudyReport } from '../core/study/report.js';
import { createStudy, getStudy, listStudies, unblindStudy } from '../core/study/store.js';
import { printTable } from './datasets.js';
import { withDatabase, withReadonlyDatabase, type GlobalOptions } from './context.js';
import { optionNaming, wholeNumber } from './options.js';

function id(name: string, value: string | undefined): number | undefined {
  return wholeNumber(name, value, 'a number');
}

/** --study as the app's study.report and study.unblind take it; absent: the newest study. */
function studyChoice(opts: { study?: string }): { studyId?: number } {
  return checkRequest(studiesMethods['study.report'].request.partial(), { studyId: id('--study', opts.study) }, optionNaming(opts, { studyId: 'study' }));
}

const fmt = (x: number | null, digits = 3): string => (x === null ? '-' : x.toFixed(digits));

function printStudyReport(r: StudyReport): void {
  console.log(`study ${r.study_id} '${r.name}' on ${r.variant}: ${r.pies_labeled}/${r.n_pies} PIEs and ${r.controls_labeled}/${r.n_controls} controls labeled by ${r.annotators.length} annotators (${r.annotators.join(', ') || 'none yet'})${r.blind ? '; blind' : ''}`);
  printTable(
    ['category', 'PIEs', 'share', '95% CI', 'controls', 'share', '95% CI', 'ratio', 'Fisher p', 'kappa', 'alpha'],
    r.categories.map((c) => [
      c.name,
      String(c.pie_count),
      fmt(c.pie_share),
      `${fmt(c.pie_ci[0])}-${fmt(c.pie_ci[1])}`,
      String(c.control_count),
      fmt(c.control_share),
      `${fmt(c.control_ci[0])}-${fmt(c.control_ci[1])}`,
      fmt(c.ratio, 2),
      fmt(c.fisher_p, 4),
      fmt(c.fleiss_kappa),
      fmt(c.krippendorff_alpha),
    ]),
  );
  console.log(`overall Krippendorff's alpha (nominal, whole label sets): ${fmt(r.overall.krippendorff_alpha)}`);
}

export function registerStudyCommands(program: Command, globals: () => GlobalOptions): void {
  const study = program.command('study').description('blind human studies of PIEs against non-PIE controls');

  study
    .command('create')
    .description('draw N PIEs and N controls (stratified by class), shuffled, blind')
    .requiredOption('--name <name>', 'study name')
    .requiredOption('--pies <n>', 'PIEs to draw')
    .requiredOption('--controls <n>', 'non-PIE controls to draw')
    .option('--variant <v>', 'compressed variant: a sparsity such as 0.9, or a name such as int8 (default: the sparsest)')
    .option('--seed <s>', 'seed', '1')
    .option('--experiment <id>', 'experiment (default: the newest)')
    .action(async (opts: { name: string; pies: string; controls: string; variant?: string; seed: string; experiment?: string }) => {
      // Only the text is read here; ranges and messages are the API's (StudySettingsSchema).
      const settings = checkRequest(
        StudySettingsSchema.partial({ experimentId: true }),
        { name: opts.name, experimentId: id('--experiment', opts.experiment), variant: opts.variant, pies: id('--pies', opts.pies), controls: id('--controls', opts.controls), seed: id('--seed', opts.seed) },
        optionNaming(opts, { experimentId: 'experiment' }),
      );
      const created = await withDatabase(globals(), (db) =>
        createStudy(db, {
          name: settings.name,
          experimentId: resolveExperiment(db, settings.experimentId),
          variant: settings.variant,
          nPies: settings.pies,
          nControls: settings.controls,
          seed: settings.seed,
        }),
      );
      console.log(`study ${created.id} '${created.name}': ${created.nPies} PIEs and ${created.nControls} controls of ${created.variant}, shuffled (seed ${created.seed}, fingerprint ${created.fingerprint.slice(0, 12)})`);
    });

  study
    .command('list')
    .description('list studies with each annotator\'s progress')
    .action(async () => {
      await withReadonlyDatabase(globals(), (db) => {
          const rows = listStudies(db);
          if (rows.length === 0) console.log('no studies yet (create one: pie-audit study create)');
          for (const s of rows) {
            const progress = studyProgress(db, s.id).map((p) => `${p.annotator} ${p.labeled}/${p.total}`);
            console.log(`${s.id}  ${s.name}  ${s.variant}  ${s.nPies}+${s.nControls} images  ${s.blind ? 'blind' : 'unblinded'}  ${progress.join(', ') || 'no labels yet'}`);
          }
      });
    });

  study
    .command('items')
    .description('the study\'s images in presentation order (never the PIE flag while blind)')
    .option('--study <id>', 'study (default: the newest)')
    .requiredOption('--format <format>', 'csv | json')
    .requiredOption('--out <file>', 'output file')
    .action(async (opts: { study?: string; format: string; out: string }) => {
      const request = checkRequest(StudyItemsFileSchema, { studyId: id('--study', opts.study), format: opts.format }, optionNaming(opts, { studyId: 'study' }));
      const count = await withDatabase(globals(), (db) => writeStudyItems(db, request, opts.out));
      console.log(`wrote ${count} study items to ${opts.out}`);
    });

  study
    .command('import-labels')
    .description('merge other annotators\' label exports (matched by study, dataset and image index)')
    .argument('<files...>', 'files written by pie-audit export study (CSV, JSON or JSONL)')
    .action(async (files: string[]) => {
      const s = await withDatabase(globals(), (db) => importStudyLabels(db, files));
      console.log(`study ${s.studyId}: ${s.rows} labels read from ${s.files} files: ${s.inserted} new, ${s.updated} updated, ${s.unchanged} unchanged, ${s.older} older than ours (kept ours)`);
    });

  study
    .command('report')
    .description('per category: PIEs vs controls with 95% intervals, Fisher p, agreement')
    .option('--study <id>', 'study (default: the newest)')
    .option('--json', 'print JSON')
    .action(async (opts: { study?: string; json?: boolean }) => {
      const { studyId } = studyChoice(opts);
      const report = await withReadonlyDatabase(globals(), (db) => studyReport(db, studyId));
      if (opts.json) console.log(JSON.stringify(report, null, 2));
      else printStudyReport(report);
    });

  study
    .command('unblind')
    .description('reveal which images are PIEs (exports then carry is_pie)')
    .option('--study <id>', 'study (default: the newest)')
    .action(async (opts: { study?: string }) => {
      const { studyId } = studyChoice(opts);
      const s = await withDatabase(globals(), (db) => {
        const found = getStudy(db, studyId);
        unblindStudy(db, found.id);
        return found;
      });
      console.log(`study ${s.id} unblinded`);
    });
}
