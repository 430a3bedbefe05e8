import { describe, expect, it } from 'vitest';
import { csvSeparator, parseCsv } from './csv-table.ts';

describe('CSV text to spreadsheet rows', () => {
  it('reads quoted fields, doubled quotes and line breaks inside quotes, numbering rows by the line they start on', () => {
    const rows = parseCsv('姓名,地址\r\n"王, 芳","上海""徐汇""\n漕溪北路"\r\n李伟,\n');
    expect(rows).toEqual([
      { rowNumber: 1, cells: ['姓名', '地址'] },
      { rowNumber: 2, cells: ['王, 芳', '上海"徐汇"\n漕溪北路'] },
      { rowNumber: 4, cells: ['李伟', ''] },
    ]);
  });

  it('takes the separator the header holds most of (Excel in some locales writes ; or tabs)', () => {
    expect(csvSeparator('a;b;c\n1,5;2;3')).toBe(';');
    expect(csvSeparator('a\tb\n')).toBe('\t');
    expect(parseCsv('a;b\n1,5;2')).toEqual([{ rowNumber: 1, cells: ['a', 'b'] }, { rowNumber: 2, cells: ['1,5', '2'] }]);
  });

  it('keeps a last line without a line break, and a lone CR as a line break', () => {
    expect(parseCsv('a\rb')).toEqual([{ rowNumber: 1, cells: ['a'] }, { rowNumber: 2, cells: ['b'] }]);
  });
});
