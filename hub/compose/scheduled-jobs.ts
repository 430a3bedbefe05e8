/**
 * The hub's scheduled jobs (points expiry, tier review, credit charges, annual fees, retention) and their hourly
 * timer: run by the hub alone from start(), by a worker while it leads. Apart from hub/main.ts so the composition
 * root reads as steps; stop() still decides when the timer ends and when a sweep under way is waited for.
 */
import type { Logger } from 'pino';
import { sweepRetention } from '../hq/apply-retention.ts';
import { chargeAnnualFees } from '../hq/charge-annual-fees.ts';
import { chargeCredit } from '../hq/charge-credit.ts';
import { expirePoints } from '../hq/expire-points.ts';
import { reviewTiers } from '../hq/review-tiers.ts';
import type { Ledger } from '../ledger/ledger.ts';

export interface ScheduledJobs {
  /** One sweep now, its failure thrown (the hub alone runs one before it serves anything). */
  sweep(): Promise<void>;
  /** One sweep unless one is under way, its failure logged. */
  sweepInBackground(): void;
  /** A sweep in the background every hour from now. */
  startHourly(): void;
  /** No further sweeps (one under way goes on: settled() waits for it). */
  stopHourly(): void;
  /** The sweep under way, if any, to wait for. */
  settled(): Promise<void> | null;
}

export function scheduledJobs(deps: { store: Ledger; timezone: () => Promise<string>; workerId: string | null; logger: Logger }): ScheduledJobs {
  const { store, logger: log } = deps;
  let timer: NodeJS.Timeout | null = null;
  /** The sweep under way, if any: a timer tick never starts a second one, and stop() waits for it. */
  let sweeping: Promise<void> | null = null;
  const sweep = async () => {
    const now = new Date().toISOString();
    const swept = await expirePoints(store, now);
    if (swept.points > 0) log.info(swept, 'expired points swept');
    const review = await reviewTiers(store, now);
    if (review.status === 'reviewed' || review.status === 'skipped_not_fully_tracked') log.info(review, 'tier review');
    const credit = await chargeCredit(store, now);
    if (credit.statements > 0 || credit.refused > 0) log.info(credit, 'credit late fees and interest charged');
    // 年费 in each card's issue month; a rerun finds the year charged (hub/hq/charge-annual-fees.ts).
    const fees = await chargeAnnualFees(store, now);
    if (fees.cards > 0 || fees.refused > 0) log.info(fees, 'annual fees charged');
    // PIPL retention once a day (hub/hq/apply-retention.ts): off until HQ sets it, bounded per run.
    const retention = await sweepRetention(store.retention, now, await deps.timezone());
    if (retention?.ran) log.info(retention, 'retention rules applied');
    if (deps.workerId !== null) log.info({ workerId: deps.workerId }, 'scheduled jobs run (expiry, tier review, credit, annual fees, retention)');
  };
  const sweepInBackground = () => {
    sweeping ??= sweep()
      .catch((error: unknown) => log.error({ err: error }, 'points expiry or tier review failed; trying again at the next sweep'))
      .finally(() => (sweeping = null));
  };
  return {
    sweep,
    sweepInBackground,
    startHourly() {
      // Hourly is plenty: an expired lot is already unspendable, and a closed tier period waits an hour at most.
      timer = setInterval(sweepInBackground, 3_600_000);
      timer.unref();
    },
    stopHourly() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    settled: () => sweeping,
  };
}
