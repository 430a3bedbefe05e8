import { describe, expect, it } from 'vitest';
import { BROKER_RETRY_BACKOFF, brokerRetryDelayMs } from './broker-retry-delay.ts';

describe('brokerRetryDelayMs', () => {
  it('doubles from 0.5 s to the 30 s cap, the top of each range when the dice say 1', () => {
    const waits = Array.from({ length: 10 }, (_, i) => brokerRetryDelayMs(i + 1, BROKER_RETRY_BACKOFF, () => 1));
    expect(waits).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000]);
    expect(brokerRetryDelayMs(10_000, BROKER_RETRY_BACKOFF, () => 1)).toBe(30_000);
  });

  it('never waits less than half the ceiling, so retries spread without bunching at zero', () => {
    expect(brokerRetryDelayMs(1, BROKER_RETRY_BACKOFF, () => 0)).toBe(250);
    expect(brokerRetryDelayMs(3, { initialMs: 100, maxMs: 1_000 }, () => 0.5)).toBe(300);
    expect(brokerRetryDelayMs(50, { initialMs: 100, maxMs: 1_000 }, () => 0)).toBe(500);
  });
});
