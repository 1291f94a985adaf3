import type { Command } from 'commander';
import { checkDatabase } from '../core/db/check.js';
import { UserError } from '../core/errors.js';
import { backupDatabase, restoreDatabase } from '../core/sql/backup.js';
import { databasePath, withDatabase, type GlobalOptions } from './context.js';
import fs from 'node:fs';

export function registerDbCommands(program: Command, globals: () => GlobalOptions): void {
  const db = program.command('db').description('database maintenance');
  db.command('check')
    .description("run SQLite's integrity and foreign-key checks")
    .action(async () => {
      const file = databasePath(globals());
      if (!fs.existsSync(file)) throw new UserError(`${file}: no such database`);
      const report = await withDatabase(globals(), (handle) => checkDatabase(handle));
      console.log(`${file}: schema version ${report.schemaVersion}, ${report.sizeBytes} bytes`);
      console.log(`integrity: ${report.integrity.join('; ')}`);
      console.log(`foreign keys: ${report.foreignKeyViolations === 0 ? 'ok' : `${report.foreignKeyViolations} violations`}`);
      if (!report.ok) throw new UserError(`${file}: database check failed`);
    });
  db.command('backup')
    .description("copy the database to a new FILE with SQLite's online backup (safe while the app or a run writes)")
    .argument('<file>', 'the backup file to write (must not exist)')
    .action(async (target: string) => {
      const file = databasePath(globals());
      const info = await backupDatabase(file, target);
      console.log(`${file}: backed up to ${target} (schema version ${info.schemaVersion}, ${info.sizeBytes} bytes)`);
    });
  db.command('restore')
    .description('replace the database with a backup FILE (its current content is backed up first)')
    .argument('<file>', 'a backup made by db backup (or any PIE Audit database)')
    .action(async (source: string) => {
      const file = databasePath(globals());
      const outcome = await restoreDatabase(source, file);
      if (outcome.previousSavedTo) console.log(`${file}: previous content saved to ${outcome.previousSavedTo}`);
      // Opening migrates a backup made by an older version (after its own dated copy).
      const report = await withDatabase(globals(), (handle) => checkDatabase(handle));
      console.log(`${file}: restored from ${source} (schema version ${outcome.schemaVersion}, now ${report.schemaVersion})`);
      if (!report.ok) throw new UserError(`${file}: database check failed after restore`);
    });
}
