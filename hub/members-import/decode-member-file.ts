/**
 * A member file's bytes to rows (core/members-import/sheet-table.ts): an xlsx workbook's first sheet (exceljs), or
 * CSV text in whichever encoding the chain's Excel saved it — UTF-8 with or without a BOM, UTF-16 ("Unicode text"),
 * or GBK/GB18030, what Excel on a Chinese Windows writes by default. Bytes that are valid UTF-8 are read as UTF-8
 * (GBK text is almost never valid UTF-8, while the reverse is common); anything else as GB18030, GBK's superset.
 */
// Types only: exceljs itself (0.4 s to load) is loaded when a workbook is first read, not with every hub start.
import type ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { CodedError } from '../../core/errors/coded-error.ts';
import { parseCsv } from '../../core/members-import/csv-table.ts';
import type { SheetRow } from '../../core/members-import/sheet-table.ts';
import type { MemberFileEncoding, MemberFileFormat } from './member-import-preview.ts';


export interface DecodedMemberFile {
  format: MemberFileFormat;
  encoding: MemberFileEncoding;
  rows: SheetRow[];
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
/** The old binary .xls (OLE2): exceljs does not read it; the person is told to save as xlsx or CSV. */
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

export async function decodeMemberFile(bytes: Uint8Array): Promise<DecodedMemberFile> {
  if (bytes.length === 0) throw new CodedError('MEMBER_IMPORT_FILE_UNREADABLE', 'the file is empty');
  if (startsWith(bytes, ZIP)) return { format: 'xlsx', encoding: 'xlsx', rows: await readXlsx(bytes) };
  if (startsWith(bytes, OLE2)) throw new CodedError('MEMBER_IMPORT_FILE_UNREADABLE', 'this is an old Excel .xls file: save it as .xlsx or CSV and upload that');
  const { text, encoding } = decodeText(bytes);
  if (text.includes('\u0000')) throw new CodedError('MEMBER_IMPORT_FILE_UNREADABLE', 'the file is neither CSV text nor an xlsx workbook');
  return { format: 'csv', encoding, rows: parseCsv(text) };
}

export function decodeText(bytes: Uint8Array): { text: string; encoding: MemberFileEncoding } {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8-bom' };
  if (startsWith(bytes, [0xff, 0xfe])) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'gb18030'), encoding: 'gbk' };
  }
}

async function readXlsx(bytes: Uint8Array): Promise<SheetRow[]> {
  const { default: excel } = await import('exceljs');
  const workbook = new excel.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer);
  } catch {
    throw new CodedError('MEMBER_IMPORT_FILE_UNREADABLE', 'the xlsx workbook cannot be read');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new CodedError('MEMBER_IMPORT_FILE_UNREADABLE', 'the workbook has no sheet');
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let i = 1; i <= row.cellCount; i++) cells.push(cellText(row.getCell(i).value));
    rows.push({ rowNumber, cells });
  });
  return rows;
}

/** A cell as text: a date as YYYY-MM-DD, a number as written unless it is past exact integers (then refused later). */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    // A 19-digit card number typed into Excel is already rounded: its exponent form is refused, never stored wrong.
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) return value.toExponential();
    return String(value);
  }
  // exceljs gives a date cell as the UTC midnight of its day.
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('formula' in value || 'sharedFormula' in value) return cellText((value as { result?: ExcelJS.CellValue }).result ?? null);
  if ('text' in value) return typeof value.text === 'string' ? value.text : cellText(value.text);
  return '';
}
