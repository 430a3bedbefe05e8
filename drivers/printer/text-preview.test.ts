import { describe, expect, it } from 'vitest';
import { sampleReceipt } from '../testing/sample-receipt.ts';
import { renderReceiptText } from './text-preview.ts';

describe('receipt text preview', () => {
  it('shows the printed lines at the paper width, with the QR payload', () => {
    const text = renderReceiptText(sampleReceipt({ language: 'en', paperWidthMm: 58 }));
    const lines = text.split('\n');
    expect(lines).toContain('-'.repeat(32));
    expect(Math.max(...lines.map((l) => l.length))).toBe(32);
    expect(text).toContain('Xinghe Mart Jing An');
    expect(lines.find((l) => l.startsWith('Points earned'))).toMatch(/^Points earned +\+34 pts$/);
    expect(text).toContain('[QR 01JD3Q7Z8X9Y0A1B2C3D4E5F6G]');
  });

  it('prints a notice and leaves out points and balances the hub has not confirmed', () => {
    const { pointsEarned: _points, balancesAfter: _balances, ...pending } = sampleReceipt({ language: 'en' });
    const text = renderReceiptText({ ...pending, notice: ['PENDING'] });
    expect(text).toContain('PENDING');
    expect(text).not.toContain('Points earned');
    expect(text).not.toContain('Balances after');
    expect(renderReceiptText(sampleReceipt({ language: 'en' }))).toContain('Balances after');
  });

  it('centres Chinese lines by display width, not by string length', () => {
    const text = renderReceiptText(sampleReceipt({ language: 'zh', paperWidthMm: 80, storeProfile: { name: '谢谢' } }));
    // 48 columns, "谢谢" is 4 cells wide: 22 spaces before it, not 23.
    expect(text.split('\n')[0]).toBe(`${' '.repeat(22)}谢谢`);
  });

  it('wraps a signed receipt code to the paper width, whole, with what it is for under it', () => {
    const qr = `MKR1:${'A'.repeat(180)}`;
    const text = renderReceiptText(sampleReceipt({ language: 'zh', paperWidthMm: 58, qr }));
    const lines = text.split('\n');
    const first = lines.findIndex((l) => l.includes('[QR MKR1:'));
    const last = lines.findIndex((l) => l.trim().endsWith(']'));
    expect(lines.slice(first, last + 1).map((l) => l.trim()).join('')).toBe(`[QR ${qr}]`);
    expect(lines[last + 1]?.trim()).toBe('扫码验证小票真伪');
    // Without a signed code (a kiosk without its enrolment key) the bare id, and no claim that it verifies.
    expect(renderReceiptText(sampleReceipt({ language: 'zh', paperWidthMm: 58 }))).not.toContain('扫码验证');
  });

  it('puts a value that cannot share its line with the label under it, instead of cutting the label', () => {
    const lines = renderReceiptText(sampleReceipt({ language: 'zh', paperWidthMm: 58 })).split('\n');
    const at = lines.indexOf('交易号');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe('      01JD3Q7Z8X9Y0A1B2C3D4E5F6G');
  });
});
