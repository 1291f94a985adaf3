/**
 * Shared by the browser tests and the browser bench: the real `pie-audit serve` as a
 * child process, Debian's Chromium through playwright-core, the CLI, screenshots.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type ConsoleMessage, type Page } from 'playwright-core';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'pie-audit.js');
export const RENDERER_INDEX = path.join(ROOT, 'out', 'renderer', 'index.html');
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const CHROMIUM =
  process.env.PIE_AUDIT_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((file) => fs.existsSync(file)) ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export type ServerProcess = ChildProcessByStdio<null, Readable, Readable>;

export interface Server {
  child: ServerProcess;
  url: string;
  origin: string;
}

/** Fails early, with the fix, when the renderer is not built or Chromium is missing. */
export function checkPrerequisites(): void {
  if (!fs.existsSync(RENDERER_INDEX)) throw new Error(`${path.relative(ROOT, RENDERER_INDEX)} is missing: run \`npm run build\` first`);
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium or set PIE_AUDIT_CHROMIUM`);
}

export function cliEnv(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, PIE_AUDIT_DB: undefined, PIE_AUDIT_DATA_DIR: path.join(dir, 'data'), PIE_AUDIT_CACHE_DIR: path.join(dir, 'cache') };
}

/** Runs the pie-audit command; rejects with its stderr when it fails. */
export function runCli(args: string[], dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cliEnv(dir), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`pie-audit ${args.join(' ')} exited with ${code}: ${stderr}`))));
  });
}

export async function startServer(db: string, dir: string): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'serve', '--db', db], { cwd: ROOT, env: cliEnv(dir), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`pie-audit serve printed no URL within 30 s; stderr: ${stderr}`)), 30_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith('http://127.0.0.1:'));
      if (line) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pie-audit serve exited with ${code} before printing its URL; stderr: ${stderr}`));
    });
  });
  return { child, url, origin: new URL(url).origin };
}

export async function stopServer(child: ServerProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** What a page logged that a test expects not to see; see watchPage. */
export interface PageWatch {
  /** console errors and warnings, and page errors, as `type: text (url)` */
  problems: string[];
  /** the CSP violations the page has seen, as `directive blocked-uri` */
  violations(): Promise<string[]>;
  /** Runs a step that provokes failed requests on purpose: console messages from a URL ending in `urlEnd` are not recorded meanwhile. */
  ignoring<T>(urlEnd: string, step: () => Promise<T>): Promise<T>;
}

/** Records console errors, page errors and CSP violations of a page. */
export async function watchPage(page: Page): Promise<PageWatch> {
  const problems: string[] = [];
  let ignoredUrlEnd: string | undefined;
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    const where = message.location().url;
    if (ignoredUrlEnd && where.endsWith(ignoredUrlEnd)) return;
    problems.push(`${message.type()}: ${message.text()} (${where})`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return {
    problems,
    violations: () => page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []),
    ignoring: async (urlEnd, step) => {
      ignoredUrlEnd = urlEnd;
      try {
        return await step();
      } finally {
        ignoredUrlEnd = undefined;
      }
    },
  };
}

/** A browser with one page in its own context, watched (watchPage). */
export interface ChromiumPage {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  watch: PageWatch;
}

export async function openChromiumPage(options: BrowserContextOptions = {}): Promise<ChromiumPage> {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    return { browser, context, page, watch: await watchPage(page) };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** q-th quantile (0..1) of numbers, nearest rank. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}
