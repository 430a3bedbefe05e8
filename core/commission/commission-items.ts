/**
 * What one applied transaction contributes to staff commission (员工提成, docs/ACCOUNTS.md): an amount and a count
 * under a consumption code (消费代码), credited to the staff member who served. Pure: the hub reads the sources
 * (hub/commission/sqlite-commission-reads.ts), this decides what they are worth, compute-commission.ts prices them.
 *
 * - A purchase naming `actor` (the cashier at an attended counter): each line under its category, its net cents
 *   after discounts as the ledger recorded them, its quantity as the count.
 * - A refund of lines: the same lines' amount and count taken off the staff member who made the original sale,
 *   under the rules version of that sale, so the refund cancels exactly what the sale contributed.
 * - Any other transaction naming `actor`: its kind as the code, the money it moved (a top-up's or a repayment's
 *   amount, plus any fee the fee schedule charged) as the amount, one count.
 */

/** One contribution. Amount and count are negative for a refund. */
export interface CommissionItem {
  staffId: string;
  /** The store the money was taken in (a refund's: the original sale's): reports are scoped by it. */
  storeId: string;
  /** 消费代码: a purchase line's category, or the transaction's kind. */
  code: string;
  amountCents: number;
  count: number;
  /** The rules bundle version the sale was applied with: its commission schedule prices this item. */
  bundleVersion: number;
}

export interface SoldLine {
  lineNo: number;
  category: string;
  qty: number;
  /** Net of discounts, as in the ledger's purchase record. */
  netCents: number;
}

/** A purchase a staff member served, as the hub recorded it. */
export interface ServedPurchase {
  source: 'purchase';
  staffId: string;
  storeId: string;
  bundleVersion: number;
  lines: SoldLine[];
}

/** A refund of some lines of a purchase a staff member served. */
export interface RefundOfServed {
  source: 'refund';
  /** The original sale's staff member, store and rules version. */
  staffId: string;
  storeId: string;
  bundleVersion: number;
  lines: SoldLine[];
  refundedLineNos: number[];
}

/** Any other staff transaction. */
export interface StaffAction {
  source: 'staff';
  kind: string;
  staffId: string;
  storeId: string;
  bundleVersion: number;
  /** The payload's amountCents where the kind has one (top_up, credit_repay); absent otherwise. */
  amountCents?: number | undefined;
  /** What the fee schedule charged with it (fee_charges), 0 when nothing. */
  feeCents: number;
}

export type CommissionSource = ServedPurchase | RefundOfServed | StaffAction;

/**
 * Kinds whose payload amount is money the member paid in at the counter. card_return's payout is money going
 * out, and a manual bonus moves points, not money: only their fees (if any) count as amount.
 */
const AMOUNT_KINDS: ReadonlySet<string> = new Set(['top_up', 'credit_repay']);

/**
 * Kinds that never earn commission of their own: a purchase and a refund are priced by their lines above, and the
 * hub's own sweeps (expiry, reviews, annual fees, credit charges) are no one's work.
 */
const NOT_STAFF_WORK: ReadonlySet<string> = new Set(['purchase', 'refund', 'points_expiry', 'tier_review', 'annual_fee', 'credit_charge']);

export function commissionItems(source: CommissionSource): CommissionItem[] {
  const base = { staffId: source.staffId, storeId: source.storeId, bundleVersion: source.bundleVersion };
  switch (source.source) {
    case 'purchase':
      return source.lines.map((line) => ({ ...base, code: line.category, amountCents: line.netCents, count: line.qty }));
    case 'refund': {
      const refunded = new Set(source.refundedLineNos);
      return source.lines
        .filter((line) => refunded.has(line.lineNo))
        .map((line) => ({ ...base, code: line.category, amountCents: -line.netCents, count: -line.qty }));
    }
    case 'staff': {
      if (NOT_STAFF_WORK.has(source.kind)) return [];
      const paidIn = AMOUNT_KINDS.has(source.kind) ? (source.amountCents ?? 0) : 0;
      return [{ ...base, code: source.kind, amountCents: paidIn + source.feeCents, count: 1 }];
    }
  }
}
