import { describe, expect, it } from 'vitest';
import { testLogger } from '../testing/test-logger.ts';
import { collectEvents } from '../testing/wait-for-event.ts';
import { SimulatedCardReader } from './simulated-reader.ts';
import type { CardRemoved, CardTap } from './types.ts';

describe('SimulatedCardReader', () => {
  it('normalizes, debounces a held card, reports removal and rejects bad UIDs', async () => {
    const reader = new SimulatedCardReader({ logger: testLogger() });
    const taps = collectEvents<CardTap>(reader, 'card');
    const removals = collectEvents<CardRemoved>(reader, 'card.removed');
    expect(reader.tap('04a1b2c3')).toBe(false); // not started
    await reader.start();
    expect(reader.tap('04:a1:b2:c3', 'M1')).toBe(true);
    expect(reader.tap('04A1B2C3')).toBe(false); // still held
    reader.remove();
    expect(reader.tap('not a uid')).toBe(false);
    expect(taps.items).toEqual([{ uid: '04A1B2C3', readerName: 'simulated', at: expect.any(Number), memberNumber: 'M1' }]);
    expect(removals.items).toEqual([{ uid: '04A1B2C3', readerName: 'simulated' }]);
    expect(reader.health()).toMatchObject({ connected: true, framesRejected: 1 });
    await reader.stop();
    await reader.stop();
    expect(reader.health().connected).toBe(false);
  });
});
