import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDecimal } from '../../src-main/core/import/values.js';
import { Random } from '../../src-main/core/random.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { dbSnapshot, tempDir, writeIdxPair } from '../helpers/data.js';
import {
  LONG_COLUMNS,
  REFERENCE_COLUMNS,
  csvText,
  expectedTop1,
  longRows,
  predictedLabel,
  probability,
  referenceRows,
  trueLabels,
  writeCsv,
  type LongModel,
  type Row,
} from '../fixtures/import/predictions.js';

const MODELS: LongModel[] = [
  { id: 'd1', variant: 'dense', sparsity: 0, seed: 1 },
  { id: 'd2', variant: 'dense', sparsity: 0, seed: 2 },
  { id: 'd3', variant: 'dense', sparsity: 0, seed: 3 },
  { id: 'p1', variant: 'magnitude-0.5', sparsity: 0.5, seed: 1 },
  { id: 'p2', variant: 'magnitude-0.5', sparsity: 0.5, seed: 2 },
  { id: 'p3', variant: 'magnitude-0.5', sparsity: 0.5, seed: 3 },
  { id: 'q1', variant: 'int8', sparsity: 0, seed: 1 },
  { id: 'q2', variant: 'int8', sparsity: 0, seed: 2 },
];
const IMAGES = 12;
const LABELS = trueLabels(IMAGES);
/** In a file of longRows(MODELS, LABELS), the line of model k's row for image i. */
const lineOf = (k: number, image: number): number => 2 + k * IMAGES + image;

function query<T>(db: string, sql: string, ...params: unknown[]): T[] {
  const handle = new Database(db, { readonly: true });
  try {
    return handle.prepare(sql).all(...params) as T[];
  } finally {
    handle.close();
  }
}

/** Refused: exit code 1, one line naming the problem, the database byte-for-byte as it was. */
async function expectRefused(db: string, args: string[], message: RegExp): Promise<void> {
  const before = dbSnapshot(db);
  const result = await runCli(['--db', db, ...args]);
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^pie-audit: /);
  expect(lines[0]).toMatch(message);
  expect(dbSnapshot(db)).toBe(before);
}

const importArgs = (format: string, dataset: string, ...files: string[]): string[] => ['import', 'predictions', '--format', format, '--dataset', dataset, ...files];

interface ModelRow {
  id: number;
  variant: string;
  method: string;
  target_sparsity: number;
  measured_sparsity: number | null;
  seed: number;
  top1: number;
  status: string;
  backend: string | null;
  source: string;
}

describe('probability cells', () => {
  it('are read to the same double as Number() reads them', () => {
    const cases = ['0', '1', '0.5', '.5', '5.', '.', '0.000123', '0.30000000000000004', '123456789012345', '1234567890123456', '1e-3', '-0.5', 'NaN', '1.2.3'];
    // around the 16-character cut where long cells skip the digit scan
    cases.push('0.12345678901234', '0.123456789012345', '0.9946941137313843', '1234567890123456.', '               1', '                 1', '0.1234567890123e-5');
    const random = new Random(20261202); // seeded, so a failing cell can be replayed
    for (let i = 0; i < 100_000; i++) {
      cases.push(String(Math.fround(random.next())), random.next().toFixed(1 + (i % 12)), String(random.next() * 10 ** (i % 20)));
    }
    for (const text of cases) expect(Object.is(parseDecimal(text), Number(text)), text).toBe(true);
  });
});

describe('pie-audit import predictions --format long-csv', () => {
  const dir = tempDir();
  const db = path.join(dir, 'long.db');

  it('imports models split over two files, in any row and column order', async () => {
    const rows = longRows(MODELS, LABELS);
    // model p2 (rows 48..59) straddles the two files; the second file is in reverse
    // row order, with its columns reordered and an extra column.
    const first = writeCsv(path.join(dir, 'part1.csv'), LONG_COLUMNS, rows.slice(0, 54));
    const shuffled = ['note', ...[...LONG_COLUMNS].reverse()];
    const second = writeCsv(path.join(dir, 'part2.csv'), shuffled, rows.slice(54).reverse().map((r) => ({ ...r, note: 'ignored' })));
    const result = await runCli(['--db', db, ...importArgs('long-csv', 'elsewhere', first, second)]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('imported 8 models (3 variants), 12 images, 96 predictions into experiment 1');
    expect(result.stderr).toMatch(/no dataset named 'elsewhere': importing labels only/);

    const [experiment] = query<{ name: string; dataset_id: number | null; origin: string; config: string }>(db, 'SELECT * FROM experiments');
    expect(experiment).toMatchObject({ name: 'elsewhere', dataset_id: null, origin: 'imported' });
    expect(JSON.parse(experiment?.config ?? '{}')).toMatchObject({ format: 'long-csv', files: [first, second] });

    // Models are numbered in the order they first appear: part2 is read backwards.
    const models = query<ModelRow>(db, 'SELECT * FROM models ORDER BY id');
    expect(models.map((m) => m.source)).toEqual(['1 d1', '1 d2', '1 d3', '1 p1', '1 p2', '2 q2', '2 q1', '2 p3'].map((s) => `part${s[0]}.csv model_id=${s.slice(2)}`));
    const byId = (id: string): ModelRow => models.find((m) => m.source.endsWith(`model_id=${id}`)) as ModelRow;
    MODELS.forEach((expected, k) => {
      const m = byId(expected.id);
      const method = expected.variant === 'dense' ? 'dense' : expected.variant === 'int8' ? 'int8' : 'magnitude';
      expect(m).toMatchObject({ variant: expected.variant, method, target_sparsity: expected.sparsity, seed: expected.seed, status: 'done', backend: null, measured_sparsity: null });
      expect(m.top1).toBeCloseTo(expectedTop1(k, LABELS), 12);
    });

    const images = query<{ image_index: number; true_label: number; image_id: number | null }>(db, 'SELECT * FROM experiment_images ORDER BY image_index');
    expect(images).toEqual(LABELS.map((label, i) => ({ experiment_id: 1, image_index: i, true_label: label, image_id: null })));

    const counts = query<{ n: number; known: number }>(db, 'SELECT count(*) AS n, count(true_label_probability) AS known FROM predictions')[0];
    expect(counts).toEqual({ n: 96, known: 96 - 8 * 2 });
    const k = 4; // p2, whose rows came from both files
    const stored = query<{ image_index: number; predicted_label: number; predicted_probability: number }>(
      db,
      'SELECT image_index, predicted_label, predicted_probability FROM predictions WHERE model_id = ? ORDER BY image_index',
      byId('p2').id,
    );
    expect(stored).toEqual(LABELS.map((label, i) => ({ image_index: i, predicted_label: predictedLabel(k, i, label), predicted_probability: probability(k, i) })));
  });

  it('stores a formula-like cell as plain text', async () => {
    const models: LongModel[] = [
      { id: '@SUM(1+1)', variant: 'dense', sparsity: 0, seed: 1 },
      { id: 'x', variant: '=cmd()', sparsity: 0.9, seed: 1 },
    ];
    const file = writeCsv(path.join(dir, 'formula.csv'), LONG_COLUMNS, longRows(models, LABELS));
    const result = await runCli(['--db', db, ...importArgs('long-csv', 'formula', file)]);
    expect(result.code, result.stderr).toBe(0);
    const stored = query<{ variant: string; method: string; source: string }>(db, 'SELECT variant, method, source FROM models WHERE experiment_id = 2 ORDER BY id');
    expect(stored).toEqual([
      { variant: 'dense', method: 'dense', source: 'formula.csv model_id=@SUM(1+1)' },
      { variant: '=cmd()', method: 'magnitude', source: 'formula.csv model_id=x' },
    ]);
  });
});

describe('pie-audit import predictions --format reference-csv', () => {
  const dir = tempDir();
  const db = path.join(dir, 'reference.db');

  it('imports one model per checkpoint file, variants from fraction_pruned, seeds from exp', async () => {
    const checkpoints: [number, string][] = [
      [0, '1'],
      [0, '2'],
      [0.5, '2'],
      [0.5, '1'],
      [0.9, '=cmd()'],
      [0.9, 'run-b'],
    ];
    const files = checkpoints.map(([fraction, exp], k) =>
      writeCsv(path.join(dir, `predictions_dataframe_${k}.csv`), REFERENCE_COLUMNS, referenceRows(k, fraction, exp, LABELS)),
    );
    const result = await runCli(['--db', db, ...importArgs('reference-csv', 'imagenet', ...files)]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('imported 6 models (3 variants), 12 images, 72 predictions into experiment 1');

    const models = query<ModelRow>(db, 'SELECT * FROM models ORDER BY id');
    expect(models.map((m) => [m.variant, m.method, m.target_sparsity, m.seed])).toEqual([
      ['dense', 'dense', 0, 1],
      ['dense', 'dense', 0, 2],
      ['magnitude-0.5', 'magnitude', 0.5, 2],
      ['magnitude-0.5', 'magnitude', 0.5, 1],
      // exp is not an integer: the position among the files of the variant
      ['magnitude-0.9', 'magnitude', 0.9, 1],
      ['magnitude-0.9', 'magnitude', 0.9, 2],
    ]);
    expect(models[4]?.source).toBe('predictions_dataframe_4.csv exp==cmd()');
    models.forEach((m, k) => expect(m.top1).toBeCloseTo(expectedTop1(k, LABELS), 12));

    // The true label's probability is known only where the prediction is right.
    const predictions = query<{ model_id: number; image_index: number; predicted_label: number; predicted_probability: number; true_label_probability: number | null }>(
      db,
      'SELECT * FROM predictions ORDER BY model_id, image_index',
    );
    expect(predictions).toHaveLength(72);
    for (const p of predictions) {
      const right = p.predicted_label === LABELS[p.image_index];
      expect(p.true_label_probability).toBe(right ? p.predicted_probability : null);
    }
    expect(predictions.some((p) => p.true_label_probability === null)).toBe(true);
  });

  it('reads files written by pandas.DataFrame.to_csv', async () => {
    const fixtures = path.join(ROOT, 'test', 'fixtures', 'import', 'pandas');
    const files = ['checkpoint_0.csv', 'checkpoint_1.csv', 'checkpoint_2.csv'].map((f) => path.join(fixtures, f));
    const pandasDb = path.join(dir, 'pandas.db');
    const result = await runCli(['--db', pandasDb, ...importArgs('reference-csv', 'imagenet', ...files)]);
    expect(result.code, result.stderr).toBe(0);
    const models = query<ModelRow>(pandasDb, 'SELECT * FROM models ORDER BY id');
    expect(models.map((m) => [m.variant, m.seed, m.top1])).toEqual([
      ['dense', 1, 1 / 8],
      ['dense', 2, 4 / 8],
      ['magnitude-0.9', 1, 5 / 8],
    ]);
    const [first] = query<{ predicted_probability: number; true_label_probability: number | null }>(pandasDb, 'SELECT * FROM predictions WHERE model_id = ? AND image_index = 0', models[0]?.id);
    // float32 written as its shortest repr is kept as written, not widened from float32
    expect(first).toMatchObject({ predicted_probability: 0.2943796, true_label_probability: null });
    // Classes that only a prediction names (no test image) have no recall and no class-impact row.
    const report = await runCli(['--db', pandasDb, 'report', '--json']);
    expect(report.code, report.stderr).toBe(0);
    const classes = query<{ class: number }>(pandasDb, "SELECT DISTINCT class FROM analysis_classes ORDER BY class").map((r) => r.class);
    const imaged = query<{ true_label: number }>(pandasDb, 'SELECT DISTINCT true_label FROM experiment_images ORDER BY true_label').map((r) => r.true_label);
    expect(classes).toEqual(imaged);
  });
});

describe('pie-audit import predictions --dataset', () => {
  const dir = tempDir();
  const db = path.join(dir, 'linked.db');

  beforeAll(async () => {
    // 12 test images of 3 classes: label i % 3, as trueLabels(12) gives.
    const pair = writeIdxPair(dir, 'digits', IMAGES, { classes: 3 });
    const add = await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'digits', '--images', pair.images, '--labels', pair.labels]);
    expect(add.code, add.stderr).toBe(0);
  });

  it("links the experiment and its images to the dataset's test split", async () => {
    const file = writeCsv(path.join(dir, 'good.csv'), LONG_COLUMNS, longRows(MODELS, LABELS));
    const result = await runCli(['--db', db, ...importArgs('long-csv', 'digits', file)]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const [experiment] = query<{ id: number; name: string; dataset_id: number }>(db, 'SELECT * FROM experiments');
    const [dataset] = query<{ id: number }>(db, "SELECT id FROM datasets WHERE name = 'digits'");
    expect(experiment?.dataset_id).toBe(dataset?.id);
    expect(experiment?.name).toMatch(/^digits imported /);
    const linked = query<{ image_index: number; true_label: number; idx: number; label: number; split: string }>(
      db,
      'SELECT ei.image_index, ei.true_label, i.idx, i.label, i.split FROM experiment_images ei JOIN images i ON i.id = ei.image_id ORDER BY ei.image_index',
    );
    expect(linked).toEqual(LABELS.map((label, i) => ({ image_index: i, true_label: label, idx: i, label, split: 'test' })));
  });

  it('refuses a true label that differs from the dataset', async () => {
    const rows = longRows(MODELS, LABELS).map((r) => (r.image_index === 5 ? { ...r, true_label: 0 } : r));
    const file = writeCsv(path.join(dir, 'mismatch.csv'), LONG_COLUMNS, rows);
    await expectRefused(db, importArgs('long-csv', 'digits', file), /mismatch\.csv: line 7: true label 0 of image_index 5 differs from dataset 'digits', whose test image 5 has label 2/);
  });

  it('refuses a predicted label that is not a class of the dataset', async () => {
    const rows = longRows(MODELS, LABELS).map((r) => (r.model_id === 'p3' && r.image_index === 2 ? { ...r, predicted_label: 7 } : r));
    const file = writeCsv(path.join(dir, 'unknown-class.csv'), LONG_COLUMNS, rows);
    await expectRefused(db, importArgs('long-csv', 'digits', file), new RegExp(`unknown-class\\.csv: line ${lineOf(5, 2)}: predicted label 7 of image_index 2 is not a class of dataset 'digits' \\(3 classes\\)`));
  });

  it('refuses an image index beyond the test split', async () => {
    const labels = trueLabels(IMAGES + 3);
    const file = writeCsv(path.join(dir, 'beyond.csv'), LONG_COLUMNS, longRows(MODELS, labels));
    await expectRefused(db, importArgs('long-csv', 'digits', file), /beyond\.csv: line 14: image_index 12 is beyond the test split of dataset 'digits' \(12 images, idx 0\.\.11\)/);
  });
});

describe('pie-audit import predictions refuses bad input, changing nothing', () => {
  const dir = tempDir();
  const db = path.join(dir, 'refusals.db');
  const good = (): Row[] => longRows(MODELS, LABELS);
  const file = (name: string, rows: Row[], columns = LONG_COLUMNS): string => writeCsv(path.join(dir, name), columns, rows);
  const long = (...files: string[]): string[] => importArgs('long-csv', 'digits', ...files);
  /** The rows with one cell of model k, image i replaced. */
  const withCell = (k: number, image: number, column: string, value: string): Row[] =>
    good().map((r, j) => (j === k * IMAGES + image ? { ...r, [column]: value } : r));

  beforeAll(async () => {
    const pair = writeIdxPair(dir, 'digits', IMAGES, { classes: 3 });
    expect((await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'digits', '--images', pair.images, '--labels', pair.labels])).code).toBe(0);
    expect((await runCli(['--db', db, ...long(file('first.csv', good()))])).code).toBe(0);
  });

  it('refuses an unknown format and a missing file', async () => {
    await expectRefused(db, importArgs('parquet', 'digits', file('any.csv', good())), /unknown --format 'parquet': choose reference-csv or long-csv/);
    await expectRefused(db, long(path.join(dir, 'nope.csv')), /nope\.csv: cannot read \(no such file\)/);
  });

  it('refuses missing required columns', async () => {
    const columns = LONG_COLUMNS.filter((c) => c !== 'predicted_label' && c !== 'seed');
    await expectRefused(db, long(file('columns.csv', good(), columns)), /columns\.csv: line 1: not a long-csv file: missing columns seed, predicted_label \(expected model_id, variant, /);
  });

  it('refuses a file of the other format, saying what was expected', async () => {
    const longFile = file('long-as-reference.csv', good());
    await expectRefused(
      db,
      importArgs('reference-csv', 'digits', longFile),
      /long-as-reference\.csv: line 1: not a reference-csv file \(its header is that of long-csv\); reference-csv expects columns \(unnamed index column\), predictions, true_class, predicted_probability, fraction_pruned/,
    );
    const referenceFile = writeCsv(path.join(dir, 'reference-as-long.csv'), REFERENCE_COLUMNS, referenceRows(0, 0, '1', LABELS));
    await expectRefused(db, long(referenceFile), /reference-as-long\.csv: line 1: not a long-csv file \(its header is that of reference-csv\); long-csv expects columns model_id, variant/);
  });

  it('refuses non-numeric, negative and non-integer labels and indices', async () => {
    await expectRefused(db, long(file('text-label.csv', withCell(1, 3, 'true_label', 'abc'))), new RegExp(`text-label\\.csv: line ${lineOf(1, 3)}: true_label 'abc' is not a non-negative integer`));
    await expectRefused(db, long(file('negative-label.csv', withCell(2, 0, 'predicted_label', '-1'))), new RegExp(`line ${lineOf(2, 0)}: predicted_label '-1' is not a non-negative integer`));
    await expectRefused(db, long(file('fraction-label.csv', withCell(0, 11, 'true_label', '2.5'))), new RegExp(`line ${lineOf(0, 11)}: true_label '2\\.5' is not a non-negative integer`));
    await expectRefused(db, long(file('negative-index.csv', withCell(7, 4, 'image_index', '-3'))), new RegExp(`line ${lineOf(7, 4)}: image_index '-3' is not a non-negative integer`));
  });

  it('refuses NaN probabilities and probabilities outside [0, 1]', async () => {
    await expectRefused(db, long(file('nan.csv', withCell(3, 2, 'predicted_probability', 'NaN'))), new RegExp(`nan\\.csv: line ${lineOf(3, 2)}: predicted_probability 'NaN' is not a probability`));
    await expectRefused(db, long(file('above-one.csv', withCell(3, 3, 'true_label_probability', '1.5'))), new RegExp(`line ${lineOf(3, 3)}: true_label_probability '1\\.5' is not a probability`));
    await expectRefused(db, long(file('blank.csv', withCell(0, 1, 'predicted_probability', ''))), new RegExp(`line ${lineOf(0, 1)}: predicted_probability '' is not a probability`));
  });

  it('refuses a duplicate (model, image) row', async () => {
    const rows = good();
    rows.push({ ...(rows[3] as Row) });
    await expectRefused(db, long(file('duplicate.csv', rows)), new RegExp(`duplicate\\.csv: line ${lineOf(MODELS.length, 0)}: model 'd1' has image_index 3 twice \\(also line ${lineOf(0, 3)}\\)`));
  });

  it('refuses a model that lacks images the others have, and indices that do not start at 0', async () => {
    const lastMissing = good().filter((r) => !(r.model_id === 'p2' && r.image_index === 11));
    await expectRefused(db, long(file('missing-last.csv', lastMissing)), new RegExp(`missing-last\\.csv: line ${lineOf(4, 0)}: model 'p2' has no row for image_index 11, which model 'd1' has \\(line ${lineOf(0, 11)}\\)`));
    const middleMissing = good().filter((r) => !(r.model_id === 'p2' && r.image_index === 7));
    await expectRefused(db, long(file('missing-middle.csv', middleMissing)), /missing-middle\.csv: line \d+: image_index 11 but model 'p2' has 11 rows, so it has no row for image_index 7/);
    const shifted = good().map((r) => ({ ...r, image_index: Number(r.image_index) + 1 }));
    await expectRefused(db, long(file('from-one.csv', shifted)), new RegExp(`from-one\\.csv: line ${lineOf(0, 11)}: image_index 12 but model 'd1' has 12 rows, so it has no row for image_index 0`));
  });

  it('refuses conflicting true labels, within a file and across files', async () => {
    await expectRefused(db, long(file('conflict.csv', withCell(5, 6, 'true_label', '2'))), new RegExp(`conflict\\.csv: line ${lineOf(5, 6)}: true label 2 of image_index 6 contradicts true label 0 \\(line ${lineOf(0, 6)}\\)`));
    const dense = writeCsv(path.join(dir, 'ref-dense.csv'), REFERENCE_COLUMNS, referenceRows(0, 0, '1', LABELS));
    const other = referenceRows(1, 0.5, '1', LABELS).map((r) => (r[''] === 9 ? { ...r, true_class: 1 } : r));
    const pruned = writeCsv(path.join(dir, 'ref-pruned.csv'), REFERENCE_COLUMNS, other);
    await expectRefused(db, importArgs('reference-csv', 'digits', dense, pruned), /ref-pruned\.csv: line 11: true label 1 of image_index 9 contradicts true label 0 \(.*ref-dense\.csv line 11\)/);
  });

  it('refuses an empty file and a header without rows', async () => {
    const empty = path.join(dir, 'empty.csv');
    fs.writeFileSync(empty, '');
    await expectRefused(db, long(empty), /empty\.csv: line 1: empty file \(no header, no rows\)/);
    const headerOnly = path.join(dir, 'header-only.csv');
    fs.writeFileSync(headerOnly, `${LONG_COLUMNS.join(',')}\n`);
    await expectRefused(db, long(headerOnly), /header-only\.csv: line 2: no rows after the header/);
  });

  it('refuses a population without dense models', async () => {
    const rows = longRows(MODELS.filter((m) => m.variant !== 'dense'), LABELS);
    await expectRefused(db, long(file('no-dense.csv', rows)), /no-dense\.csv: no dense models \(variant 'dense'\)/);
  });

  it('refuses two models with the same variant and seed, and a model whose rows disagree', async () => {
    const twins = good().map((r) => (r.model_id === 'd2' ? { ...r, seed: 1 } : r));
    await expectRefused(db, long(file('twins.csv', twins)), new RegExp(`twins\\.csv: line ${lineOf(1, 0)}: model 'd2' has variant 'dense' and seed 1, like model 'd1' \\(line 2\\)`));
    await expectRefused(db, long(file('seed-changes.csv', withCell(0, 6, 'seed', '9'))), new RegExp(`line ${lineOf(0, 6)}: model 'd1' has seed '9' here but '1' on its first row \\(line 2\\)`));
    await expectRefused(db, long(file('dense-pruned.csv', good().map((r) => (r.model_id === 'd3' ? { ...r, target_sparsity: 0.5 } : r)))), /variant 'dense' must have target_sparsity 0/);
    await expectRefused(db, long(file('sparsity-one.csv', good().map((r) => (r.model_id === 'p1' ? { ...r, target_sparsity: 1 } : r)))), /target_sparsity '1' is not a number in \[0, 1\)/);
  });

  it('refuses a reference file holding two checkpoints', async () => {
    const rows = referenceRows(0, 0.5, '1', LABELS).map((r) => (r[''] === 4 ? { ...r, fraction_pruned: 0.9 } : r));
    const mixed = writeCsv(path.join(dir, 'mixed.csv'), REFERENCE_COLUMNS, rows);
    await expectRefused(db, importArgs('reference-csv', 'digits', mixed), /mixed\.csv: line 6: fraction_pruned '0\.9' here but '0\.5' on the first row \(line 2\); a file must hold one checkpoint/);
  });

  it('refuses malformed CSV, counting lines of quoted cells that span lines', async () => {
    const ragged = csvText(LONG_COLUMNS, good()).split('\n');
    ragged[3] = (ragged[3] ?? '').split(',').slice(0, 8).join(',');
    fs.writeFileSync(path.join(dir, 'ragged.csv'), ragged.join('\n'));
    await expectRefused(db, long(path.join(dir, 'ragged.csv')), /ragged\.csv: line 4: 8 fields where the header has 9/);
    const columns = [...LONG_COLUMNS, 'note'];
    const rows: Row[] = good().map((r, j) => ({ ...r, note: j === 0 ? '"two\nlines"' : 'x' }));
    rows[2] = { ...(rows[2] as Row), image_index: 'two' };
    await expectRefused(db, long(file('multiline.csv', rows, columns)), /multiline\.csv: line 5: image_index 'two' is not a non-negative integer/);
  });
});
