/**
 * The ledger's member look-ups on PostgreSQL: the member view a kiosk shows, a page of history, one purchase for a
 * refund, and where a member is known (members' scope). The same answers as the SQLite files they mirror
 * (../sqlite/member-view.ts, member-history.ts, member-purchase.ts, member-rules-view.ts, card-views.ts,
 * member-scope-reads.ts), written as synchronous reads over SyncReads so the store runs each in one read-only
 * snapshot (PostgresLedgerStore.snapshot): a view never mixes two commits.
 */
import type { CardState, MemberState } from '../../../core/ledger/types.ts';
import { nextPointsExpiry } from '../../../core/ledger/next-points-expiry.ts';
import type { MemberScope, MemberStores } from '../../../core/identity/member-scope.ts';
import { maskPhone } from '../../../core/privacy/mask.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import { tierPeriodAt } from '../../../core/rules/tier-period.ts';
import { tierProgress, type TierFigures } from '../../../core/rules/tier-progress.ts';
import { encodeHistoryCursor, type HistoryPosition } from '../../../core/wire/history-cursor.ts';
import type { HistoryEntry, MemberView, PurchaseLines } from '../../../core/wire/lookup.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import type { PaymentWire, TransactionOf } from '../../../core/wire/transaction.ts';
import type { HistoryPage } from '../ledger-store.ts';
import type { RowReaders } from '../sqlite/row-readers.ts';
import { cardViewOf } from '../sqlite/card-views.ts';
import type { SyncReads } from './sync-reads.ts';

interface HistoryRow {
  tx_id: string;
  kind: string;
  created_at: string;
  status: 'applied' | 'rejected';
  code: string | null;
  result: string;
  store_id: string | null;
}

// The store a transaction names, from its payload as received (TEXT: kept byte for byte; read as JSON here).
const HISTORY_COLUMNS = "tx_id, kind, created_at, status, code, result, payload::jsonb ->> 'storeId' AS store_id";

/** `limit` entries of the member's history below `before` (null: from the newest), newest first, keyset-paged as on SQLite. */
export function memberHistoryPage(reads: SyncReads, memberId: string, before: HistoryPosition | null, limit: number): HistoryPage {
  //: the keyset compares ISO times and ULIDs byte by byte, as SQLite does, whatever the database's collation.
  const rows =
    before === null
      ? reads.all<HistoryRow>(
          `SELECT ${HISTORY_COLUMNS} FROM transactions WHERE member_id = $1 AND created_at IS NOT NULL
           ORDER BY created_at DESC, tx_id DESC LIMIT $2`,
          [memberId, limit + 1],
        )
      : reads.all<HistoryRow>(
          `SELECT ${HISTORY_COLUMNS} FROM transactions WHERE member_id = $1 AND (created_at, tx_id) < ($2, $3)
           ORDER BY created_at DESC, tx_id DESC LIMIT $4`,
          [memberId, before.at, before.txId, limit + 1],
        );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { entries: page.map(historyEntry), next: rows.length > limit && last ? { at: last.created_at, txId: last.tx_id } : null };
}

function historyEntry(row: HistoryRow): HistoryEntry {
  const outcome = (JSON.parse(row.result) as TxResult).outcome;
  return {
    txId: row.tx_id,
    kind: row.kind,
    at: row.created_at,
    status: row.status,
    valueDeltaCents: outcome?.valueDeltaCents ?? 0,
    pointsDelta: outcome ? outcome.pointsEarned - outcome.pointsSpent : 0,
    storeId: typeof row.store_id === 'string' ? row.store_id : null,
    ...(row.status === 'rejected' && row.code !== null ? { code: row.code } : {}),
  };
}

/** What a kiosk shows for a card (../sqlite/member-view.ts); `newest`: the hub's newest rules (card type labels). */
export function buildMemberView(
  reads: SyncReads,
  readers: RowReaders,
  card: CardState,
  historyLimit: number,
  rules: RulesBundle | null,
  newest: RulesBundle | null,
  asOf: string,
): MemberView | null {
  const member = readers.member(card.memberId);
  if (!member) return null;
  const history = historyLimit > 0 ? memberHistoryPage(reads, member.memberId, null, historyLimit) : null;
  return {
    memberId: member.memberId,
    name: member.name,
    phoneMasked: maskPhone(readers.memberPhone(member.memberId) ?? ''),
    tier: member.tier,
    card: cardViewOf(newest, card),
    cards: readers.cardsOfMember(card.memberId).map((c) => cardViewOf(newest, c)),
    balances: { storedValueCents: member.storedValueCents, bonusValueCents: member.bonusValueCents, points: member.points },
    creditLimitCents: member.creditLimitCents,
    history: history?.entries ?? [],
    ...(history ? { historyNext: history.next ? encodeHistoryCursor(history.next) : null } : {}),
    asOf,
    serviceCards: readers.serviceCards(member.memberId).map((c) => ({ serviceId: c.serviceId, punchesLeft: c.punches, validUntil: c.validUntil })),
    ...(rules ? memberRulesView(reads, readers, member, rules, asOf) : {}),
  };
}

function memberRulesView(reads: SyncReads, readers: Pick<RowReaders, 'lots'>, member: MemberState, bundle: RulesBundle, now: string): Pick<MemberView, 'pointsExpiry' | 'tierProgress' | 'tierFigures'> {
  const period = tierPeriodAt(bundle, now);
  const row = period
    ? reads.one<{ points_earned: number; spend_cents: number }>('SELECT points_earned, spend_cents FROM member_period_figures WHERE member_id = $1 AND period_key = $2', [member.memberId, period.key])
    : undefined;
  const tierFigures: TierFigures = {
    pointsEarned: member.cumulativePointsEarned,
    spendCents: member.cumulativeSpendCents,
    visits: member.visits ?? 0,
    period: period ? { key: period.key, pointsEarned: row?.points_earned ?? 0, spendCents: row?.spend_cents ?? 0 } : null,
  };
  return {
    pointsExpiry: nextPointsExpiry(bundle, readers.lots(member.memberId), now),
    tierProgress: tierProgress(bundle, { tier: member.tier, figures: tierFigures }, now),
    tierFigures,
  };
}

/** The purchase `txId` of member `memberId` (../sqlite/member-purchase.ts); null when there is none or it is another member's. */
export function memberPurchase(reads: SyncReads, memberId: string, txId: string): PurchaseLines | null {
  const row = reads.one<{ tx_id: string; created_at: string | null; applied_at: string; payload: string; record: string }>(
    `SELECT t.tx_id, t.created_at, t.applied_at, t.payload, p.record
     FROM purchases p JOIN transactions t ON t.tx_id = p.tx_id
     WHERE p.tx_id = $1 AND p.member_id = $2 AND t.status = 'applied'`,
    [txId, memberId],
  );
  if (!row) return null;
  const tx = JSON.parse(row.payload) as Pick<TransactionOf<'purchase'>, 'lines' | 'payments'>;
  const record = JSON.parse(row.record) as { totalCents: number };
  const refunded = reads.all<{ line_no: number }>('SELECT line_no FROM refunded_lines WHERE purchase_tx_id = $1 ORDER BY line_no', [txId]);
  return {
    txId: row.tx_id,
    at: row.created_at ?? row.applied_at,
    lines: tx.lines.map(({ lineNo, sku, category, qty, unitPriceCents }) => ({ lineNo, sku, category, qty, unitPriceCents })),
    payments: tx.payments.map((payment): PaymentWire => ({ ...payment })),
    totalCents: record.totalCents,
    refundedLineNos: refunded.map((r) => r.line_no),
  };
}

/** Where a member is known (../sqlite/member-scope-reads.ts): home store, and the stores of their applied transactions' devices. */
export function memberStores(reads: SyncReads, memberId: string): MemberStores | null {
  const member = reads.one<{ home_store_id: string | null }>('SELECT home_store_id FROM members WHERE member_id = $1', [memberId]);
  if (!member) return null;
  const shopped = reads.all<{ store_id: string }>(
    `SELECT DISTINCT d.store_id FROM transactions t JOIN devices d ON d.device_id = t.device_id
     WHERE t.member_id = $1 AND t.status = 'applied' AND d.store_id IS NOT NULL ORDER BY d.store_id`,
    [memberId],
  );
  return { homeStoreId: member.home_store_id, shoppedAtStoreIds: shopped.map((r) => r.store_id) };
}

export function memberIdsInScope(reads: SyncReads, scope: MemberScope, limit: number): string[] {
  if (scope.kind === 'chain') return reads.all<{ member_id: string }>('SELECT member_id FROM members ORDER BY member_id LIMIT $1', [limit]).map((r) => r.member_id);
  if (scope.storeIds.length === 0) return [];
  // The stores as one JSON array parameter, so one statement serves any number of them (as json_each does on SQLite).
  return reads
    .all<{ member_id: string }>(
      `SELECT member_id FROM (
         SELECT member_id FROM members WHERE home_store_id IN (SELECT jsonb_array_elements_text($1::jsonb))
         UNION
         SELECT t.member_id FROM devices d JOIN transactions t ON t.device_id = d.device_id
         WHERE d.store_id IN (SELECT jsonb_array_elements_text($1::jsonb)) AND t.status = 'applied' AND t.member_id IS NOT NULL
       ) scoped ORDER BY member_id LIMIT $2`,
      [JSON.stringify(scope.storeIds), limit],
    )
    .map((r) => r.member_id);
}
