/** What a kiosk shows for a card: the member, balances, count cards and recent history (phone masked). */
import type { Database } from 'better-sqlite3';
import type { CardState } from '../../../core/ledger/types.ts';
import type { HistoryEntry, MemberView } from '../../../core/wire/lookup.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import { maskPhone } from '../../../core/privacy/mask.ts';
import type { RowReaders } from './row-readers.ts';
import { cardViewsOf } from './card-views.ts';

export function buildMemberView(db: Database, readers: RowReaders, card: CardState, historyLimit: number): MemberView | null {
  const member = readers.member(card.memberId);
  if (!member) return null;
  const rows = db
    .prepare<[string, number], { tx_id: string; kind: string; created_at: string; status: 'applied' | 'rejected'; result: string }>(
      'SELECT tx_id, kind, created_at, status, result FROM transactions WHERE member_id = ? ORDER BY created_at DESC, tx_id DESC LIMIT ?',
    )
    .all(member.memberId, historyLimit);
  const history: HistoryEntry[] = rows.map((row) => {
    const outcome = (JSON.parse(row.result) as TxResult).outcome;
    return {
      txId: row.tx_id,
      kind: row.kind,
      at: row.created_at,
      status: row.status,
      valueDeltaCents: outcome?.valueDeltaCents ?? 0,
      pointsDelta: outcome ? outcome.pointsEarned - outcome.pointsSpent : 0,
    };
  });
  return {
    memberId: member.memberId,
    name: member.name,
    phoneMasked: maskPhone(readers.memberPhone(member.memberId) ?? ''),
    tier: member.tier,
    // With its type, label and holder, and the member's other cards (card-views.ts).
    ...cardViewsOf(db, readers, card),
    balances: { storedValueCents: member.storedValueCents, bonusValueCents: member.bonusValueCents, points: member.points },
    creditLimitCents: member.creditLimitCents,
    history,
    asOf: new Date().toISOString(),
    serviceCards: readers.serviceCards(member.memberId).map((c) => ({ serviceId: c.serviceId, punchesLeft: c.punches, validUntil: c.validUntil })),
  };
}
