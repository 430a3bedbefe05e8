/** Typed reads of ledger rows, shared by the write port, look-ups and the audit. */
import type { Database } from 'better-sqlite3';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import type { CardState, CardStatus, GiftState, KioskMode, MemberPinProofState, MemberState, PointLot, PurchaseRecord, ServiceCardState, StaffRole, StaffSessionState, StaffState } from '../../../core/ledger/types.ts';

export interface RowReaders {
  card(uid: string): CardState | null;
  /** The card, its member and the member's balances in one statement: the hot path of every transaction. */
  cardWithMember(uid: string): { card: CardState; member: MemberState | null } | null;
  cardsOfMember(memberId: string): CardState[];
  member(memberId: string): MemberState | null;
  memberPhone(memberId: string): string | null;
  memberIdByPhone(phone: string): string | null;
  /** The member's referrer, that one's referrer, … nearest first, at most `levels` long. */
  referrerChain(memberId: string, levels: number): string[];
  lots(memberId: string): PointLot[];
  staff(staffId: string): StaffState | null;
  staffSession(sessionId: string): StaffSessionState | null;
  memberPinProof(proofId: string): MemberPinProofState | null;
  /** 'unattended' for a device the hub knows nothing of: cash is refused unless the device was set attended. */
  deviceMode(deviceId: string): KioskMode;
  gift(sku: string): GiftState | null;
  purchase(txId: string): PurchaseRecord | null;
  /** The member's count/time cards with the punches left (the `punches:<serviceId>` balances), by service. */
  serviceCards(memberId: string): ServiceCardState[];
}

interface CardRow {
  uid: string; member_id: string; status: CardStatus; valid_from: string | null; valid_until: string | null;
  card_type: string | null; holder_name: string | null; issued_at: string;
}
interface MemberRow {
  member_id: string; name: string; phone: string; tier: string; credit_limit_cents: number;
  cumulative_spend_cents: number; cumulative_points_earned: number; visits: number;
}

export function createRowReaders(db: Database): RowReaders {
  const columns = 'uid, member_id, status, valid_from, valid_until, card_type, holder_name, issued_at';
  const card = db.prepare<[string], CardRow>(`SELECT ${columns} FROM cards WHERE uid = ?`);
  const cardsOfMember = db.prepare<[string], CardRow>(`SELECT ${columns} FROM cards WHERE member_id = ? ORDER BY issued_at`);
  const member = db.prepare<[string], MemberRow>('SELECT * FROM members WHERE member_id = ?');
  const byPhone = db.prepare<[string], { member_id: string }>('SELECT member_id FROM members WHERE phone = ? ORDER BY created_at LIMIT 1');
  const referrerOf = db.prepare<[string], { referrer_id: string | null }>('SELECT referrer_id FROM members WHERE member_id = ?');
  const cardWithMember = db.prepare<[string], CardRow & Partial<MemberRow> & { sv: number | null; bv: number | null; pts: number | null }>(
    `SELECT c.uid, c.member_id, c.status, c.valid_from, c.valid_until, c.card_type, c.holder_name, c.issued_at,
            m.name, m.phone, m.tier, m.credit_limit_cents, m.cumulative_spend_cents, m.cumulative_points_earned, m.visits,
            sv.balance AS sv, bv.balance AS bv, pts.balance AS pts
     FROM cards c
     LEFT JOIN members m ON m.member_id = c.member_id
     LEFT JOIN accounts sv ON sv.member_id = c.member_id AND sv.account = 'stored_value'
     LEFT JOIN accounts bv ON bv.member_id = c.member_id AND bv.account = 'bonus_value'
     LEFT JOIN accounts pts ON pts.member_id = c.member_id AND pts.account = 'points'
     WHERE c.uid = ?`,
  );
  const balances = db.prepare<[string], { account: string; balance: number }>('SELECT account, balance FROM accounts WHERE member_id = ?');
  const lots = db.prepare<[string], { lot_id: string; remaining: number; earned_at: string; expires_at: string | null }>(
    'SELECT lot_id, remaining, earned_at, expires_at FROM point_lots WHERE member_id = ? AND remaining <> 0',
  );
  const staff = db.prepare<[string], { staff_id: string; name: string; role: StaffRole; store_ids: string; active: number }>(
    'SELECT staff_id, name, role, store_ids, active FROM staff WHERE staff_id = ?',
  );
  const staffSession = db.prepare<[string], { session_id: string; staff_id: string; device_id: string; opened_at: string; expires_at: string; ended_at: string | null }>(
    'SELECT session_id, staff_id, device_id, opened_at, expires_at, ended_at FROM staff_sessions WHERE session_id = ?',
  );
  const deviceMode = db.prepare<[string], { mode: KioskMode }>('SELECT mode FROM devices WHERE device_id = ?');
  const pinProof = db.prepare<[string], { proof_id: string; member_id: string; device_id: string; opened_at: string; expires_at: string }>(
    'SELECT proof_id, member_id, device_id, opened_at, expires_at FROM member_pin_proofs WHERE proof_id = ?',
  );
  const gift = db.prepare<[string], { sku: string; name: string; points_price: number; stock: number }>('SELECT * FROM gifts WHERE sku = ?');
  const purchase = db.prepare<[string], { record: string }>('SELECT record FROM purchases WHERE tx_id = ?');
  const serviceCards = db.prepare<[string], { service_id: string; counted: number; valid_until: string | null; punches: number | null }>(
    `SELECT s.service_id, s.counted, s.valid_until,
            (SELECT balance FROM accounts a WHERE a.member_id = s.member_id AND a.account = 'punches:' || s.service_id) AS punches
     FROM service_cards s WHERE s.member_id = ? ORDER BY s.service_id`,
  );
  const refunded = db.prepare<[string], { line_no: number }>('SELECT line_no FROM refunded_lines WHERE purchase_tx_id = ? ORDER BY line_no');

  const toCard = (row: CardRow): CardState => ({
    uid: row.uid, memberId: row.member_id, status: row.status, validFrom: row.valid_from, validUntil: row.valid_until,
    cardType: row.card_type, holderName: row.holder_name, issuedAt: row.issued_at,
  });

  return {
    card: (uid) => {
      const row = card.get(uid);
      return row ? toCard(row) : null;
    },
    cardsOfMember: (memberId) => cardsOfMember.all(memberId).map(toCard),
    cardWithMember: (uid) => {
      const row = cardWithMember.get(uid);
      if (!row) return null;
      const member: MemberState | null =
        row.name === undefined || row.name === null
          ? null
          : {
              memberId: row.member_id,
              name: row.name,
              tier: row.tier!,
              storedValueCents: row.sv ?? 0,
              bonusValueCents: row.bv ?? 0,
              points: row.pts ?? 0,
              creditLimitCents: row.credit_limit_cents!,
              cumulativeSpendCents: row.cumulative_spend_cents!,
              cumulativePointsEarned: row.cumulative_points_earned!,
              visits: row.visits!,
            };
      return { card: toCard(row), member };
    },
    member: (memberId) => {
      const row = member.get(memberId);
      return row ? readMemberState(row, balances.all(memberId)) : null;
    },
    memberPhone: (memberId) => member.get(memberId)?.phone ?? null,
    memberIdByPhone: (phone) => byPhone.get(phone)?.member_id ?? null,
    referrerChain: (memberId, levels) => {
      const chain: string[] = [];
      let current: string | null | undefined = referrerOf.get(memberId)?.referrer_id;
      // The chain is short and a cycle is impossible by construction (a referrer exists before whom they refer);
      // the seen-set still guards against hand-edited data.
      while (current && chain.length < levels && !chain.includes(current) && current !== memberId) {
        chain.push(current);
        current = referrerOf.get(current)?.referrer_id;
      }
      return chain;
    },
    lots: (memberId) => lots.all(memberId).map((r) => ({ lotId: r.lot_id, remaining: r.remaining, earnedAt: r.earned_at, expiresAt: r.expires_at })),
    staff: (staffId) => {
      const row = staff.get(staffId);
      return row ? { staffId: row.staff_id, name: row.name, role: row.role, storeIds: JSON.parse(row.store_ids) as string[], active: row.active === 1 } : null;
    },
    staffSession: (sessionId) => {
      const row = staffSession.get(sessionId);
      return row
        ? { sessionId: row.session_id, staffId: row.staff_id, deviceId: row.device_id, openedAt: row.opened_at, expiresAt: row.expires_at, endedAt: row.ended_at }
        : null;
    },
    memberPinProof: (proofId) => {
      const row = pinProof.get(proofId);
      return row ? { proofId: row.proof_id, memberId: row.member_id, deviceId: row.device_id, openedAt: row.opened_at, expiresAt: row.expires_at } : null;
    },
    // HQ's own transactions are made at the hub by signed-in staff: a counter, not a shop floor.
    deviceMode: (deviceId) => (deviceId === HQ_DEVICE_ID ? 'attended' : (deviceMode.get(deviceId)?.mode ?? 'unattended')),
    gift: (sku) => {
      const row = gift.get(sku);
      return row ? { sku: row.sku, name: row.name, pointsPrice: row.points_price, stock: row.stock } : null;
    },
    purchase: (txId) => {
      const row = purchase.get(txId);
      if (!row) return null;
      const record = JSON.parse(row.record) as PurchaseRecord;
      return { ...record, refundedLineNos: refunded.all(txId).map((r) => r.line_no) };
    },
    serviceCards: (memberId) =>
      serviceCards.all(memberId).map((r) => ({ serviceId: r.service_id, punches: r.counted === 1 ? (r.punches ?? 0) : null, validUntil: r.valid_until })),
  };
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
