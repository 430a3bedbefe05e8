/**
 * Typed reads of ledger rows on PostgreSQL, synchronous over SyncReads (sync-reads.ts): the write port reads
 * through them inside a batch's database transaction, and the store's look-ups run them the same way in a
 * read-only snapshot (PostgresLedgerStore.snapshot). One set of SQL for both, as ../sqlite/row-readers.ts is
 * for SQLite; the same RowReaders interface, so the write path reads the same things on both back ends.
 */
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import type { CardState, CardStatus, GiftState, KioskMode, MemberState, PurchaseRecord, StaffRole } from '../../../core/ledger/types.ts';
import type { RowReaders } from '../sqlite/row-readers.ts';
import type { ReadKey, SyncReads } from './sync-reads.ts';

interface CardRow {
  uid: string; member_id: string; status: CardStatus; valid_from: string | null; valid_until: string | null;
  card_type: string | null; holder_name: string | null; issued_at: string;
}
export interface MemberRow {
  member_id: string; name: string; phone: string; tier: string; credit_limit_cents: number;
  cumulative_spend_cents: number; cumulative_points_earned: number; visits: number;
}

export const CARD_COLUMNS = 'uid, member_id, status, valid_from, valid_until, card_type, holder_name, issued_at';
export const MEMBER_COLUMNS = 'member_id, name, phone, tier, credit_limit_cents, cumulative_spend_cents, cumulative_points_earned, visits';

/*
 * The reads a batch's items make most, by key: named so the batch prefetch (postgres-batch-prefetch.ts) can prime
 * the cache with exactly these reads' answers, fetched in bulk.
 */
export const CARD_BY_UID_SQL = `SELECT ${CARD_COLUMNS} FROM cards WHERE uid = $1`;
export const MEMBER_BY_ID_SQL = `SELECT ${MEMBER_COLUMNS} FROM members WHERE member_id = $1`;
export const BALANCES_SQL = 'SELECT account, balance FROM accounts WHERE member_id = $1';
export const REFERRER_SQL = 'SELECT referrer_id FROM members WHERE member_id = $1';
/** The order SQLite's lots_by_member index gives; the planners sort lots themselves (core/ledger/point-lots.ts). */
export const LOT_ORDER = 'expires_at NULLS FIRST, lot_id';
export const LOTS_SQL = `SELECT lot_id, remaining, earned_at, expires_at FROM point_lots WHERE member_id = $1 AND remaining <> 0 ORDER BY ${LOT_ORDER}`;

/** The keys of those reads (sync-reads.ts ReadKey): a write to another card or member leaves them cached. */
export const byCard = (uid: string): ReadKey => ({ table: 'cards', column: 'uid', value: uid });
export const byMember = (table: 'members' | 'accounts' | 'point_lots' | 'cards', memberId: string): ReadKey => ({ table, column: 'member_id', value: memberId });

const toCard = (row: CardRow): CardState => ({
  uid: row.uid, memberId: row.member_id, status: row.status, validFrom: row.valid_from, validUntil: row.valid_until,
  cardType: row.card_type, holderName: row.holder_name, issuedAt: row.issued_at,
});

export function createPostgresRowReaders(reads: SyncReads): RowReaders {
  const memberRow = (memberId: string) => reads.one<MemberRow>(MEMBER_BY_ID_SQL, [memberId], byMember('members', memberId));
  const balances = (memberId: string) => reads.all<{ account: string; balance: number }>(BALANCES_SQL, [memberId], byMember('accounts', memberId));
  const referrerOf = (memberId: string) => reads.one<{ referrer_id: string | null }>(REFERRER_SQL, [memberId], byMember('members', memberId))?.referrer_id;
  const readers: RowReaders = {
    card: (uid) => {
      const row = reads.one<CardRow>(CARD_BY_UID_SQL, [uid], byCard(uid));
      return row ? toCard(row) : null;
    },
    cardsOfMember: (memberId) => reads.all<CardRow>(`SELECT ${CARD_COLUMNS} FROM cards WHERE member_id = $1 ORDER BY issued_at, uid`, [memberId], byMember('cards', memberId)).map(toCard),
    // Two reads rather than SQLite's one join: each is cached on its own and dropped only when its row may have changed.
    cardWithMember: (uid) => {
      const card = readers.card(uid);
      if (!card) return null;
      return { card, member: readers.member(card.memberId) };
    },
    member: (memberId) => {
      const row = memberRow(memberId);
      return row ? readMemberState(row, balances(memberId)) : null;
    },
    memberPhone: (memberId) => memberRow(memberId)?.phone ?? null,
    memberIdByPhone: (phone) =>
      reads.one<{ member_id: string }>('SELECT member_id FROM members WHERE phone = $1 ORDER BY created_at, member_id LIMIT 1', [phone], { table: 'members', column: 'phone', value: phone })
        ?.member_id ?? null,
    referrerChain: (memberId, levels) => {
      const chain: string[] = [];
      let current = referrerOf(memberId);
      while (current && chain.length < levels && !chain.includes(current) && current !== memberId) {
        chain.push(current);
        current = referrerOf(current);
      }
      return chain;
    },
    lots: (memberId) =>
      reads
        .all<{ lot_id: string; remaining: number; earned_at: string; expires_at: string | null }>(LOTS_SQL, [memberId], byMember('point_lots', memberId))
        .map((r) => ({ lotId: r.lot_id, remaining: r.remaining, earnedAt: r.earned_at, expiresAt: r.expires_at })),
    staff: (staffId) => {
      const row = reads.one<{ staff_id: string; name: string; role: StaffRole; store_ids: string; active: number }>(
        'SELECT staff_id, name, role, store_ids, active FROM staff WHERE staff_id = $1',
        [staffId],
      );
      return row ? { staffId: row.staff_id, name: row.name, role: row.role, storeIds: JSON.parse(row.store_ids) as string[], active: row.active === 1 } : null;
    },
    staffSession: (sessionId) => {
      const row = reads.one<{ session_id: string; staff_id: string; device_id: string; opened_at: string; expires_at: string; ended_at: string | null }>(
        'SELECT session_id, staff_id, device_id, opened_at, expires_at, ended_at FROM staff_sessions WHERE session_id = $1',
        [sessionId],
      );
      return row ? { sessionId: row.session_id, staffId: row.staff_id, deviceId: row.device_id, openedAt: row.opened_at, expiresAt: row.expires_at, endedAt: row.ended_at } : null;
    },
    memberPinProof: (proofId) => {
      const row = reads.one<{ proof_id: string; member_id: string; device_id: string; opened_at: string; expires_at: string }>(
        'SELECT proof_id, member_id, device_id, opened_at, expires_at FROM member_pin_proofs WHERE proof_id = $1',
        [proofId],
      );
      return row ? { proofId: row.proof_id, memberId: row.member_id, deviceId: row.device_id, openedAt: row.opened_at, expiresAt: row.expires_at } : null;
    },
    deviceMode: (deviceId) =>
      deviceId === HQ_DEVICE_ID ? 'attended' : (reads.one<{ mode: KioskMode }>('SELECT mode FROM devices WHERE device_id = $1', [deviceId])?.mode ?? 'unattended'),
    gift: (sku) => {
      const row = reads.one<{ sku: string; name: string; points_price: number; stock: number }>('SELECT sku, name, points_price, stock FROM gifts WHERE sku = $1', [sku], { table: 'gifts', column: 'sku', value: sku });
      return row ? ({ sku: row.sku, name: row.name, pointsPrice: row.points_price, stock: row.stock } satisfies GiftState) : null;
    },
    purchase: (txId) => {
      const row = reads.one<{ record: string }>('SELECT record FROM purchases WHERE tx_id = $1', [txId]);
      if (!row) return null;
      const record = JSON.parse(row.record) as PurchaseRecord;
      const refunded = reads.all<{ line_no: number }>('SELECT line_no FROM refunded_lines WHERE purchase_tx_id = $1 ORDER BY line_no', [txId]);
      return { ...record, refundedLineNos: refunded.map((r) => r.line_no) };
    },
    serviceCards: (memberId) =>
      reads
        .all<{ service_id: string; counted: number; valid_until: string | null; punches: number | null }>(
          `SELECT s.service_id, s.counted, s.valid_until,
                  (SELECT balance FROM accounts a WHERE a.member_id = s.member_id AND a.account = 'punches:' || s.service_id) AS punches
           FROM service_cards s WHERE s.member_id = $1 ORDER BY s.service_id`,
          [memberId],
        )
        .map((r) => ({ serviceId: r.service_id, punches: r.counted === 1 ? (r.punches ?? 0) : null, validUntil: r.valid_until })),
  };
  return readers;
}

export function readMemberState(row: MemberRow, balances: { account: string; balance: number }[]): MemberState {
  const balance = (name: string) => balances.find((b) => b.account === name)?.balance ?? 0;
  return {
    memberId: row.member_id,
    name: row.name,
    tier: row.tier,
    storedValueCents: balance('stored_value'),
    bonusValueCents: balance('bonus_value'),
    points: balance('points'),
    creditLimitCents: row.credit_limit_cents,
    cumulativeSpendCents: row.cumulative_spend_cents,
    cumulativePointsEarned: row.cumulative_points_earned,
    visits: row.visits,
  };
}
