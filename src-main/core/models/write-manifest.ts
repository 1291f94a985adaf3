/**
 * The app's "write a manifest" form: model files and input settings become a manifest
 * file, checked by the same schema and rules as `models import` before it is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { manifestFieldProblems, parseManifest } from './manifest.js';

/** The manifest written, or every reason it was not: one line per bad field, each naming the file and the field. */
export type WrittenManifest = { written: true; path: string; text: string } | { written: false; problems: string[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Writes `manifest` (the manifest's JSON, model files given by absolute path) to `out`.
 * Model files inside out's folder are written relative to it, so the folder can move
 * as a whole. Every bad field is one line naming it; nothing is written then, and an
 * existing file is never replaced.
 */
export function writeManifest(out: string, manifest: unknown): WrittenManifest {
  const refused = (problem: string): WrittenManifest => ({ written: false, problems: [`${out}: ${problem}`] });
  if (!path.isAbsolute(out) || !out.toLowerCase().endsWith('.json')) return refused('the manifest needs an absolute path ending in .json');
  const folder = path.dirname(out);
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) return refused(`folder ${folder} does not exist`);
  if (fs.existsSync(out)) return refused('already exists; choose another file name (a manifest is never replaced)');
  const problems = manifestFieldProblems(manifest);
  const models = isRecord(manifest) && Array.isArray(manifest.models) ? manifest.models : [];
  models.forEach((m: unknown, i) => {
    const file = isRecord(m) ? m.file : undefined;
    if (typeof file !== 'string' || file === '') return;
    if (!path.isAbsolute(file)) problems.push(`models[${i}].file: '${file}' is not an absolute path on this machine`);
    else if (!fs.existsSync(file)) problems.push(`models[${i}].file: ${file}: no such file`);
  });
  if (problems.length > 0) return { written: false, problems: problems.map((p) => `${out}: ${p}`) };
  const record = manifest as Record<string, unknown> & { models: Record<string, unknown>[] };
  const relative = {
    ...record,
    models: record.models.map((m) => {
      const file = String(m.file);
      const inside = path.relative(folder, file);
      return { ...m, file: inside.startsWith('..') || path.isAbsolute(inside) ? file : inside.split(path.sep).join('/') };
    }),
  };
  try {
    parseManifest(relative, out); // the cross-field rules (one dense model, unique variant and seed...)
  } catch (error) {
    if (error instanceof UserError) return { written: false, problems: [error.message] };
    throw error;
  }
  const text = `${JSON.stringify(relative, null, 2)}\n`;
  const temporary = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text, { flag: 'wx' });
  try {
    // a link, not a rename: it fails if a file appeared at `out` meanwhile, so none is ever replaced
    fs.linkSync(temporary, out);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return refused('already exists; choose another file name (a manifest is never replaced)');
    throw error;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
  return { written: true, path: out, text };
}
