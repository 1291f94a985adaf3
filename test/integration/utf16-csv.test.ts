/**
 * A CSV (or label file) saved as UTF-16, with or without a byte-order mark, given to
 * any of the CLI's CSV imports: refused in one line that names the file and says it is
 * UTF-16 (not "missing columns"), exit 1, the database byte-identical. The same file in
 * UTF-8 with a byte-order mark is read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeUnicodeEncoding } from '../../src-main/core/import/text-encoding.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { dbSnapshot, tempDir } from '../helpers/data.js';

const POPULATION = path.join(ROOT, 'test', 'fixtures', 'analysis', 'population.csv');
const GOOD_IMAGES = path.join(ROOT, 'test', 'fixtures', 'bad', 'idx', 'good-images.gz');
const GOOD_LABELS = path.join(ROOT, 'test', 'fixtures', 'bad', 'idx', 'good-labels.gz');

const ENCODINGS: [string, (text: string) => Buffer, RegExp][] = [
  ['UTF-16LE with BOM', (t) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')]), /the file is UTF-16 \(little-endian, with a byte-order mark\); save it as UTF-8/],
  ['UTF-16BE with BOM', (t) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(t, 'utf16le').swap16()]), /the file is UTF-16 \(big-endian, with a byte-order mark\); save it as UTF-8/],
  ['UTF-16LE without BOM', (t) => Buffer.from(t, 'utf16le'), /the file is UTF-16 \(little-endian, without a byte-order mark\); save it as UTF-8/],
];

describe('UTF-16 files given to a CSV import', () => {
  const dir = tempDir();
  const db = path.join(dir, 'utf16.db');
  /** [import, file contents as UTF-8, the command for a file] */
  let imports: [string, string, (file: string) => string[]][] = [];

  beforeAll(async () => {
    expect((await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'good', '--images', GOOD_IMAGES, '--labels', GOOD_LABELS])).code).toBe(0);
    expect((await runCli(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'synthetic', POPULATION])).code).toBe(0);
    expect((await runCli(['--db', db, 'study', 'create', '--name', 's', '--pies', '5', '--controls', '5', '--seed', '7'])).code).toBe(0);
    const labelsFile = path.join(dir, 'exported-labels.csv');
    // A real label file: the study's own export format, one row per item after labeling none.
    const exported = await runCli(['--db', db, 'export', 'labels', '--format', 'csv', '--out', labelsFile]);
    expect(exported.code, exported.stderr).toBe(0);
    imports = [
      ['import predictions --format long-csv', fs.readFileSync(POPULATION, 'utf8'), (f) => ['import', 'predictions', '--format', 'long-csv', '--dataset', 'again', f]],
      ['import predictions --format reference-csv', ',predictions,true_class,predicted_probability,exp,pruning_method,fraction_pruned\n0,1,1,0.9,1,baseline,0.0\n', (f) => ['import', 'predictions', '--format', 'reference-csv', '--dataset', 'ref', f]],
      ['datasets attributes', 'image_index,lighting\n0,dark\n1,bright\n', (f) => ['datasets', 'attributes', '--dataset', 'good', f]],
      ['study import-labels', fs.readFileSync(labelsFile, 'utf8'), (f) => ['study', 'import-labels', f]],
    ];
  });

  for (const [encoding, encode, reason] of ENCODINGS) {
    it(`each import refuses ${encoding}, naming the file, and changes nothing`, async () => {
      for (const [name, text, command] of imports) {
        const file = path.join(dir, `${name.replace(/\W+/g, '-')}-${encoding.replace(/\W+/g, '-')}.csv`);
        fs.writeFileSync(file, encode(text));
        const before = dbSnapshot(db);
        const result = await runCli(['--db', db, ...command(file)]);
        expect(result.code, `${name}: ${result.stderr}`).toBe(1);
        const lines = result.stderr.trim().split('\n');
        expect(lines, name).toHaveLength(1);
        expect(lines[0], name).toMatch(/^pie-audit: /);
        expect(lines[0], name).toContain(`${file}: `);
        expect(lines[0], name).toMatch(reason);
        expect(dbSnapshot(db), name).toBe(before);
      }
    });
  }

  it('reads the same attribute file in UTF-8 with a byte-order mark', async () => {
    const file = path.join(dir, 'attributes-utf8-bom.csv');
    fs.writeFileSync(file, `\uFEFFimage_index,lighting\n0,dark\n1,bright\n`);
    const result = await runCli(['--db', db, 'datasets', 'attributes', '--dataset', 'good', file]);
    expect(result.code, result.stderr).toBe(0);
  });

  it('names each encoding from the first bytes, and leaves UTF-8 alone', () => {
    expect(describeUnicodeEncoding(Buffer.from([0xff, 0xfe, 0x61, 0x00]))).toMatch(/^UTF-16 \(little-endian, with/);
    expect(describeUnicodeEncoding(Buffer.from([0xff, 0xfe, 0x00, 0x00]))).toMatch(/^UTF-32 \(little-endian/);
    expect(describeUnicodeEncoding(Buffer.from([0x00, 0x00, 0xfe, 0xff]))).toMatch(/^UTF-32 \(big-endian/);
    expect(describeUnicodeEncoding(Buffer.from('\uFEFFmodel_id', 'utf8'))).toBeUndefined();
    expect(describeUnicodeEncoding(Buffer.from('model_id', 'utf8'))).toBeUndefined();
    expect(describeUnicodeEncoding(Buffer.from('a'))).toBeUndefined();
  });
});
