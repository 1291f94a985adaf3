import type { Command } from 'commander';
import { listExperiments } from '../core/api/results.js';
import { UserError } from '../core/errors.js';
import { deleteExperiment, deletionCounts, renameExperiment, studiesUsing } from '../core/sql/experiment-lifecycle.js';
import { printTable } from './datasets.js';
import { withDatabase, type GlobalOptions } from './context.js';

function experimentId(text: string): number {
  if (!/^[1-9]\d{0,8}$/.test(text)) throw new UserError(`experiment id: expected a positive whole number, got '${text}'`);
  return Number(text);
}

export function registerExperimentCommands(program: Command, globals: () => GlobalOptions): void {
  const experiments = program.command('experiments').description('population runs and imports: list, rename, delete');
  experiments
    .command('list')
    .description('every experiment, newest first, with its models done')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const items = await withDatabase(globals(), (db) => listExperiments(db), { readonly: true });
      if (opts.json) {
        console.log(JSON.stringify(items, null, 1));
        return;
      }
      printTable(
        ['id', 'name', 'dataset', 'origin', 'variants', 'models done', 'created'],
        items.map((e) => [String(e.id), e.name, e.dataset ?? '-', e.preset ? `${e.origin} ${e.preset}` : e.origin, e.variants.join(','), `${e.models.done}/${e.models.total}`, e.createdAt]),
      );
    });
  experiments
    .command('rename')
    .argument('<id>', 'experiment id')
    .argument('<name>', 'new name (1 to 200 characters)')
    .action(async (id: string, name: string) => {
      const stored = await withDatabase(globals(), (db) => renameExperiment(db, experimentId(id), name));
      console.log(`experiment ${id} is now '${stored}'`);
    });
  experiments
    .command('delete')
    .argument('<id>', 'experiment id')
    .option('--yes', 'delete without asking (required: the models, predictions and free-audit labels go with it)')
    .description('delete an experiment with its models, predictions, analysis and free-audit labels (never one a study uses)')
    .action(async (id: string, opts: { yes?: boolean }) => {
      const deleted = await withDatabase(globals(), (db) => {
        const n = experimentId(id);
        const counts = deletionCounts(db, n);
        const studies = studiesUsing(db, n);
        if (studies.length === 0 && !opts.yes) {
          throw new UserError(`experiment ${n} '${counts.name}' has ${counts.models} models and ${counts.labels} free-audit labels: pass --yes to delete it with them`);
        }
        return deleteExperiment(db, n);
      });
      console.log(`deleted experiment ${deleted.id} '${deleted.name}' (${deleted.models} models, ${deleted.labels} free-audit labels)`);
    });
}
