import type { Command } from 'commander';
import { addCategory, describeCategory, listCategories, renameCategory, reorderCategories } from '../core/schema/categories.js';
import { printTable } from './datasets.js';
import { withDatabase, withReadonlyDatabase, type GlobalOptions } from './context.js';

export function registerSchemaCommands(program: Command, globals: () => GlobalOptions): void {
  const schema = program.command('schema').description("the project's label categories (labels already made are kept)");
  schema
    .command('list')
    .description('categories in order, with keys and descriptions')
    .action(async () => {
      const categories = await withReadonlyDatabase(globals(), (db) => listCategories(db));
      printTable(['key', 'name', 'description'], categories.map((c) => [c.key ?? '', c.name, c.description]));
      console.log("0 sets 'none' (a typical, clean image)");
    });
  schema
    .command('add')
    .argument('<name>', 'new category, e.g. low-contrast')
    .option('--description <text>', 'one line shown to annotators', '')
    .option('--key <key>', 'keyboard key')
    .action(async (name: string, opts: { description: string; key?: string }) => {
      const c = await withDatabase(globals(), (db) => addCategory(db, name, opts.description, opts.key ?? null));
      console.log(`added category ${c.name} at position ${c.position}`);
    });
  schema
    .command('rename')
    .argument('<from>')
    .argument('<to>')
    .action(async (from: string, to: string) => {
      const changed = await withDatabase(globals(), (db) => renameCategory(db, from, to));
      console.log(`renamed ${from} to ${to} (${changed} labels updated)`);
    });
  schema
    .command('describe')
    .argument('<name>')
    .argument('<description>')
    .option('--key <key>', 'keyboard key')
    .action(async (name: string, description: string, opts: { key?: string }) => {
      await withDatabase(globals(), (db) => describeCategory(db, name, description, opts.key));
      console.log(`updated ${name}`);
    });
  schema
    .command('reorder')
    .argument('<names...>', 'every category, in the new order')
    .action(async (names: string[]) => {
      const categories = await withDatabase(globals(), (db) => reorderCategories(db, names));
      console.log(`order: ${categories.map((c) => c.name).join(', ')}`);
    });
}
