/**
 * One browser-mode session for an e2e test or a browser bench: a fresh folder and
 * database (filled by the CLI first, when the scenario needs data), the real
 * `pie-audit serve` on it, Debian's Chromium with one watched page, and one `close()`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContextOptions } from 'playwright-core';
import { FASHION_MNIST_DIR, checkPrerequisites, openChromiumPage, runCli, startServer, stopServer, type ChromiumPage, type Server } from './support.ts';

export interface E2eSessionOptions {
  /** Names the folder (`pie-audit-<name>-…`) and the database (`<name>.db`). */
  name: string;
  /** The folder to make the session's folder in (the system's temporary folder unless given). */
  parent?: string;
  /** The scenario reads the system copy of Fashion-MNIST: fail early, with the fix, without it. */
  fashionMnist?: boolean;
  /** Fills the database before the server opens it (datasets, imports, runs by the CLI). */
  prepare?: (folder: SessionFolder) => Promise<unknown>;
  /** The page's browser context (viewport, colour scheme, ...); Playwright's defaults otherwise. */
  context?: BrowserContextOptions;
}

/** The session's folder and database, and the CLI on them. */
export interface SessionFolder {
  /** The session's own folder (the CLI's data and cache folders, downloads), removed by close(). */
  dir: string;
  db: string;
  /** The pie-audit command on the session's database. */
  cli(args: string[]): Promise<string>;
}

export interface E2eSession extends ChromiumPage, SessionFolder {
  server: Server;
  /** Clicks the button that starts a download and saves it in the session's folder. */
  download(testId: string): Promise<{ name: string; file: string; text: string }>;
  close(): Promise<void>;
}

export function checkFashionMnist(): void {
  if (!fs.existsSync(FASHION_MNIST_DIR)) throw new Error(`${FASHION_MNIST_DIR} is missing: install Debian's dataset-fashion-mnist`);
}

/** Opens the session; whatever was opened before a failure is closed again before it rethrows. */
export async function openE2eSession(options: E2eSessionOptions): Promise<E2eSession> {
  checkPrerequisites();
  if (options.fashionMnist) checkFashionMnist();
  const dir = fs.mkdtempSync(path.join(options.parent ?? os.tmpdir(), `pie-audit-${options.name}-`));
  const db = path.join(dir, `${options.name}.db`);
  const cli = (args: string[]): Promise<string> => runCli(['--db', db, ...args], dir);
  let server: Server | undefined;
  let opened: ChromiumPage | undefined;
  const close = async (): Promise<void> => {
    try {
      await opened?.browser.close();
    } finally {
      try {
        if (server) await stopServer(server.child);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  };
  try {
    await options.prepare?.({ dir, db, cli });
    server = await startServer(db, dir);
    opened = await openChromiumPage(options.context);
  } catch (error) {
    await close();
    throw error;
  }
  const { page } = opened;
  const download = async (testId: string): Promise<{ name: string; file: string; text: string }> => {
    const [started] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
    const name = started.suggestedFilename();
    const file = path.join(dir, name);
    await started.saveAs(file);
    return { name, file, text: fs.readFileSync(file, 'utf8') };
  };
  return { ...opened, dir, db, server, cli, download, close };
}
