/**
 * What a kiosk shows for a card: the member, balances, count cards, recent history (phone masked), and — with the
 * rules given — the next points expiry and the progress to the next tier (member-rules-view.ts).
 */
import type { Database } from 'better-sqlite3';
import type { CardState } from '../../../core/ledger/types.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import { encodeHistoryCursor } from '../../../core/wire/history-cursor.ts';
import type { MemberView } from '../../../core/wire/lookup.ts';
import { maskPhone } from '../../../core/privacy/mask.ts';
import type { RowReaders } from './row-readers.ts';
import { cardViewsOf } from './card-views.ts';
import { memberHistoryPage } from './member-history.ts';
import { memberRulesView } from './member-rules-view.ts';

export function buildMemberView(db: Database, readers: RowReaders, card: CardState, historyLimit: number, rules: RulesBundle | null = null): MemberView | null {
  const member = readers.member(card.memberId);
  if (!member) return null;
  const asOf = new Date().toISOString();
  // The recent history is the first page of member.history: its cursor continues where the view stops.
  const history = historyLimit > 0 ? memberHistoryPage(db, member.memberId, null, historyLimit) : null;
  return {
    memberId: member.memberId,
    name: member.name,
    phoneMasked: maskPhone(readers.memberPhone(member.memberId) ?? ''),
    tier: member.tier,
    // With its type, label and holder, and the member's other cards (card-views.ts).
    ...cardViewsOf(db, readers, card),
    balances: { storedValueCents: member.storedValueCents, bonusValueCents: member.bonusValueCents, points: member.points },
    creditLimitCents: member.creditLimitCents,
    history: history?.entries ?? [],
    ...(history ? { historyNext: history.next ? encodeHistoryCursor(history.next) : null } : {}),
    asOf,
    serviceCards: readers.serviceCards(member.memberId).map((c) => ({ serviceId: c.serviceId, punchesLeft: c.punches, validUntil: c.validUntil })),
    ...(rules ? memberRulesView(db, readers, member, rules, asOf) : {}),
  };
}
