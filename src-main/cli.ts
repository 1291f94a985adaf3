import { Command, CommanderError } from 'commander';
import { UserError, errorMessage, isDiskFull } from './core/errors.js';
import { registerDatasetCommands } from './cli/datasets.js';
import { registerDbCommands } from './cli/db.js';
import { registerExperimentCommands } from './cli/experiments.js';
import { registerServeCommand } from './cli/serve.js';
import { registerTrainCommand } from './cli/train.js';
import { registerEvaluateCommand } from './cli/evaluate.js';
import { registerExportCommand } from './cli/export.js';
import { registerImportCommand } from './cli/import.js';
import { registerModelsCommands } from './cli/models.js';
import { registerReportCommand } from './cli/report.js';
import { registerStudyCommands } from './cli/study.js';
import { registerSchemaCommands } from './cli/schema.js';
import type { GlobalOptions } from './cli/context.js';
import { APP_VERSION } from './core/version.js';

/**
 * The pie-audit command, and the place where the CLI meets browser mode's server (the
 * cli and server folders never import each other). Exit 0 on success; 1 with a one-line
 * reason on bad input.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name('pie-audit')
    .description('Find and audit the images that compressed neural networks forget.')
    .version(APP_VERSION)
    .option('--db <file>', 'database file (default: $PIE_AUDIT_DB, else the app data folder)')
    .showHelpAfterError('(run pie-audit --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  registerDatasetCommands(program, globals);
  registerDbCommands(program, globals);
  registerTrainCommand(program, globals);
  registerExperimentCommands(program, globals);
  registerEvaluateCommand(program, globals);
  registerReportCommand(program, globals);
  registerExportCommand(program, globals);
  registerStudyCommands(program, globals);
  registerSchemaCommands(program, globals);
  registerImportCommand(program, globals);
  registerModelsCommands(program, globals);
  registerServeCommand(program, globals, async (options) => {
    // Loaded only for serve: the other commands need no HTTP server.
    const { startServer } = await import('./server/server.js');
    return startServer(options);
  });
  for (const command of program.commands) applyExitOverride(command);

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0; usage errors have already been printed
      return error.exitCode === 0 ? 0 : 1;
    }
    if (error instanceof UserError) {
      process.stderr.write(`pie-audit: ${errorMessage(error)}\n`);
      return 1;
    }
    if (isDiskFull(error)) {
      process.stderr.write(`pie-audit: the disk is full (${errorMessage(error)}); what this command was writing was not kept\n`);
      return 1;
    }
    process.stderr.write(`pie-audit: internal error: ${errorMessage(error)}\n`);
    if (process.env.PIE_AUDIT_DEBUG) console.error(error);
    return 2;
  }
}

function applyExitOverride(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) applyExitOverride(sub);
}
