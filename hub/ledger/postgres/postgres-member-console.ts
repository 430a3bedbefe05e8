/**
 * The HQ console's member search and member record on the PostgreSQL ledger (../member-console-store.ts): the
 * statements and rules of ../sqlite/sqlite-member-console.ts. Scope is pushed into every statement (home store, or
 * an applied transaction on a kiosk enrolled in one of the stores). A search or a record is read in one snapshot,
 * synchronously over the store's SyncReads (sync-reads.ts) so the ledger's row readers serve it as on SQLite.
 *
 * SQLite's GLOB 'PREFIX*' is LIKE 'PREFIX%' here: the text is checked to be hex digits or a phone number first, so
 * it holds no wildcard of either, and on COLLATE "C" columns a prefix LIKE walks the index. Names compare with
 * lower() under "C" as SQLite's lower() does: ASCII letters only.
 */
import type { MemberScope } from '../../../core/identity/member-scope.ts';
import { localizeTrace } from '../../../core/rules/trace-text.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import type { MemberConsoleStore, MemberRecord, MemberSearchHit, MemberSearchQuery } from '../member-console-store.ts';
import type { RowReaders } from '../sqlite/row-readers.ts';
import type { SqlValue, SyncReads } from './sync-reads.ts';

type Matched = MemberSearchHit['matchedBy'];
/** One read-only snapshot of the ledger (postgres-ledger-transactions.ts inReadSnapshot). */
export type PostgresSnapshot = <T>(read: (reads: SyncReads, readers: RowReaders) => T) => Promise<T>;

/** $1 the text, $2 the limit, $3 1 for the whole chain, $4 the stores (a JSON array). */
const SCOPE = `($3::int = 1 OR m.home_store_id IN (SELECT jsonb_array_elements_text($4::jsonb)) OR EXISTS (
  SELECT 1 FROM transactions t JOIN devices d ON d.device_id = t.device_id
  WHERE t.member_id = m.member_id AND t.status = 'applied' AND d.store_id IN (SELECT jsonb_array_elements_text($4::jsonb))))`;
const BY_ID = `SELECT m.member_id FROM members m WHERE m.member_id IN ($1, upper($1)) AND ${SCOPE} LIMIT $2`;
const BY_CARD = `SELECT m.member_id FROM cards c JOIN members m ON m.member_id = c.member_id WHERE c.uid LIKE $1 AND ${SCOPE} ORDER BY c.uid LIMIT $2`;
const BY_PHONE = `SELECT m.member_id FROM members m WHERE m.phone LIKE $1 AND ${SCOPE} ORDER BY m.phone LIMIT $2`;
const BY_PHONE_SUFFIX = `SELECT m.member_id FROM members m WHERE m.phone LIKE $1 AND ${SCOPE} ORDER BY m.member_id LIMIT $2`;
const BY_NAME = `SELECT m.member_id FROM members m WHERE strpos(lower(m.name), lower($1 COLLATE "C")) > 0 AND ${SCOPE} ORDER BY m.member_id LIMIT $2`;

interface ProfileRow { member_id: string; name: string; phone: string; tier: string; home_store_id: string | null; referrer_id: string | null; created_at: string; visits: number }
interface HistoryRow { tx_id: string; kind: string; created_at: string | null; applied_at: string; status: 'applied' | 'rejected'; code: string | null; device_id: string; bundle_version: number | null; result: string }

const profileOf = (reads: SyncReads, memberId: string) =>
  reads.one<ProfileRow>('SELECT member_id, name, phone, tier, home_store_id, referrer_id, created_at, visits FROM members WHERE member_id = $1', [memberId]);

function hit(reads: SyncReads, readers: RowReaders, memberId: string, matchedBy: Matched): MemberSearchHit | null {
  const row = profileOf(reads, memberId);
  const state = readers.member(memberId);
  if (!row || !state) return null;
  const cards = readers.cardsOfMember(memberId);
  const card = cards.find((c) => c.status === 'active') ?? cards.at(-1);
  return { memberId, name: row.name, phone: row.phone, tier: row.tier, homeStoreId: row.home_store_id, cardUid: card?.uid ?? null, storedValueCents: state.storedValueCents, points: state.points, matchedBy };
}

export class PostgresMemberConsole implements MemberConsoleStore {
  constructor(private readonly snapshot: PostgresSnapshot) {}

  async searchMembers(query: MemberSearchQuery, scope: MemberScope, limit: number): Promise<MemberSearchHit[]> {
    const text = query.text.trim();
    if (text.length === 0 || limit <= 0) return [];
    if (scope.kind === 'stores' && scope.storeIds.length === 0) return [];
    const scopeParams: SqlValue[] = scope.kind === 'chain' ? [1, '[]'] : [0, JSON.stringify(scope.storeIds)];
    const wants = (field: Matched) => query.field === 'any' || query.field === field;
    return this.snapshot((reads, readers) => {
      const found = new Map<string, Matched>();
      const run = (sql: string, param: string, matchedBy: Matched) => {
        if (found.size >= limit) return;
        for (const row of reads.all<{ member_id: string }>(sql, [param, limit, ...scopeParams])) if (!found.has(row.member_id)) found.set(row.member_id, matchedBy);
      };
      if (wants('member')) run(BY_ID, text, 'member');
      const hex = text.toUpperCase();
      if (wants('card') && /^[0-9A-F]{4,32}$/.test(hex)) run(BY_CARD, `${hex}%`, 'card');
      const digits = text.replace(/[\s-]/g, '');
      if (wants('phone') && /^\+?[0-9]{3,20}$/.test(digits)) {
        run(BY_PHONE, `${digits}%`, 'phone');
        if (digits.length >= 4) run(BY_PHONE_SUFFIX, `%${digits}`, 'phone');
      }
      if (wants('name')) run(BY_NAME, text, 'name');
      const hits: MemberSearchHit[] = [];
      for (const [memberId, matchedBy] of found) {
        const h = hit(reads, readers, memberId, matchedBy);
        if (h) hits.push(h);
        if (hits.length >= limit) break;
      }
      return hits;
    });
  }

  async memberRecord(memberId: string, historyLimit: number): Promise<MemberRecord | null> {
    return this.snapshot((reads, readers) => {
      const row = profileOf(reads, memberId);
      const state = readers.member(memberId);
      if (!row || !state) return null;
      const history = reads.all<HistoryRow>(
        `SELECT tx_id, kind, created_at, applied_at, status, code, device_id, bundle_version, result FROM transactions
         WHERE member_id = $1 ORDER BY created_at DESC, tx_id DESC LIMIT $2`,
        [memberId, historyLimit],
      );
      return {
        memberId,
        name: row.name,
        phone: row.phone,
        tier: row.tier,
        homeStoreId: row.home_store_id,
        referrerId: row.referrer_id,
        createdAt: row.created_at,
        creditLimitCents: state.creditLimitCents,
        cumulativeSpendCents: state.cumulativeSpendCents,
        cumulativePointsEarned: state.cumulativePointsEarned,
        visits: row.visits,
        balances: { storedValueCents: state.storedValueCents, bonusValueCents: state.bonusValueCents, points: state.points },
        cards: readers
          .cardsOfMember(memberId)
          .map((c) => ({ uid: c.uid, status: c.status, cardType: c.cardType ?? null, holderName: c.holderName ?? null, validFrom: c.validFrom, validUntil: c.validUntil, issuedAt: c.issuedAt ?? null })),
        pointLots: readers
          .lots(memberId)
          .filter((l) => l.remaining > 0)
          .sort((a, b) => (a.expiresAt ?? '\uffff').localeCompare(b.expiresAt ?? '\uffff'))
          .map((l) => ({ lotId: l.lotId, remaining: l.remaining, earnedAt: l.earnedAt, expiresAt: l.expiresAt })),
        serviceCards: readers.serviceCards(memberId).map((c) => ({ serviceId: c.serviceId, punchesLeft: c.punches, validUntil: c.validUntil })),
        history: history.map((t) => {
          const result = JSON.parse(t.result) as TxResult;
          const outcome = result.outcome;
          return {
            txId: t.tx_id,
            kind: t.kind,
            at: t.created_at,
            appliedAt: t.applied_at,
            status: t.status,
            code: t.code,
            deviceId: t.device_id,
            bundleVersion: t.bundle_version,
            valueDeltaCents: outcome?.valueDeltaCents ?? 0,
            pointsDelta: outcome ? outcome.pointsEarned - outcome.pointsSpent : 0,
            trace: outcome?.trace ?? [],
            // Records stored before trace keys have no traceText: their lines show as stored.
            traceZh: localizeTrace(outcome?.trace ?? [], outcome?.traceText, 'zh-CN'),
          };
        }),
      };
    });
  }
}
