import { describe, expect, it } from 'vitest';
import { parseCsvText } from '../../src-main/core/import/csv-text.js';

describe('parseCsvText', () => {
  it('gives each record with the line it ends on: LF and CRLF, quoted line breaks, a BOM and empty lines', () => {
    const text = '\ufeffa,b\n1,2\n\n"x\ny",3\n4,"five"\n';
    const expected = [
      { fields: ['a', 'b'], line: 1 },
      { fields: ['1', '2'], line: 2 },
      { fields: ['x\ny', '3'], line: 5 },
      { fields: ['4', 'five'], line: 6 },
    ];
    expect(parseCsvText(text)).toEqual(expected);
    const crlf = parseCsvText(text.replace(/\n/g, '\r\n'));
    expect(crlf.map((r) => r.line)).toEqual([1, 2, 5, 6]);
    expect(crlf[2]?.fields).toEqual(['x\r\ny', '3']);
    expect(parseCsvText('a,b\n1,2').map((r) => r.line)).toEqual([1, 2]);
  });

  it('refuses a record with more or fewer fields than the header, and malformed quotes, naming the line', () => {
    expect(() => parseCsvText('a,b,c\n1,2,3\n"x\ny",2\n4,5,6\n')).toThrow('line 4: 2 fields where the header has 3');
    expect(() => parseCsvText('a,b\n1,2,3\n')).toThrow('line 2: 3 fields where the header has 2');
    expect(() => parseCsvText('a,b,c\n"1"x,2,3\n')).toThrow(/^line 2: malformed CSV \(Trailing quote on quoted field is malformed\)$/);
  });
});
