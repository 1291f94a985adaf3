import type { Command } from 'commander';
import { openDatabase, type Db } from '../core/db/database.js';
import { UserError } from '../core/errors.js';
import { databasePath, type GlobalOptions } from './context.js';

/** What serve needs of browser mode's server; cli.ts passes it in, so cli never imports server. */
export interface BrowserServer {
  url: string;
  close: () => Promise<void>;
}
export type StartBrowserServer = (options: { db: Db; databasePath: string; port: number; host: string }) => Promise<BrowserServer>;

export function registerServeCommand(program: Command, globals: () => GlobalOptions, startServer: StartBrowserServer): void {
  program
    .command('serve')
    .description('browser mode: the app over HTTP on 127.0.0.1, until interrupted')
    .option('--port <port>', 'port (default: any free port)', '0')
    .option('--host <host>', 'address to bind (default 127.0.0.1; anything else exposes your data to the network)', '127.0.0.1')
    .action(async (opts: { port: string; host: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port must be 0..65535, not '${opts.port}'`);
      if (opts.host !== '127.0.0.1' && opts.host !== 'localhost') {
        process.stderr.write(`warning: binding to ${opts.host}: anyone who can reach it and has the token can read and change this database\n`);
      }
      const file = databasePath(globals());
      const db = openDatabase(file);
      const server = await startServer({ db, databasePath: file, port, host: opts.host });
      process.stderr.write(`PIE Audit (browser mode) on database ${file}\n`);
      console.log(server.url);
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      db.close();
    });
}
