import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { isCodedError } from '../../core/errors/coded-error.ts';
import { decodeMemberFile } from './decode-member-file.ts';

const CSV = '姓名,手机号,卡号,开卡门店,储值余额\r\n王芳,13900000001,C0000001,徐汇店,12.3\r\n';
const EXPECTED = [
  { rowNumber: 1, cells: ['姓名', '手机号', '卡号', '开卡门店', '储值余额'] },
  { rowNumber: 2, cells: ['王芳', '13900000001', 'C0000001', '徐汇店', '12.3'] },
];

async function refusal(bytes: Uint8Array): Promise<string | null> {
  try {
    await decodeMemberFile(bytes);
    return null;
  } catch (error) {
    return isCodedError(error) ? error.code : String(error);
  }
}

describe('reading a member file in the encodings chains save it in', () => {
  it('UTF-8 with a BOM, UTF-8 without, and UTF-16 (Excel "Unicode text") read the same', async () => {
    expect(await decodeMemberFile(Buffer.from(`\uFEFF${CSV}`, 'utf8'))).toEqual({ format: 'csv', encoding: 'utf-8-bom', rows: EXPECTED });
    expect(await decodeMemberFile(Buffer.from(CSV, 'utf8'))).toEqual({ format: 'csv', encoding: 'utf-8', rows: EXPECTED });
    expect(await decodeMemberFile(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CSV, 'utf16le')]))).toEqual({ format: 'csv', encoding: 'utf-16le', rows: EXPECTED });
  });

  it('GBK, what Excel on a Chinese Windows writes: detected (it is not valid UTF-8) and decoded', async () => {
    const gbk = iconv.encode(CSV, 'gbk');
    // The same text as UTF-8 would be other bytes: this really is a GBK file.
    expect(Buffer.compare(gbk, Buffer.from(CSV, 'utf8'))).not.toBe(0);
    expect(await decodeMemberFile(gbk)).toEqual({ format: 'csv', encoding: 'gbk', rows: EXPECTED });
  });

  it('an xlsx workbook: its first sheet, numbers and dates as text, a number past exact integers refused later', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('会员');
    sheet.addRow(['姓名', '手机号', '卡号', '生日', '储值余额', '积分']);
    sheet.addRow(['王芳', 13900000001, 8800123456789012345, new Date(Date.UTC(1990, 4, 7)), 12.3, { formula: '1000+200', result: 1200 }]);
    sheet.addRow([]);
    sheet.addRow([{ richText: [{ text: '李' }, { text: '伟' }] }, '13900000002', 'C0000002', '1991-01-02', '0.29', 5]);
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
    const decoded = await decodeMemberFile(bytes);
    expect(decoded.format).toBe('xlsx');
    expect(decoded.rows).toEqual([
      { rowNumber: 1, cells: ['姓名', '手机号', '卡号', '生日', '储值余额', '积分'] },
      { rowNumber: 2, cells: ['王芳', '13900000001', '8.800123456789012e+18', '1990-05-07', '12.3', '1200'] },
      { rowNumber: 4, cells: ['李伟', '13900000002', 'C0000002', '1991-01-02', '0.29', '5'] },
    ]);
  });

  it('refuses an empty file, an old .xls and binary data', async () => {
    expect(await refusal(new Uint8Array())).toBe('MEMBER_IMPORT_FILE_UNREADABLE');
    expect(await refusal(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).toBe('MEMBER_IMPORT_FILE_UNREADABLE');
    expect(await refusal(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0]))).toBe('MEMBER_IMPORT_FILE_UNREADABLE');
    expect(await refusal(new Uint8Array([0x41, 0x00, 0x42]))).toBe('MEMBER_IMPORT_FILE_UNREADABLE');
  });
});
