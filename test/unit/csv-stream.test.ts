import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsv } from '../../src-main/core/import/csv-stream.js';
import { explainProblem, RowProblem } from '../../src-main/core/import/problems.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pie-csv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

async function records(file: string): Promise<string[][]> {
  const rows: string[][] = [];
  await readCsv(file, (fields) => rows.push([...fields]));
  return rows;
}

/** The one-line message a user sees for a file readCsv refuses. */
async function refusal(file: string): Promise<string> {
  try {
    await readCsv(file, () => undefined);
  } catch (error) {
    return error instanceof RowProblem ? (await explainProblem(error)).message : String(error);
  }
  throw new Error(`${file} was accepted`);
}

describe('readCsv', () => {
  it('reads LF and CRLF files, quoted commas, doubled quotes and quoted line breaks; drops a BOM and empty lines', async () => {
    const expected = [
      ['a', 'b', 'c'],
      ['1,x', '2', '3'],
      ['q"z', 'two\nlines', '6'],
      ['7', '8', '9'],
    ];
    const text = 'a,b,c\n"1,x",2,3\n\n"q""z","two\nlines",6\n7,8,9';
    expect(await records(write('lf.csv', `\ufeff${text}\n`))).toEqual(expected);
    expect(await records(write('crlf.csv', text.replace(/\n(?!lines)/g, '\r\n').replace('two\nlines', 'two\r\nlines')))).toEqual(
      expected.map((row) => row.map((cell) => cell.replace('\n', '\r\n'))),
    );
  });

  it('streams a file larger than its read buffer, record by record', async () => {
    const lines = ['i,v'];
    for (let i = 0; i < 200_000; i++) lines.push(`${i},${(i / 7).toFixed(6)}`);
    const file = write('big.csv', `${lines.join('\n')}\n`);
    expect(fs.statSync(file).size).toBeGreaterThan(2 << 20);
    let count = 0;
    let last: string[] = [];
    const total = await readCsv(file, (fields, record) => {
      count++;
      expect(record).toBe(count);
      last = fields;
    });
    expect(total).toBe(200_001);
    expect(last).toEqual(['199999', (199_999 / 7).toFixed(6)]);
  });

  it('refuses a record with fewer or more fields than the header, naming its line', async () => {
    expect(await refusal(write('short.csv', 'a,b,c\n1,2,3\n"x\ny",2\n4,5,6\n'))).toBe(`${dir}/short.csv: line 4: 2 fields where the header has 3`);
    expect(await refusal(write('long.csv', 'a,b,c\n1,2,3,4\n'))).toBe(`${dir}/long.csv: line 2: 4 fields where the header has 3`);
  });

  it('refuses unterminated and malformed quotes', async () => {
    expect(await refusal(write('open.csv', 'a,b,c\n1,2,3\n"4,5,6\n7,8,9\n'))).toMatch(/open\.csv: line \d+: malformed CSV \(Quoted field unterminated\)/);
    expect(await refusal(write('trailing.csv', 'a,b,c\n"1"x,2,3\n'))).toMatch(/trailing\.csv: line 2: malformed CSV \(Trailing quote on quoted field is malformed\)/);
  });

  it('stops at the first error its handler throws', async () => {
    let seen = 0;
    await expect(
      readCsv(write('stop.csv', 'a\n1\n2\n3\n'), (_fields, record) => {
        seen = record;
        if (record === 3) throw new Error('bad row 3');
      }),
    ).rejects.toThrow('bad row 3');
    expect(seen).toBe(3);
  });

  it('says so when the file cannot be read', async () => {
    await expect(readCsv(path.join(dir, 'missing.csv'), () => undefined)).rejects.toThrow(/missing\.csv: cannot read \(no such file\)/);
    await expect(readCsv(dir, () => undefined)).rejects.toThrow(/cannot read \(is a folder\)/);
  });
});
