import { describe, expect, it } from 'vitest';
import { maskUid } from './mask-uid.ts';

describe('maskUid', () => {
  it('keeps only the first and last byte', () => {
    expect(maskUid('04A1B2C3D4')).toBe('04…D4');
    expect(maskUid('04:a1:b2:c3')).toBe('04…C3');
    expect(maskUid('04A1')).toBe('****');
  });
});
