import { describe, expect, it } from 'vitest';
import { brokerRestartPoints, pickVictim } from './chaos.ts';
import { seededRandom } from './random.ts';

describe('the chaos schedule', () => {
  it('kills only processes that are up, least-killed first, so each reaches the target', () => {
    const random = seededRandom(7);
    const kills: Record<string, number> = { hub: 0, kiosk: 0 };
    for (let i = 0; i < 44; i += 1) {
      const victim = pickVictim([{ name: 'hub', kills: kills.hub!, up: true }, { name: 'kiosk', kills: kills.kiosk!, up: true }], random);
      kills[victim!.name]! += 1;
      expect(Math.abs(kills.hub! - kills.kiosk!)).toBeLessThanOrEqual(2);
    }
    expect(pickVictim([{ name: 'hub', kills: 0, up: false }, { name: 'kiosk', kills: 5, up: true }], random)?.name).toBe('kiosk');
    expect(pickVictim([{ name: 'hub', kills: 0, up: false }], random)).toBeNull();
  });

  it('spreads the broker restarts through the run', () => {
    expect(brokerRestartPoints(44, 2)).toEqual([14, 29]);
    expect(brokerRestartPoints(2, 3)).toEqual([1, 1, 1]);
    expect(brokerRestartPoints(44, 0)).toEqual([]);
  });
});
