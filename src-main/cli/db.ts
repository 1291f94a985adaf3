import type { Command } from 'commander';
import { checkDatabase } from '../core/db/check.js';
import { UserError } from '../core/errors.js';
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
}
