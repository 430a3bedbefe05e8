/**
 * Small builders for the ledger planner tests: contexts, transactions and a tiny in-memory member ledger
 * that applies effects the way the hub store does (postings to accounts and lots, new lots, refunded lines),
 * so tests can chain purchase → spend → refund without any I/O.
 */
import { expect } from 'vitest';
import { isCodedError } from '../../errors/coded-error.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { RulesBundle } from '../../rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../../rules/default-bundle.ts';
import type { PaymentWire, TransactionOf, TxKind } from '../../wire/transaction.ts';
import type { PlanningContext } from '../planning-context.ts';
import type { AccountName, CardState, GiftState, LedgerEffect, MemberState, PointLot, PurchaseRecord, StaffSessionState, StaffState } from '../types.ts';

/** The default planning instant (UTC, as devices write it). */
export const AT = '2025-03-01T02:00:00.000Z';
export const STORE = 'S1';
export const CARD_UID = 'A1B2C3D4';
export const STAFF_UID = '5AFF0001';
export const STAFF_ID = 'staff-1';
/** The session the default staff member signed in with on kiosk-1 (and, for manual bonuses, at the hub). */
export const STAFF_SESSION_ID = 'session-kiosk-1-0001';
export const HQ_SESSION_ID = 'session-hq-000000001';
const ACTOR = { staffId: STAFF_ID, sessionId: STAFF_SESSION_ID };
export const MEMBER_ID = 'M1';

/** A valid ULID (Crockford base 32 digits only) for test transaction `n`. */
export function ulid(n: number): string {
  return `01J${String(n).padStart(23, '0')}`;
}

export function member(overrides: Partial<MemberState> = {}): MemberState {
  return {
    memberId: MEMBER_ID,
    name: 'Test Member',
    tier: 'standard',
    storedValueCents: 0,
    bonusValueCents: 0,
    points: 0,
    creditLimitCents: 0,
    cumulativeSpendCents: 0,
    cumulativePointsEarned: 0,
    ...overrides,
  };
}

export function card(overrides: Partial<CardState> = {}): CardState {
  return { uid: CARD_UID, memberId: MEMBER_ID, status: 'active', validFrom: null, validUntil: null, ...overrides };
}

export function lot(lotId: string, remaining: number, expiresAt: string | null, earnedAt = '2024-01-01T00:00:00.000Z'): PointLot {
  return { lotId, remaining, earnedAt, expiresAt };
}

export function staff(overrides: Partial<StaffState> = {}): StaffState {
  return { staffId: STAFF_ID, name: 'Sam Staff', role: 'store_manager', storeIds: [STORE], active: true, ...overrides };
}

/** A session on kiosk-1 unless told, open over every instant the planner tests use (their own tests narrow it). */
export function staffSession(overrides: Partial<StaffSessionState> = {}): StaffSessionState {
  return {
    sessionId: STAFF_SESSION_ID,
    staffId: STAFF_ID,
    deviceId: 'kiosk-1',
    openedAt: '2000-01-01T00:00:00.000Z',
    expiresAt: '2100-01-01T00:00:00.000Z',
    endedAt: null,
    ...overrides,
  };
}

export function gift(overrides: Partial<GiftState> = {}): GiftState {
  return { sku: 'GIFT-MUG', name: 'Mug', pointsPrice: 300, stock: 5, ...overrides };
}

export function context(overrides: Partial<PlanningContext> = {}): PlanningContext {
  const m = overrides.member ?? member();
  const lots = overrides.lots ?? [];
  return {
    card: card({ memberId: m.memberId }),
    lots,
    referrerChain: [],
    bundle: DEFAULT_RULES_BUNDLE,
    staff: null,
    staffSession: staffSession(),
    // Attended unless a test says otherwise: planner tests pay cash freely; tender-rules has its own tests.
    deviceMode: 'attended',
    gift: null,
    purchase: null,
    newCardTaken: false,
    ...overrides,
    member: { ...m, points: overrides.member ? m.points : lots.reduce((s, l) => s + l.remaining, 0) },
  };
}

/** The default bundle plus a deposit bonus: top up 500 yuan get 50, 1000 get 120. */
export function bundleWithDepositBonus(): RulesBundle {
  return {
    ...DEFAULT_RULES_BUNDLE,
    rules: [
      ...DEFAULT_RULES_BUNDLE.rules,
      { kind: 'deposit_bonus', id: 'top-up-bonus', label: 'top-up bonus', bands: [{ minCents: 50_000, bonusCents: 5_000 }, { minCents: 100_000, bonusCents: 12_000 }] },
    ],
  };
}

/**
 * The default bundle plus a 10-visit car-wash card valid 365 days, a gym card valid until 2025-12-31 (local
 * end of day), and manual bonuses up to 5000 points for complaint / birthday / goodwill.
 */
export function bundleWithCardsAndBonus(): RulesBundle {
  return {
    ...DEFAULT_RULES_BUNDLE,
    cards: [
      { sku: 'WASH-10', serviceId: 'car-wash', punches: 10, validDays: 365 },
      { sku: 'GYM-2025', serviceId: 'gym', validUntil: '2025-12-31' },
    ],
    manualBonus: { maxPoints: 5000, reasons: ['complaint', 'birthday', 'goodwill'] },
  };
}

interface HeaderOptions {
  id?: string;
  at?: string;
  storeId?: string;
  cardUid?: string;
}

let seq = 0;
function header<K extends TxKind>(kind: K, o: HeaderOptions & { deviceId?: string }) {
  seq += 1;
  return {
    id: o.id ?? ulid(seq),
    deviceId: o.deviceId ?? 'kiosk-1',
    seq,
    epoch: '',
    kind,
    createdAt: o.at ?? AT,
    storeId: o.storeId ?? STORE,
    bundleVersion: 1,
    cardUid: o.cardUid ?? CARD_UID,
  };
}

export type Line = TransactionOf<'purchase'>['lines'][number];

/** Line `lineNo` of `qty` × `unitPriceCents`. */
export function line(lineNo: number, unitPriceCents: number, qty = 1, category = 'A'): Line {
  return { lineNo, sku: `SKU-${lineNo}`, category, qty, unitPriceCents };
}

export const cash = (amountCents: number): PaymentWire => ({ method: 'cash', amountCents });
export const storedValue = (amountCents: number): PaymentWire => ({ method: 'stored_value', amountCents });
export const points = (p: number): PaymentWire => ({ method: 'points', points: p });

export function purchaseTx(lines: Line[], payments: PaymentWire[], o: HeaderOptions = {}): TransactionOf<'purchase'> {
  return { ...header('purchase', o), lines, payments };
}

export function topUpTx(amountCents: number, o: HeaderOptions & { tender?: 'cash' | 'bank_card' | 'mobile' } = {}): TransactionOf<'top_up'> {
  return { ...header('top_up', o), amountCents, tender: o.tender ?? 'cash', actor: ACTOR };
}

export function redeemTx(giftSku: string, qty: number, o: HeaderOptions = {}): TransactionOf<'redeem_gift'> {
  return { ...header('redeem_gift', o), giftSku, qty };
}

export function refundTx(purchaseTxId: string, lineNos: number[], o: HeaderOptions = {}): TransactionOf<'refund'> {
  return { ...header('refund', o), purchaseTxId, lineNos, actor: ACTOR };
}

export function punchTx(serviceId: string, o: HeaderOptions = {}): TransactionOf<'punch_card_use'> {
  return { ...header('punch_card_use', o), serviceId };
}

/** A manual bonus, from the hub's own device "hq" unless another device is named. */
export function manualBonusTx(pts: number, reason: string, o: HeaderOptions & { deviceId?: string } = {}): TransactionOf<'manual_bonus'> {
  return { ...header('manual_bonus', { deviceId: 'hq', ...o }), points: pts, reason, actor: { staffId: STAFF_ID, sessionId: HQ_SESSION_ID } };
}

type LifecycleKind = 'card_report_loss' | 'card_cancel_loss' | 'card_freeze' | 'card_unfreeze' | 'card_replace';
export type LifecycleTx = TransactionOf<LifecycleKind>;

export function lifecycleTx(
  kind: LifecycleKind,
  o: HeaderOptions & { withStaff?: boolean; newCardUid?: string; feeCents?: number } = {},
): LifecycleTx {
  const h = header(kind, o);
  if (kind === 'card_replace') return { ...h, kind, newCardUid: o.newCardUid ?? 'B1B2C3D4', ...(o.feeCents === undefined ? {} : { feeCents: o.feeCents }), feeTender: 'stored_value', actor: ACTOR };
  // A member reports their own card lost without staff unless the test says staff did it.
  if (kind === 'card_report_loss') return o.withStaff ? { ...h, kind, actor: ACTOR } : { ...h, kind };
  return { ...h, kind, actor: ACTOR };
}

/** Asserts that `fn` throws a CodedError with `code` (and, if given, details containing `details`). */
export function expectCoded(fn: () => unknown, code: ErrorCode, details?: Record<string, unknown>): void {
  let thrown: unknown = null;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected ${code} to be thrown`).not.toBeNull();
  if (!isCodedError(thrown)) throw new Error(`expected a CodedError ${code}, got ${String(thrown)}`);
  expect(thrown.code).toBe(code);
  if (details) expect(thrown.details).toMatchObject(details);
}

/** Sum of the postings on one account (and, if given, one lot). */
export function posted(effect: LedgerEffect, account: AccountName, lotId?: string): number {
  return effect.postings.filter((p) => p.account === account && (lotId === undefined || p.lotId === lotId)).reduce((s, p) => s + p.amount, 0);
}

/**
 * One member's books in memory, applied like the hub's store does: every posting moves its account, a posting
 * with a lotId moves that lot (which must exist: throws otherwise), purchases are kept for refunds, refunded
 * lines are remembered. contextFor() hands planners only lots with remaining ≠ 0, as the hub's reader does.
 */
export class MemberLedger {
  readonly balances: Record<AccountName, number> = { stored_value: 0, bonus_value: 0, points: 0, shortfall_value: 0, shortfall_points: 0, credit: 0 };
  readonly lots = new Map<string, PointLot>();
  readonly purchases = new Map<string, PurchaseRecord>();
  state: MemberState;

  constructor(initial: Partial<MemberState> = {}, lots: PointLot[] = []) {
    this.state = member(initial);
    this.balances.stored_value = this.state.storedValueCents;
    this.balances.bonus_value = this.state.bonusValueCents;
    for (const l of lots) this.lots.set(l.lotId, { ...l });
    this.balances.points = lots.reduce((s, l) => s + l.remaining, 0);
  }

  memberState(): MemberState {
    return { ...this.state, storedValueCents: this.balances.stored_value, bonusValueCents: this.balances.bonus_value, points: this.balances.points };
  }

  spendableLotsView(): PointLot[] {
    return [...this.lots.values()].filter((l) => l.remaining !== 0).map((l) => ({ ...l }));
  }

  contextFor(overrides: Partial<PlanningContext> & { purchaseTxId?: string } = {}): PlanningContext {
    const { purchaseTxId, ...rest } = overrides;
    const purchase = purchaseTxId === undefined ? null : (this.purchases.get(purchaseTxId) ?? null);
    return {
      card: card({ memberId: this.state.memberId }),
      referrerChain: [],
      member: this.memberState(),
      lots: this.spendableLotsView(),
      bundle: DEFAULT_RULES_BUNDLE,
      staff: staff(),
      staffSession: staffSession(),
      deviceMode: 'attended',
      gift: null,
      purchase: purchase ? structuredClone(purchase) : null,
      newCardTaken: false,
      ...rest,
    };
  }

  /** Lot ids a posting may name: every lot this member has ever had, plus those the effect creates. */
  knownLotIds(effect: LedgerEffect): Set<string> {
    return new Set([...this.lots.keys(), ...effect.newLots.map((l) => l.lotId)]);
  }

  apply(effect: LedgerEffect): void {
    for (const l of effect.newLots) {
      if (this.lots.has(l.lotId)) throw new Error(`lot ${l.lotId} created twice`);
      this.lots.set(l.lotId, { lotId: l.lotId, remaining: 0, earnedAt: l.earnedAt, expiresAt: l.expiresAt });
    }
    for (const p of effect.postings) {
      if (!Number.isSafeInteger(p.amount)) throw new Error(`posting amount ${p.amount} is not an integer`);
      this.balances[p.account] += p.amount;
      if (p.lotId !== undefined) {
        const target = this.lots.get(p.lotId);
        if (!target) throw new Error(`posting names lot ${p.lotId} that the member does not have`);
        target.remaining += p.amount;
      }
    }
    this.state.cumulativeSpendCents += effect.memberChanges.cumulativeSpendDeltaCents;
    this.state.cumulativePointsEarned += effect.memberChanges.cumulativePointsEarnedDelta;
    if (effect.memberChanges.tier) this.state.tier = effect.memberChanges.tier;
    if (effect.purchaseRecord) this.purchases.set(effect.purchaseRecord.txId, structuredClone(effect.purchaseRecord));
    if (effect.refundOf) {
      const record = this.purchases.get(effect.refundOf.purchaseTxId);
      if (!record) throw new Error(`refund of unknown purchase ${effect.refundOf.purchaseTxId}`);
      record.refundedLineNos.push(...effect.refundOf.lineNos);
    }
  }

  lotRemaining(lotId: string): number {
    const l = this.lots.get(lotId);
    if (!l) throw new Error(`no lot ${lotId}`);
    return l.remaining;
  }

  /** Sets a lot's remaining directly (stands in for spends/sweeps made elsewhere), keeping the points balance in step. */
  setLotRemaining(lotId: string, remaining: number): void {
    const l = this.lots.get(lotId);
    if (!l) throw new Error(`no lot ${lotId}`);
    this.balances.points += remaining - l.remaining;
    l.remaining = remaining;
  }
}
