/**
 * What one seed decides before the run starts: how many sales, how fast, the network's latency, the kiosk's
 * window, and which faults strike when. Drawn from its own fork of the seed, so the run's other choices do not
 * shift it, and a failing seed's config can be read without running it.
 */
import { createPrng } from './prng.ts';

export interface SimConfig {
  seed: number;
  sales: number;
  window: number;
  stallResendMs: number;
  appendSpanMs: number;
  latencyMs: [number, number];
  hubCostPerTxMs: number;
  embeddedBroker: boolean;
  /** Beyond MQTT: packets of one connection may overtake each other. */
  reorder: boolean;
  faults: Fault[];
}

export type Fault =
  | { at: number; kind: 'kiosk-crash' | 'hub-crash' | 'broker-restart'; downMs: number }
  | { at: number; kind: 'kiosk-drop' | 'hub-drop'; clientNoticesMs: number; brokerNoticesMs: number }
  | { at: number; kind: 'hub-stall'; ms: number }
  | { at: number; kind: 'other-sender'; takeNext: boolean };

export function configFor(seed: number): SimConfig {
  const rng = createPrng(seed).fork('config');
  const sales = rng.chance(0.05) ? rng.int(60, 150) : rng.int(1, 30);
  const appendSpanMs = rng.pick([200, 2_000, 10_000, 30_000]);
  const latencyLow = rng.pick([0, 1, 5]);
  const latencyMs: [number, number] = [latencyLow, latencyLow + rng.pick([0, 3, 30, 300])];
  const embeddedBroker = rng.chance(0.5);
  const faults: Fault[] = [];
  const span = appendSpanMs + 5_000;
  const calm = rng.chance(0.1);
  const count = (max: number) => (calm ? 0 : rng.int(0, max));
  const at = () => rng.int(0, span);
  for (let i = count(2); i > 0; i--) faults.push({ at: at(), kind: 'kiosk-crash', downMs: rng.pick([100, 1_000, 5_000, 20_000]) });
  for (let i = count(2); i > 0; i--) faults.push({ at: at(), kind: 'hub-crash', downMs: rng.pick([50, 500, 3_000, 20_000]) });
  if (!embeddedBroker) for (let i = count(1); i > 0; i--) faults.push({ at: at(), kind: 'broker-restart', downMs: rng.pick([100, 2_000, 10_000]) });
  for (let i = count(3); i > 0; i--) faults.push({ at: at(), kind: 'kiosk-drop', clientNoticesMs: rng.int(0, 5_000), brokerNoticesMs: rng.int(0, 5_000) });
  for (let i = count(2); i > 0; i--) faults.push({ at: at(), kind: 'hub-drop', clientNoticesMs: rng.int(0, 5_000), brokerNoticesMs: rng.int(0, 5_000) });
  for (let i = count(2); i > 0; i--) faults.push({ at: at(), kind: 'hub-stall', ms: rng.pick([300, 3_000, 8_000]) });
  if (rng.chance(0.25)) for (let i = rng.int(1, 2); i > 0; i--) faults.push({ at: at(), kind: 'other-sender', takeNext: rng.chance(0.6) });
  faults.sort((a, b) => a.at - b.at);
  return {
    seed,
    sales,
    window: rng.pick([1, 2, 3, 5, 10, 100]),
    stallResendMs: rng.pick([500, 2_000, 5_000]),
    appendSpanMs,
    latencyMs,
    hubCostPerTxMs: rng.pick([0.05, 0.5, 5]),
    embeddedBroker,
    reorder: rng.chance(0.05),
    faults,
  };
}
