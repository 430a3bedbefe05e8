/**
 * The streamed exports honour back-pressure: a client that reads nothing gets only about a high-water mark's
 * worth of rows produced, and the rows come through complete once it reads. A client that goes away ends the row
 * iterator (its finally runs: the export's database connection closes).
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { exportStream, type ExportColumn } from './report-export.ts';

const ROWS = 100_000;
const columns: ExportColumn<number>[] = [
  { header: 'n', value: (n) => n },
  { header: 'text', value: (n) => `第${n}行 row ${n} with some padding to make the file larger` },
  { header: 'yuan', value: (n) => n / 100 },
];

function counted(total: number) {
  const state = { produced: 0, closed: false };
  function* rows() {
    try {
      for (let n = 1; n <= total; n++) {
        state.produced = n;
        yield n;
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, rows: rows() };
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('streamed report exports', () => {
  for (const format of ['xlsx', 'csv'] as const) {
    it(`${format}: an unread stream stops the producer; read, it holds every row`, async () => {
      const { state, rows } = counted(ROWS);
      const stream = exportStream(format, 'rows', columns, rows);
      await settle(300);
      expect(state.produced).toBeGreaterThan(0);
      expect(state.produced).toBeLessThan(ROWS / 2);
      const bytes = await readAll(stream);
      expect(state.produced).toBe(ROWS);
      expect(state.closed).toBe(true);
      if (format === 'csv') {
        const lines = bytes.toString('utf8').trim().split('\r\n');
        expect(lines.length).toBe(ROWS + 1);
        expect(lines[ROWS]).toBe(`${ROWS},第${ROWS}行 row ${ROWS} with some padding to make the file larger,${ROWS / 100}`);
      } else {
        const book = new ExcelJS.Workbook();
        await book.xlsx.load(bytes as unknown as ArrayBuffer);
        const sheet = book.worksheets[0]!;
        expect(sheet.rowCount).toBe(ROWS + 1);
        expect(sheet.getRow(ROWS + 1).values).toEqual([undefined, ROWS, `第${ROWS}行 row ${ROWS} with some padding to make the file larger`, ROWS / 100]);
      }
    }, 60_000);
  }

  it('a client that goes away ends the rows', async () => {
    const { state, rows } = counted(ROWS);
    const stream = exportStream('xlsx', 'rows', columns, rows);
    stream.once('data', () => stream.destroy());
    stream.resume();
    await settle(300);
    expect(state.closed).toBe(true);
    expect(state.produced).toBeLessThan(ROWS);
  });
});
