import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineRefusal, ROOT, runCli } from '../helpers/cli.js';
import { dbSnapshot, tempDir } from '../helpers/data.js';

const BAD = path.join(ROOT, 'test', 'fixtures', 'bad');
const bad = (name: string): string => path.join(BAD, name);
/** Every file of the corpus, relative to it (the script that makes it aside). */
function corpusFiles(dir = BAD): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return corpusFiles(full);
    return entry.name === 'make-corpus.ts' ? [] : [path.relative(BAD, full)];
  });
}
const GOOD_IMAGES = bad('idx/good-images.gz');
const GOOD_LABELS = bad('idx/good-labels.gz');

/** [what, arguments after --db, the one-line reason expected] */
const CASES: [string, string[], RegExp][] = [
  ['IDX with a wrong magic number', ['datasets', 'add', 'idx', '--name', 'x', '--images', bad('idx/wrong-magic.gz'), '--labels', GOOD_LABELS], /wrong-magic\.gz: wrong magic number/],
  ['truncated gzip', ['datasets', 'add', 'idx', '--name', 'x', '--images', bad('idx/truncated.gz'), '--labels', GOOD_LABELS], /truncated\.gz: truncated gzip data/],
  ['gzip with a bad CRC', ['datasets', 'add', 'idx', '--name', 'x', '--images', bad('idx/bad-crc.gz'), '--labels', GOOD_LABELS], /bad-crc\.gz: corrupt gzip data/],
  ['IDX declaring 10^9 images', ['datasets', 'add', 'idx', '--name', 'x', '--images', bad('idx/huge-declared.idx'), '--labels', GOOD_LABELS], /huge-declared\.idx: truncated: header declares 1000000000 x 28 x 28/],
  ['label count differing from images', ['datasets', 'add', 'idx', '--name', 'x', '--images', GOOD_IMAGES, '--labels', bad('idx/count-mismatch-labels.gz')], /count-mismatch-labels\.gz: 19 labels for 20 images/],
  ['label out of range', ['datasets', 'add', 'idx', '--name', 'x', '--images', GOOD_IMAGES, '--labels', bad('idx/label-out-of-range.gz'), '--classes', 'a,b,c'], /label-out-of-range\.gz: label 3 of item 3 is out of range/],
  ['a .gz that is not gzip', ['datasets', 'add', 'idx', '--name', 'x', '--images', bad('idx/not-gzip.gz'), '--labels', GOOD_LABELS], /not-gzip\.gz: not gzip data/],
  ['an empty file', ['datasets', 'add', 'idx', '--name', 'x', '--images', bad('idx/empty.gz'), '--labels', GOOD_LABELS], /empty\.gz: (too short|not gzip)/],
  ['an IDX of zero images', ['datasets', 'add', 'idx', '--name', 'x', '--images', bad('idx/zero-images.idx'), '--labels', bad('idx/zero-images.idx')], /zero-images\.idx: (expected a label file|holds no images)/],
  ['IDX of floats', ['datasets', 'add', 'idx', '--name', 'x', '--images', bad('idx/float-type.idx'), '--labels', GOOD_LABELS], /float-type\.idx: IDX data type 0xd is not supported/],
  ['IDX with trailing bytes', ['datasets', 'add', 'idx', '--name', 'x', '--images', bad('idx/trailing-bytes.idx'), '--labels', GOOD_LABELS], /trailing-bytes\.idx: has trailing bytes/],
  ['labels with two dimensions', ['datasets', 'add', 'idx', '--name', 'x', '--images', GOOD_IMAGES, '--labels', bad('idx/labels-2d.gz')], /labels-2d\.gz: expected a label file \(1 dimension\), found 2/],
  ['truncated CIFAR-10 batch', ['datasets', 'add', 'cifar10', '--from', bad('cifar-truncated')], /data_batch_2\.bin: 4000 bytes is not a whole number of 3073-byte CIFAR-10 records/],
  ['CIFAR-10 label out of range', ['datasets', 'add', 'cifar10', '--from', bad('cifar-label')], /test_batch\.bin: label 200 of record 0 is out of range/],
  ['missing CIFAR-10 batch', ['datasets', 'add', 'cifar10', '--from', bad('cifar-missing')], /data_batch_4\.bin: missing CIFAR-10 batch/],
  ['empty image folder', ['datasets', 'add', 'folder', '--name', 'x', '--from', bad('folder-empty')], /folder-empty: no class sub-folders/],
  ['class folders without images', ['datasets', 'add', 'folder', '--name', 'x', '--from', bad('folder-no-images')], /folder-no-images\/cat: class folder holds no PNG or JPEG images/],
  ['corrupt PNG', ['datasets', 'add', 'folder', '--name', 'x', '--from', bad('folder-corrupt-png')], /broken\.png: unreadable image/],
  ['text named .jpg', ['datasets', 'add', 'folder', '--name', 'x', '--from', bad('folder-text-as-jpeg')], /photo\.jpg: unreadable image/],
  ['long-csv missing columns', ['import', 'predictions', '--format', 'long-csv', '--dataset', 'p', bad('long/missing-columns.csv')], /missing-columns\.csv: line 1: not a long-csv file: missing columns target_sparsity, seed, true_label, predicted_probability/],
  ['long-csv NaN label', ['import', 'predictions', '--format', 'long-csv', '--dataset', 'p', bad('long/nan-label.csv')], /nan-label\.csv: line 5: predicted_label 'NaN' is not a non-negative integer/],
  ['long-csv negative label', ['import', 'predictions', '--format', 'long-csv', '--dataset', 'p', bad('long/negative-label.csv')], /negative-label\.csv: line 6: true_label '-1' is not a non-negative integer/],
  ['long-csv duplicate row', ['import', 'predictions', '--format', 'long-csv', '--dataset', 'p', bad('long/duplicate-row.csv')], /duplicate-row\.csv: line 26: model 'a' has image_index 2 twice/],
  ['long-csv conflicting true labels', ['import', 'predictions', '--format', 'long-csv', '--dataset', 'p', bad('long/conflicting-true-label.csv')], /conflicting-true-label\.csv: line 10: true label 0 of image_index 2 contradicts/],
  ['empty long-csv', ['import', 'predictions', '--format', 'long-csv', '--dataset', 'p', bad('long/empty.csv')], /empty\.csv: line 1: empty file/],
  ['long-csv with a header only', ['import', 'predictions', '--format', 'long-csv', '--dataset', 'p', bad('long/header-only.csv')], /header-only\.csv: line 2: no rows after the header/],
  ['long-csv model missing an image', ['import', 'predictions', '--format', 'long-csv', '--dataset', 'p', bad('long/model-missing-image.csv')], /model-missing-image\.csv: line \d+: .*no row for image_index 1/],
  ['long-csv probability above 1', ['import', 'predictions', '--format', 'long-csv', '--dataset', 'p', bad('long/probability-out-of-range.csv')], /probability-out-of-range\.csv: line 7: predicted_probability '1\.7' is not a probability/],
  ['long-csv in UTF-16BE', ['import', 'predictions', '--format', 'long-csv', '--dataset', 'p', bad('long/utf16be.csv')], /utf16be\.csv: the file is UTF-16 \(big-endian, without a byte-order mark\); save it as UTF-8/],
  ['long-csv without dense models', ['import', 'predictions', '--format', 'long-csv', '--dataset', 'p', bad('long/no-dense.csv')], /no-dense\.csv: no dense models \(variant 'dense'\)/],
  ['reference-csv without predictions', ['import', 'predictions', '--format', 'reference-csv', '--dataset', 'p', bad('reference/missing-predictions.csv')], /missing-predictions\.csv: line 1: not a reference-csv file: missing column predictions/],
  ['reference-csv with two fractions', ['import', 'predictions', '--format', 'reference-csv', '--dataset', 'p', bad('reference/two-fractions.csv')], /two-fractions\.csv: line 3: fraction_pruned '0\.5' here but '0\.0' on the first row/],
  ['long file passed as reference-csv', ['import', 'predictions', '--format', 'reference-csv', '--dataset', 'p', bad('reference/long-format-file.csv')], /long-format-file\.csv: line 1: not a reference-csv file \(its header is that of long-csv\)/],
  ['unknown import format', ['import', 'predictions', '--format', 'parquet', '--dataset', 'p', bad('long/no-dense.csv')], /unknown --format 'parquet': choose reference-csv or long-csv/],
];

const LABEL_CASES: [string, string, RegExp][] = [
  ['label with an unknown category', 'labels/unknown-category.csv', /unknown-category\.csv:2: unknown category 'telepathic'/],
  ['label with the wrong true label', 'labels/wrong-true-label.csv', /wrong-true-label\.csv:2: true_label \d+ of image \d+ differs/],
  ['label of an image not in the study', 'labels/image-not-in-study.csv', /image-not-in-study\.csv:2: image 100000 is not in study 1/],
  ['label with a bad time', 'labels/bad-time.csv', /bad-time\.csv:2: labeled_at 'yesterday' is not an ISO 8601 time/],
  ['label file that is not JSON', 'labels/not-json.json', /not-json\.json: not a label file/],
  ['two labels for one image', 'labels/duplicate.csv', /two labels by ann for image \d+ in this import/],
  ["'none' with other categories", 'labels/none-with-others.csv', /'none' cannot be combined with other categories/],
  ['label file missing columns', 'labels/missing-columns.csv', /missing-columns\.csv: missing columns study_id/],
];

describe('the bad-input corpus: each file refused with its reason, the database unchanged', () => {
  const dir = tempDir();
  const db = path.join(dir, 'corpus.db');
  let study = { image: 0, trueLabel: 0, fingerprint: '' };

  beforeAll(async () => {
    expect((await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'good', '--images', GOOD_IMAGES, '--labels', GOOD_LABELS])).code).toBe(0);
    expect((await runCli(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'synthetic', path.join(ROOT, 'test', 'fixtures', 'analysis', 'population.csv')])).code).toBe(0);
    expect((await runCli(['--db', db, 'study', 'create', '--name', 's', '--pies', '5', '--controls', '5', '--seed', '7'])).code).toBe(0);
    const handle = new Database(db, { readonly: true });
    const item = handle.prepare('SELECT si.image_index, ei.true_label FROM study_items si JOIN experiment_images ei ON ei.image_index = si.image_index WHERE si.position = 0').get() as { image_index: number; true_label: number };
    const design = JSON.parse(handle.prepare('SELECT design FROM studies').pluck().get() as string) as { fingerprint: string };
    handle.close();
    study = { image: item.image_index, trueLabel: item.true_label, fingerprint: design.fingerprint };
  });

  it.each(CASES)('%s', async (_what, args, reason) => {
    const before = dbSnapshot(db);
    expectOneLineRefusal(await runCli(['--db', db, ...args]), reason);
    expect(dbSnapshot(db)).toBe(before);
  });

  it.each(LABEL_CASES)('%s', async (_what, name, reason) => {
    const file = path.join(dir, path.basename(name));
    const text = fs
      .readFileSync(bad(name), 'utf8')
      .replaceAll('FINGERPRINT', study.fingerprint)
      .replaceAll('IMAGE', String(study.image))
      .replaceAll('WRONG', String(study.trueLabel + 1))
      .replaceAll('TRUE', String(study.trueLabel));
    fs.writeFileSync(file, text);
    const before = dbSnapshot(db);
    const result = await runCli(['--db', db, 'study', 'import-labels', file]);
    expect(result.code, result.stdout).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^pie-audit: /);
    expect(lines[0]).toMatch(reason);
    expect(dbSnapshot(db)).toBe(before);
  });

  it('has a case for every file of the corpus', () => {
    // A bad file added to test/fixtures/bad without a case here would never be checked.
    const used = new Set(JSON.stringify([...CASES.map((c) => c[1]), ...LABEL_CASES.map((c) => c[1])]).match(/test\/fixtures\/bad\/[^"]+|labels\/[^"]+/g)?.map((f) => f.replace(/^test\/fixtures\/bad\//, '')));
    const unused = corpusFiles().filter((file) => ![...used].some((u) => file === u || file.startsWith(`${u}/`)));
    expect(unused).toEqual([]);
  });
});

describe('formula-looking cells', () => {
  it('are stored as plain text and escaped in CSV exports (but not in JSON)', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'formula.db');
    const file = path.join(dir, 'formula.csv');
    const rows = ['model_id,variant,target_sparsity,seed,image_index,true_label,predicted_label,predicted_probability,true_label_probability'];
    for (const [m, variant, sparsity, seed] of [['a', 'dense', 0, 1], ['b', 'dense', 0, 2], ['c', '=cmd()', 0.5, 1], ['d', '=cmd()', 0.5, 2]] as const) {
      for (let i = 0; i < 4; i++) rows.push(`${m},${variant},${sparsity},${seed},${i},${i % 2},${(i + (m === 'c' ? 1 : 0)) % 2},0.8,0.8`);
    }
    fs.writeFileSync(file, rows.join('\n'));
    const imported = await runCli(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', '+sum', file]);
    expect(imported.code, imported.stderr).toBe(0);
    const csv = path.join(dir, 'models.csv');
    expect((await runCli(['--db', db, 'export', 'models', '--format', 'csv', '--out', csv])).code).toBe(0);
    const text = fs.readFileSync(csv, 'utf8');
    expect(text).toContain(",'=cmd(),");
    expect(text).not.toMatch(/,=cmd\(\),/);
    expect(text).toMatch(/,-?0\.\d+|,0,/); // numbers are not escaped
    const json = path.join(dir, 'models.json');
    expect((await runCli(['--db', db, 'export', 'models', '--format', 'json', '--out', json])).code).toBe(0);
    expect((JSON.parse(fs.readFileSync(json, 'utf8')) as { variant: string }[]).some((m) => m.variant === '=cmd()')).toBe(true);
  });
});
