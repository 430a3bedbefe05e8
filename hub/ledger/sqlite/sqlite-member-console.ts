/**
 * The SQLite side of ../member-console-store.ts. Scope is pushed into every statement (the same rule as
 * member-scope-reads.ts: home store, or an applied transaction on a kiosk enrolled in one of the stores), so a
 * store manager's search fills its page with their own members, not with the chain's first matches.
 *
 * Indexes: a member id is the members key; a card uid prefix walks the cards key (GLOB 'PREFIX*'); a phone
 * prefix (or whole number) walks members_by_phone; the scope check of a hit reads transactions_by_member. A
 * phone suffix and a name substring scan the members table (no index serves an infix): fine for a chain's tens of
 * thousands of members, a trigram index (FTS5) is the step for the 100,000-member benchmark.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { MemberScope } from '../../../core/identity/member-scope.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import type { MemberConsoleStore, MemberRecord, MemberSearchHit, MemberSearchQuery } from '../member-console-store.ts';
import type { RowReaders } from './row-readers.ts';
import { localizeTrace } from '../../../core/rules/trace-text.ts';

type ScopeParams = { chain: 0 | 1; stores: string };
type Matched = MemberSearchHit['matchedBy'];

const SCOPE = `(@chain = 1 OR m.home_store_id IN (SELECT value FROM json_each(@stores)) OR EXISTS (
  SELECT 1 FROM transactions t JOIN devices d ON d.device_id = t.device_id
  WHERE t.member_id = m.member_id AND t.status = 'applied' AND d.store_id IN (SELECT value FROM json_each(@stores))))`;

export function createSqliteMemberConsole(db: Database, readers: () => RowReaders): MemberConsoleStore {
  type IdRow = { member_id: string };
  type P = ScopeParams & { text: string; limit: number };
  const byId: Statement<[P], IdRow> = db.prepare(`SELECT m.member_id FROM members m WHERE m.member_id IN (@text, upper(@text)) AND ${SCOPE} LIMIT @limit`);
  const byCard: Statement<[P], IdRow> = db.prepare(
    `SELECT m.member_id FROM cards c JOIN members m ON m.member_id = c.member_id WHERE c.uid GLOB @text AND ${SCOPE} ORDER BY c.uid LIMIT @limit`,
  );
  // 'DIGITS*' walks members_by_phone; '*DIGITS' (a suffix) and a name substring scan the table in key order, which
  // stops at the page's last match. The text is checked to be digits first: no GLOB wildcards.
  const byPhone: Statement<[P], IdRow> = db.prepare(`SELECT m.member_id FROM members m WHERE m.phone GLOB @text AND ${SCOPE} ORDER BY m.phone LIMIT @limit`);
  const byPhoneSuffix: Statement<[P], IdRow> = db.prepare(`SELECT m.member_id FROM members m WHERE m.phone GLOB @text AND ${SCOPE} ORDER BY m.member_id LIMIT @limit`);
  const byName: Statement<[P], IdRow> = db.prepare(`SELECT m.member_id FROM members m WHERE instr(lower(m.name), lower(@text)) > 0 AND ${SCOPE} ORDER BY m.member_id LIMIT @limit`);
  const profile: Statement<[string], { member_id: string; name: string; phone: string; tier: string; home_store_id: string | null; referrer_id: string | null; created_at: string; visits: number }> =
    db.prepare('SELECT member_id, name, phone, tier, home_store_id, referrer_id, created_at, visits FROM members WHERE member_id = ?');
  const history: Statement<[string, number], { tx_id: string; kind: string; created_at: string | null; applied_at: string; status: 'applied' | 'rejected'; code: string | null; device_id: string; bundle_version: number | null; result: string }> =
    db.prepare(
      `SELECT tx_id, kind, created_at, applied_at, status, code, device_id, bundle_version, result FROM transactions
       WHERE member_id = ? ORDER BY created_at DESC, tx_id DESC LIMIT ?`,
    );

  const hit = (memberId: string, matchedBy: Matched): MemberSearchHit | null => {
    const row = profile.get(memberId);
    const state = readers().member(memberId);
    if (!row || !state) return null;
    const cards = readers().cardsOfMember(memberId);
    const card = cards.find((c) => c.status === 'active') ?? cards.at(-1);
    return { memberId, name: row.name, phone: row.phone, tier: row.tier, homeStoreId: row.home_store_id, cardUid: card?.uid ?? null, storedValueCents: state.storedValueCents, points: state.points, matchedBy };
  };

  return {
    async searchMembers(query: MemberSearchQuery, scope: MemberScope, limit: number) {
      const text = query.text.trim();
      if (text.length === 0 || limit <= 0) return [];
      if (scope.kind === 'stores' && scope.storeIds.length === 0) return [];
      const scopeParams: ScopeParams = scope.kind === 'chain' ? { chain: 1, stores: '[]' } : { chain: 0, stores: JSON.stringify(scope.storeIds) };
      const wants = (field: Matched) => query.field === 'any' || query.field === field;
      const found = new Map<string, Matched>();
      const run = (statement: Statement<[P], IdRow>, param: string, matchedBy: Matched) => {
        if (found.size >= limit) return;
        for (const row of statement.all({ ...scopeParams, text: param, limit })) if (!found.has(row.member_id)) found.set(row.member_id, matchedBy);
      };
      if (wants('member')) run(byId, text, 'member');
      const hex = text.toUpperCase();
      if (wants('card') && /^[0-9A-F]{4,32}$/.test(hex)) run(byCard, `${hex}*`, 'card');
      const digits = text.replace(/[\s-]/g, '');
      if (wants('phone') && /^\+?[0-9]{3,20}$/.test(digits)) {
        run(byPhone, `${digits}*`, 'phone');
        if (digits.length >= 4) run(byPhoneSuffix, `*${digits}`, 'phone');
      }
      if (wants('name')) run(byName, text, 'name');
      const hits: MemberSearchHit[] = [];
      for (const [memberId, matchedBy] of found) {
        const h = hit(memberId, matchedBy);
        if (h) hits.push(h);
        if (hits.length >= limit) break;
      }
      return hits;
    },

    async memberRecord(memberId: string, historyLimit: number): Promise<MemberRecord | null> {
      const row = profile.get(memberId);
      const state = readers().member(memberId);
      if (!row || !state) return null;
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
        cards: readers()
          .cardsOfMember(memberId)
          .map((c) => ({ uid: c.uid, status: c.status, cardType: c.cardType ?? null, holderName: c.holderName ?? null, validFrom: c.validFrom, validUntil: c.validUntil, issuedAt: c.issuedAt ?? null })),
        pointLots: readers()
          .lots(memberId)
          .filter((l) => l.remaining > 0)
          .sort((a, b) => (a.expiresAt ?? '\uffff').localeCompare(b.expiresAt ?? '\uffff'))
          .map((l) => ({ lotId: l.lotId, remaining: l.remaining, earnedAt: l.earnedAt, expiresAt: l.expiresAt })),
        serviceCards: readers()
          .serviceCards(memberId)
          .map((c) => ({ serviceId: c.serviceId, punchesLeft: c.punches, validUntil: c.validUntil })),
        history: history.all(memberId, historyLimit).map((t) => {
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
    },
  };
}
