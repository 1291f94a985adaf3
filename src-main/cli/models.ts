import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { ModelImportSettingsSchema } from '../core/api/contract/models.js';
import { checkRequest } from '../core/api/validate.js';
import { UserError } from '../core/errors.js';
import type { ModelRunEvent } from '../core/models/runner.js';
import { withDatabase, type GlobalOptions } from './context.js';
import { optionNaming, wholeNumber } from './options.js';

const POSITIVE = 'a positive integer';

interface ImportFlags {
  dataset?: string;
  manifest?: string;
  name?: string;
  workers?: string;
  batchSize?: string;
  resume?: boolean;
  experiment?: string;
}

/** An option's text as a whole number; the range is checked by the API's schema. */
export function registerModelsCommands(program: Command, globals: () => GlobalOptions): void {
  const models = program.command('models').description('populations of your own model files (ONNX, TensorFlow.js)');
  models
    .command('import')
    .description("run every model a manifest lists on a dataset's test split and store their predictions")
    .option('--dataset <name>', 'dataset whose test split the models are run on')
    .option('--manifest <file>', 'JSON manifest: input settings and the model files (see docs/own-models.md)')
    .option('--name <name>', 'name of the experiment')
    .option('--workers <n>', 'worker threads, one model each (default: the number of cores)')
    .option('--batch-size <n>', 'images per inference call (default 128)')
    .option('--resume', 'finish the newest interrupted import (finished models are kept)')
    .option('--experiment <id>', 'with --resume: the experiment to finish')
    .action(async (flags: ImportFlags) => {
      // Only the text is read here; ranges and messages are the API's (ModelImportSettingsSchema).
      const request = checkRequest(
        ModelImportSettingsSchema.partial({ dataset: true, manifest: true }),
        {
          dataset: flags.dataset,
          manifest: flags.manifest,
          name: flags.name,
          workers: wholeNumber('--workers', flags.workers, POSITIVE),
          batchSize: wholeNumber('--batch-size', flags.batchSize, POSITIVE),
          resume: flags.resume,
          experimentId: wholeNumber('--experiment', flags.experiment, POSITIVE),
        },
        optionNaming(flags, { experimentId: 'experiment' }),
      );
      // Loaded here: ONNX Runtime and TensorFlow.js take time other commands need not pay.
      const { importModels } = await import('../core/models/import.js');
      const reporter = progressReporter();
      const controller = new AbortController();
      const interrupt = (): void => {
        process.stderr.write('\ninterrupted: stopping; finished models are kept (resume with pie-audit models import --resume)\n');
        controller.abort();
      };
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      try {
        const outcome = await withDatabase(globals(), (db) =>
          importModels(db, request, reporter.onEvent, controller.signal, (id, described) => {
            if (id !== null) process.stderr.write(`experiment ${id}\n`);
            for (const d of described) {
              process.stderr.write(`${d.variant} seed ${d.seed}: ${d.file}: input '${d.inputName}' ${d.inputShape} -> output '${d.outputName}' ${d.outputShape}, sparsity ${d.measuredSparsity.toFixed(4)}\n`);
            }
          }),
        );
        reporter.stop();
        if (outcome.experimentId === null) console.log('nothing stored: no model finished');
        else console.log(`experiment ${outcome.experimentId}: ${outcome.done} models evaluated in ${outcome.seconds.toFixed(1)} s` + (outcome.failed ? `, ${outcome.failed} failed` : ''));
        if (outcome.cancelled) {
          process.exitCode = 130;
          return;
        }
        if (outcome.failed > 0) throw new UserError(`${outcome.failed} models failed; run pie-audit models import --resume to retry them`);
      } finally {
        reporter.stop();
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
      }
    });
}

/** A bar per running model on a terminal; a line per finished model otherwise. */
function progressReporter(stream: NodeJS.WriteStream = process.stderr): { onEvent: (e: ModelRunEvent) => void; stop: () => void } {
  const label = (e: { model: { modelId: number; variant: string; seed: number } }): string => `model ${e.model.modelId} ${e.model.variant} seed ${e.model.seed}`;
  const doneLine = (e: Extract<ModelRunEvent, { type: 'model-done' }>): string =>
    `${label(e)}: top-1 ${e.top1.toFixed(4)}, sparsity ${e.measuredSparsity.toFixed(4)}, ${e.seconds.toFixed(1)} s on ${e.runtime}`;
  if (!stream.isTTY) {
    return {
      onEvent(e) {
        if (e.type === 'model-done') stream.write(`${doneLine(e)}\n`);
        else if (e.type === 'model-failed') stream.write(`${label(e)}: failed: ${e.message}\n`);
      },
      stop() {},
    };
  }
  const multibar = new cliProgress.MultiBar(
    { stream, clearOnComplete: false, hideCursor: true, format: '{name} [{bar}] {percentage}% | {value}/{total} images | ETA {eta_formatted}' },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<number, cliProgress.SingleBar>();
  return {
    onEvent(e) {
      if (e.type === 'model-started') bars.set(e.model.modelId, multibar.create(1, 0, { name: label(e).padEnd(32) }));
      else if (e.type === 'model-progress') {
        const bar = bars.get(e.model.modelId);
        bar?.setTotal(e.total);
        bar?.update(e.done);
      } else if (e.type === 'model-done') {
        bars.get(e.model.modelId)?.stop();
        multibar.log(`${doneLine(e)}\n`);
      } else if (e.type === 'model-failed') multibar.log(`${label(e)}: failed: ${e.message}\n`);
    },
    stop() {
      multibar.stop();
    },
  };
}
