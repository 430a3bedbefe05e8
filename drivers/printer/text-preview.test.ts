import { describe, expect, it } from 'vitest';
import { sampleReceipt } from '../testing/sample-receipt.ts';
import { renderReceiptText } from './text-preview.ts';

describe('receipt text preview', () => {
  it('shows the printed lines at the paper width, with the QR payload', () => {
    const text = renderReceiptText(sampleReceipt({ language: 'en', paperWidthMm: 58 }));
    const lines = text.split('\n');
    expect(lines).toContain('-'.repeat(32));
    expect(Math.max(...lines.map((l) => l.length))).toBe(32);
    expect(text).toContain('Welcome to Xinghe Mart');
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
    const text = renderReceiptText(sampleReceipt({ language: 'zh', paperWidthMm: 80, header: ['谢谢'] }));
    // 48 columns, "谢谢" is 4 cells wide: 22 spaces before it, not 23.
    expect(text.split('\n')[0]).toBe(`${' '.repeat(22)}谢谢`);
  });
});
