/**
 * The parts of the member view the rules decide (issue 13): the next points expiry and the progress to the next
 * tier, both computed by core from what the ledger holds (the member's lots; their tier figures), with the rules
 * the caller names — for a kiosk, the rules the hub applies to that kiosk's transactions. The figures travel too,
 * so a kiosk can recompute the progress from a cached view with its own rules (core/rules/tier-progress.ts).
 */
import type { Database, Statement } from 'better-sqlite3';
import { nextPointsExpiry } from '../../../core/ledger/next-points-expiry.ts';
import type { MemberState } from '../../../core/ledger/types.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import { tierPeriodAt } from '../../../core/rules/tier-period.ts';
import { tierProgress, type TierFigures } from '../../../core/rules/tier-progress.ts';
import type { MemberView } from '../../../core/wire/lookup.ts';
import type { RowReaders } from './row-readers.ts';

type PeriodFiguresStatement = Statement<[string, string], { points_earned: number; spend_cents: number }>;

/** Prepared once per database connection. */
const periodStatements = new WeakMap<Database, PeriodFiguresStatement>();

function periodFigures(db: Database): PeriodFiguresStatement {
  let statement = periodStatements.get(db);
  if (!statement) {
    statement = db.prepare('SELECT points_earned, spend_cents FROM member_period_figures WHERE member_id = ? AND period_key = ?');
    periodStatements.set(db, statement);
  }
  return statement;
}

/** The member's tier figures at `now`: lifetime totals, and the review period under way where the rules review tiers. */
export function tierFiguresOf(db: Database, member: MemberState, bundle: RulesBundle, now: string): TierFigures {
  const period = tierPeriodAt(bundle, now);
  const row = period ? periodFigures(db).get(member.memberId, period.key) : undefined;
  return {
    pointsEarned: member.cumulativePointsEarned,
    spendCents: member.cumulativeSpendCents,
    visits: member.visits ?? 0,
    period: period ? { key: period.key, pointsEarned: row?.points_earned ?? 0, spendCents: row?.spend_cents ?? 0 } : null,
  };
}

export function memberRulesView(
  db: Database,
  readers: Pick<RowReaders, 'lots'>,
  member: MemberState,
  bundle: RulesBundle,
  now: string,
): Pick<MemberView, 'pointsExpiry' | 'tierProgress' | 'tierFigures'> {
  const tierFigures = tierFiguresOf(db, member, bundle, now);
  return {
    pointsExpiry: nextPointsExpiry(bundle, readers.lots(member.memberId), now),
    tierProgress: tierProgress(bundle, { tier: member.tier, figures: tierFigures }, now),
    tierFigures,
  };
}
