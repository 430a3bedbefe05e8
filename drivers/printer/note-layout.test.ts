import { describe, expect, it } from 'vitest';
import { sampleReceipt } from '../testing/sample-receipt.ts';
import { layoutReceipt } from './receipt-layout.ts';
import { renderReceiptText } from './text-preview.ts';

/** A receipt turned into a note: what a kiosk flow prints (a coupon). The transaction's fields are still there, unused. */
const note = (overrides: Parameters<typeof sampleReceipt>[0] = {}) => sampleReceipt({ paperWidthMm: 58, qr: 'TV10-8F3K', note: { title: '感谢您的第 10 次光临', lines: ['赠送咖啡一杯', '', '券号 TV10-8F3K'] }, ...overrides });

describe('a printed note (a flow’s coupon or notice)', () => {
  it('prints the store, the title and the lines as written, the QR code, the kiosk and the time', () => {
    const lines = renderReceiptText(note()).split('\n');
    expect(lines.slice(0, 4).map((l) => l.trim())).toEqual(['星河便利 静安店', '上海市静安区南京西路1号', '电话 021-6288 0000', '-'.repeat(32)]);
    const title = lines.findIndex((l) => l.includes('感谢您的第 10 次光临'));
    expect(lines.slice(title + 1, title + 5)).toEqual(['-'.repeat(32), '赠送咖啡一杯', '', '券号 TV10-8F3K']);
    expect(lines.map((l) => l.trim())).toContain('[QR TV10-8F3K]');
    expect(lines.some((l) => /^设备 +KIOSK-0042$/.test(l))).toBe(true);
    expect(lines.some((l) => /^时间 +2026-11-22 19:04:32$/.test(l))).toBe(true);
  });

  it('says nothing of a transaction: no card, member, money, points, receipt header or footer, nor the receipt-verification hint', () => {
    const text = renderReceiptText(note());
    for (const receiptOnly of ['交易号', '01JD3Q7Z8X9Y0A1B2C3D4E5F6G', '卡号', '******5678', '王小明', '有机牛奶', '合计', '本次积分', '交易后余额', '欢迎光临', '谢谢惠顾', '扫码验证小票真伪']) {
      expect(text, receiptOnly).not.toContain(receiptOnly);
    }
    // The same receipt without a note is the full receipt.
    expect(renderReceiptText(sampleReceipt({ qr: 'TV10-8F3K' }))).toContain('扫码验证小票真伪');
  });

  it('has the title bold and tall, no QR code when none is asked, and ends with a feed and a cut', () => {
    const { qr: _qr, ...withoutQr } = note({ language: 'en', note: { title: 'Thank you', lines: ['A free coffee'] } });
    const layout = layoutReceipt(withoutQr);
    expect(layout.blocks).toContainEqual({ kind: 'text', text: 'Thank you', align: 'center', bold: true, tall: true });
    expect(layout.blocks.some((b) => b.kind === 'qr')).toBe(false);
    expect(layout.blocks.slice(-2)).toEqual([{ kind: 'feed', lines: 3 }, { kind: 'cut' }]);
    // Long lines wrap at the paper's width, in display cells.
    const wrapped = layoutReceipt(note({ paperWidthMm: 58, note: { lines: ['满'.repeat(20)] } })).blocks.filter((b) => b.kind === 'text' && b.text.startsWith('满'));
    expect(wrapped.map((b) => (b.kind === 'text' ? b.text : ''))).toEqual(['满'.repeat(16), '满'.repeat(4)]);
  });
});
