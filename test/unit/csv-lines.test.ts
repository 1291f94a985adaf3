import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lineOfRecord } from '../../src-main/core/import/csv-lines.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pie-csv-lines-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('lineOfRecord', () => {
  it('finds the line a record ends on, in LF and CRLF files with quoted line breaks and empty lines', async () => {
    const text = '\ufeffa,b\n1,2\n\n"x\ny",3\n4,"five"\n';
    for (const [name, body] of [['lf.csv', text], ['crlf.csv', text.replace(/\n/g, '\r\n')]] as const) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, body);
      expect(await Promise.all([1, 2, 3, 4].map((r) => lineOfRecord(file, r)))).toEqual([1, 2, 5, 6]);
    }
  });

  it('finds it past the read buffer, and falls back on the record number for a file that is gone', async () => {
    const file = path.join(dir, 'big.csv');
    const rows = ['i,note'];
    for (let i = 0; i < 60_000; i++) rows.push(i === 50_000 ? `${i},"two\nlines"` : `${i},${'x'.repeat(20)}`);
    fs.writeFileSync(file, `${rows.join('\n')}\n`);
    expect(fs.statSync(file).size).toBeGreaterThan(1 << 20);
    // record 1 is the header; record 50,002 is row 50,000, whose note spans two lines
    expect(await lineOfRecord(file, 50_001)).toBe(50_001);
    expect(await lineOfRecord(file, 50_002)).toBe(50_003);
    expect(await lineOfRecord(file, 50_003)).toBe(50_004);
    expect(await lineOfRecord(path.join(dir, 'missing.csv'), 7)).toBe(7);
  });
});
