import { describe, expect, it } from 'vitest';
import { sampleReceipt } from '../testing/sample-receipt.ts';
import { renderReceiptSvg } from './svg-preview.ts';

describe('receipt SVG preview', () => {
  it('draws the same lines as the printed receipt, escaped, at the paper width', () => {
    const svg = renderReceiptSvg(sampleReceipt({ memberName: 'Tom & "Jerry" <VIP>', language: 'en', paperWidthMm: 58 }));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('data-columns="32"');
    expect(svg).toContain('>Xinghe Mart Jing An</text>');
    expect(svg).toContain('Tom &amp; &quot;Jerry&quot; &lt;VIP&gt;');
    expect(svg).not.toContain('<VIP>');
    expect(svg).toContain('data-qr="01JD3Q7Z8X9Y0A1B2C3D4E5F6G"');
    expect(svg).toMatch(/<g class="qr"[^>]*><path d="(M\d+ \d+h6v6h-6z){100,}"/);
    expect(svg).toMatch(/<g data-line="Points earned +\+34 pts" font-weight="bold">/);
    expect(svg).toContain('>Xinghe Mart Jing An</text>');
  });

  it('renders Chinese text and is wider on 80 mm paper', () => {
    const narrow = renderReceiptSvg(sampleReceipt({ paperWidthMm: 58 }));
    const wide = renderReceiptSvg(sampleReceipt({ paperWidthMm: 80 }));
    expect(wide).toContain('>星河便利 静安店</text>');
    const width = (svg: string) => Number(/width="(\d+)"/.exec(svg)![1]);
    expect(width(wide)).toBeGreaterThan(width(narrow));
  });
});
