import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../paths.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The numbered migrations in db/ (NNN_name.sql), in order, checked for gaps. */
export function loadMigrations(folder = path.join(packageRoot(), 'db')): Migration[] {
  const migrations = fs
    .readdirSync(folder)
    .map((file) => /^(\d{3})_([\w-]+)\.sql$/.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      version: Number(m[1]),
      name: m[2] ?? '',
      sql: fs.readFileSync(path.join(folder, m[0]), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`db/: migration ${i + 1} is missing (found ${m.version})`);
  });
  return migrations;
}
