import { describe, expect, it } from 'vitest';
import { testLogger } from '../testing/test-logger.ts';
import { collectEvents } from '../testing/wait-for-event.ts';
import { SimulatedCardReader } from './simulated-reader.ts';
import type { CardTap } from './types.ts';

// normalization, one tap per presentation, held card, removal, start/stop, health: card-reader-contract.test.ts
describe('SimulatedCardReader', () => {
  it('says which taps it took, carries a member number, and rejects bad UIDs as rejected frames', async () => {
    const reader = new SimulatedCardReader({ logger: testLogger() });
    const taps = collectEvents<CardTap>(reader, 'card');
    expect(reader.tap('04a1b2c3')).toBe(false); // not started
    await reader.start();
    expect(reader.tap('04:a1:b2:c3', 'M1')).toBe(true);
    expect(reader.tap('04A1B2C3')).toBe(false); // still held
    reader.remove();
    expect(reader.tap('not a uid')).toBe(false);
    expect(taps.items).toEqual([{ uid: '04A1B2C3', readerName: 'simulated', at: expect.any(Number), memberNumber: 'M1' }]);
    expect(reader.health()).toMatchObject({ connected: true, framesRejected: 1, lastError: { code: 'DRIVER_FRAME_REJECTED' } });
  });
});
