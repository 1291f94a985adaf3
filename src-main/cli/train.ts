import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { UserError } from '../core/errors.js';
import type { PopulationEvent } from '../core/population/runner.js';
import { TrainSettingsSchema } from '../core/api/contract/runs.js';
import { checkRequest } from '../core/api/validate.js';
import { findDataset } from '../core/datasets/store.js';
import { parseTailOrder } from '../core/population/long-tail.js';
import { databasePath, withDatabase, withReadonlyDatabase, type GlobalOptions } from './context.js';
import { listItems, optionNaming, wholeNumber } from './options.js';

interface TrainFlags {
  dataset?: string;
  preset: string;
  models?: string;
  sparsities?: string;
  quantize?: string;
  epochs?: string;
  arch?: string;
  workers?: string;
  trainLimit?: string;
  seed?: string;
  backend?: string;
  batchSize?: string;
  resume?: boolean;
  experiment?: string;
  longTail?: string;
  tailOrder?: string;
}

/** A comma-separated option as a list; '' and 'none' are the empty list. */
function list<T>(value: string | undefined, parse: (item: string) => T): T[] | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '' || value.trim() === 'none') return [];
  return listItems(value).map(parse);
}

export function registerTrainCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('train')
    .description('train a population of models: dense, magnitude-pruned and quantized')
    .option('--dataset <name>', 'dataset to train on (see: pie-audit datasets list)')
    .option('--preset <preset>', 'smoke | quick | paper | longtail', 'quick')
    .option('--models <k>', 'models per variant')
    .option('--sparsities <list>', 'pruning targets, e.g. 0,0.5,0.9 (0 = dense, always included)')
    .option('--quantize <list>', 'post-training quantized variants: fp16,int8 (or none)')
    .option('--epochs <n>', 'training epochs')
    .option('--arch <arch>', 'mlp (LeNet-300-100) | cnn (LeNet-5 style)')
    .option('--workers <n>', 'worker threads (default: the number of cores)')
    .option('--train-limit <n>', 'train on the first N training images')
    .option('--seed <s>', 'base seed')
    .option('--backend <name>', 'tfjs-node | wasm | cpu (default: the best that loads)')
    .option('--batch-size <n>', 'batch size (default 128)')
    .option('--long-tail <ratio>', 'train on a class-imbalanced subset: class of rank r keeps floor(n * ratio^(-r/(C-1))) images')
    .option('--tail-order <labels>', 'with --long-tail: classes from most to least frequent (names or label numbers; default by label)')
    .option('--resume', 'finish the newest interrupted run (finished models are kept)')
    .option('--experiment <id>', 'with --resume: the experiment to finish')
    .action(async (flags: TrainFlags) => {
      // Only the text is read here; ranges and messages are the API's (TrainSettingsSchema).
      const settings = checkRequest(
        TrainSettingsSchema.partial({ dataset: true }),
        {
          dataset: flags.dataset,
          preset: flags.preset,
          models: wholeNumber('--models', flags.models),
          sparsities: list(flags.sparsities, Number),
          quantize: list(flags.quantize, (s) => s),
          epochs: wholeNumber('--epochs', flags.epochs),
          arch: flags.arch,
          trainLimit: wholeNumber('--train-limit', flags.trainLimit),
          seed: wholeNumber('--seed', flags.seed),
          backend: flags.backend,
          batchSize: wholeNumber('--batch-size', flags.batchSize),
          workers: wholeNumber('--workers', flags.workers),
          longTail: flags.longTail === undefined ? undefined : { ratio: flags.longTail.trim() === '' ? Number.NaN : Number(flags.longTail) },
        },
        optionNaming(flags),
      );
      const { dataset: _dataset, preset, workers, ...overrides } = settings;
      if (flags.tailOrder !== undefined && flags.longTail === undefined && preset !== 'longtail') throw new UserError('--tail-order needs --long-tail RATIO (or --preset longtail)');
      if (flags.tailOrder !== undefined) {
        const names = await withReadonlyDatabase(globals(), (db) => (flags.dataset === undefined ? [] : findDataset(db, flags.dataset).classes));
        const order = parseTailOrder(flags.tailOrder, names, '--tail-order');
        overrides.longTail = { ratio: overrides.longTail?.ratio ?? 10, order };
      }
      const file = databasePath(globals());
      // Loaded here, not at start-up: TensorFlow.js takes a second that other commands need not pay.
      const { trainPopulation } = await import('../core/population/train.js');
      const reporter = progressReporter();
      const controller = new AbortController();
      const interrupt = (): void => {
        process.stderr.write('\ninterrupted: stopping; finished models are kept (resume with pie-audit train --resume)\n');
        controller.abort();
      };
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      try {
        const outcome = await withDatabase(globals(), (db) =>
          trainPopulation(db, file, { dataset: flags.dataset, preset, overrides, resume: flags.resume, experimentId: wholeNumber('--experiment', flags.experiment), workers }, reporter.onEvent, controller.signal),
        );
        reporter.stop();
        const c = outcome.config;
        console.log(
          `experiment ${outcome.experimentId}: ${outcome.done} models trained in ${outcome.seconds.toFixed(1)} s on ${outcome.backend}` +
            (outcome.failed ? `, ${outcome.failed} failed` : '') +
            ` (${c.models} per variant; sparsities ${c.sparsities.join(', ')}${c.quantize.length ? `; ${c.quantize.join(', ')}` : ''}; ${c.epochs} epochs, batch ${c.batchSize}, Adam ${c.learningRate}${c.learningRateSchedule === 'cosine' ? ' with cosine decay' : ''})`,
        );
        if (outcome.cancelled) {
          process.exitCode = 130;
          return;
        }
        if (outcome.failed > 0) throw new UserError(`${outcome.failed} models failed; run pie-audit train --resume to retry them`);
      } finally {
        reporter.stop();
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
      }
    });
}

/** A bar per running model with time left on a terminal; a line per model otherwise. */
function progressReporter(stream: NodeJS.WriteStream = process.stderr): { onEvent: (e: PopulationEvent) => void; stop: () => void } {
  const label = (e: { model: { id: number; variant: string; seed: number } }): string => `model ${e.model.id} ${e.model.variant} seed ${e.model.seed}`;
  if (!stream.isTTY) {
    return {
      onEvent(e) {
        if (e.type === 'backend') stream.write(`backend: ${e.backend}${e.notes.length ? ` (${e.notes.join('; ')})` : ''}\n`);
        else if (e.type === 'model-done') stream.write(`${label(e)}: top-1 ${e.top1.toFixed(4)}, sparsity ${e.measuredSparsity.toFixed(4)}, ${e.seconds.toFixed(1)} s\n`);
        else if (e.type === 'model-failed') stream.write(`${label(e)}: failed: ${e.message}\n`);
      },
      stop() {},
    };
  }
  const multibar = new cliProgress.MultiBar(
    { stream, clearOnComplete: false, hideCursor: true, format: '{name} [{bar}] {percentage}% | epoch {epoch} | loss {loss} | acc {acc} | ETA {eta_formatted}' },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<number, cliProgress.SingleBar>();
  return {
    onEvent(e) {
      if (e.type === 'backend') multibar.log(`backend: ${e.backend}\n`);
      else if (e.type === 'model-started') bars.set(e.model.id, multibar.create(1, 0, { name: label(e).padEnd(32), epoch: '-', loss: '-', acc: '-' }));
      else if (e.type === 'model-progress') {
        const bar = bars.get(e.model.id);
        bar?.setTotal(e.progress.steps);
        bar?.update(e.progress.step, { epoch: `${e.progress.epoch}/${e.progress.epochs}`, loss: e.progress.loss.toFixed(3), acc: e.progress.accuracy.toFixed(3) });
      } else if (e.type === 'model-done') {
        const bar = bars.get(e.model.id);
        bar?.update(bar.getTotal(), { acc: `top-1 ${e.top1.toFixed(4)}` });
        bar?.stop();
      } else if (e.type === 'model-failed') multibar.log(`${label(e)}: failed: ${e.message}\n`);
    },
    stop() {
      multibar.stop();
    },
  };
}
