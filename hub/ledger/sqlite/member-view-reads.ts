/**
 * The member views the SQLite ledger answers for a card (a kiosk's look-up) or a member (the console): which card
 * stands for the member, which rules the view is drawn with — the kiosk's newest signed snapshot's, else the hub's
 * newest — and the credit line (赊账) added where the rules offer credit or something is owed.
 */
import type { Database as DatabaseHandle } from 'better-sqlite3';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import type { MemberView } from '../../../core/wire/lookup.ts';
import { memberCreditSummary } from '../../credit/member-credit.ts';
import type { CreditStore } from '../credit-store.ts';
import { buildMemberView } from './member-view.ts';
import type { RowReaders } from './row-readers.ts';
import type { SqliteRulesBundles } from './sqlite-rules-bundles.ts';

export interface MemberViewReads {
  db: DatabaseHandle;
  reader: RowReaders;
  rules: SqliteRulesBundles;
  /** Absent while the ledger is closed: views are then drawn without a credit line. */
  credit: CreditStore | undefined;
  snapshotRules: ((deviceId: string, snapshotVersion: number | 'newest') => number | null) | undefined;
}

export async function memberViewByCard(reads: MemberViewReads, cardUid: string, historyLimit: number, forDevice: string | undefined): Promise<MemberView | null> {
  const card = reads.reader.card(cardUid);
  return withCredit(reads, card ? buildMemberView(reads.db, reads.reader, card, historyLimit, rulesForDevice(reads, forDevice)) : null);
}

/** The member's active card stands for them, else their newest. */
export async function memberViewById(reads: MemberViewReads, memberId: string, historyLimit: number): Promise<MemberView | null> {
  const cards = reads.reader.cardsOfMember(memberId);
  const card = cards.find((c) => c.status === 'active') ?? cards.at(-1);
  return withCredit(reads, card ? buildMemberView(reads.db, reads.reader, card, historyLimit, rulesForDevice(reads, undefined)) : null);
}

/**
 * The rules the ledger applies to a kiosk's transactions naming no version of their own: its newest signed
 * snapshot's (rulesForTransaction, ../planning-lookups.ts), else — and for no kiosk — the hub's newest.
 */
function rulesForDevice(reads: MemberViewReads, deviceId: string | undefined): RulesBundle {
  const snapshotVersion = deviceId === undefined ? null : (reads.snapshotRules?.(deviceId, 'newest') ?? null);
  return reads.rules.bundleFor(snapshotVersion ?? 0);
}

/** A member view with its credit line (赊账: owed, limit, warning) where the rules offer credit or something is owed. */
async function withCredit(reads: MemberViewReads, view: MemberView | null): Promise<MemberView | null> {
  const bundle = reads.rules.latest();
  if (!view || !bundle || !reads.credit) return view;
  const credit = await memberCreditSummary(reads.credit, bundle, view.memberId, view.asOf);
  return credit ? { ...view, credit } : view;
}
