import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { EvaluateSettingsSchema } from '../core/api/contract/shift.js';
import { checkRequest } from '../core/api/validate.js';
import { parseCorruptions, parseSeverities } from '../core/corruptions/index.js';
import { UserError } from '../core/errors.js';
import type { EvaluateEvent } from '../core/evaluation/evaluate.js';
import { resolveExperiment } from '../core/sql/experiments.js';
import { withDatabase, type GlobalOptions } from './context.js';
import { optionNaming, wholeNumber } from './options.js';

interface EvaluateFlags {
  experiment?: string;
  corruptions?: string;
  severities?: string;
  on?: string;
}

export function registerEvaluateCommand(program: Command, globals: () => GlobalOptions): void {
  program
    .command('evaluate')
    .description("run every finished model of an experiment on corrupted test sets or another dataset's test split")
    .option('--experiment <id>', 'experiment (default: the newest)')
    .option('--corruptions <list>', `all, or names: identity, shot_noise, ... (see docs/corruptions.md)`)
    .option('--severities <list>', 'severities 1 (mildest) to 5', '1,2,3,4,5')
    .option('--on <dataset>', "another dataset's test split with the same classes")
    .action(async (flags: EvaluateFlags) => {
      const experimentId = wholeNumber('--experiment', flags.experiment, 'a number');
      // The command line asks for an explicit choice where the app's request has a default.
      if (flags.corruptions === undefined && flags.on === undefined) throw new UserError('give --corruptions all|NAME,... or --on DATASET');
      if (flags.corruptions !== undefined && flags.on !== undefined) throw new UserError('give either --corruptions or --on, not both');
      // The app's evaluate.start settings: the same ranges and messages (the lists' text is read by parseCorruptions/parseSeverities).
      const settings = checkRequest(
        EvaluateSettingsSchema.partial({ experimentId: true }),
        {
          experimentId,
          corruptions: flags.corruptions === undefined ? undefined : parseCorruptions(flags.corruptions),
          severities: parseSeverities(flags.severities ?? '1,2,3,4,5'),
          onDataset: flags.on,
        },
        optionNaming(flags, { experimentId: 'experiment', onDataset: 'on' }),
      );
      // Loaded here, not at start-up: TensorFlow.js takes a second that other commands need not pay.
      const { evaluateExperiment } = await import('../core/evaluation/evaluate.js');
      const reporter = evaluateReporter();
      const controller = new AbortController();
      const interrupt = (): void => {
        process.stderr.write('\ninterrupted: stopping; finished evaluations are kept (run the same command again to resume)\n');
        controller.abort();
      };
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      try {
        const outcome = await withDatabase(globals(), (db) => {
          const { corruptions, severities, onDataset } = settings;
          return evaluateExperiment(db, { experimentId: resolveExperiment(db, settings.experimentId), corruptions, severities, onDataset }, reporter.onEvent, controller.signal);
        });
        reporter.stop();
        console.log(
          `${outcome.sets.length} evaluation sets: ${outcome.evaluated} model runs in ${outcome.seconds.toFixed(1)} s on ${outcome.backend}` +
            (outcome.skipped ? ` (${outcome.skipped} already done)` : ''),
        );
        if (outcome.cancelled) process.exitCode = 130;
      } finally {
        reporter.stop();
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
      }
    });
}

/** One bar over every (set, model) run on a terminal; a line per set otherwise. */
function evaluateReporter(stream: NodeJS.WriteStream = process.stderr): { onEvent: (e: EvaluateEvent) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | undefined;
  return {
    onEvent(e) {
      if (e.type === 'started') {
        if (stream.isTTY) {
          bar = new cliProgress.SingleBar({ stream, format: '{set} [{bar}] {value}/{total} runs | ETA {eta_formatted}' }, cliProgress.Presets.shades_classic);
          bar.start(e.todo, 0, { set: '-'.padEnd(18) });
        } else stream.write(`evaluating ${e.todo} runs (${e.sets} sets x ${e.models} models, backend ${e.backend})\n`);
      } else if (e.type === 'set-started') {
        if (bar) bar.update({ set: e.set.name.padEnd(18) });
        else stream.write(`${e.set.name}\n`);
      } else if (e.type === 'model-done') bar?.update(e.done);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
