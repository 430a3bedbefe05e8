/**
 * Describes the receipt of a submitted transaction as the drivers' structured Receipt, from the transaction,
 * what the hub said about it and the kiosk's receipt context. Money stays integer cents: the printer's layout
 * formats it. Only what the hub confirmed is printed as final: a queued transaction gets a "pending" notice and
 * no points or balances, a refused one says so.
 *
 * In the receipt's language throughout: the store's name and address (its profile from the hub), HQ's header and
 * footer (a default footer in that language), the items by the configuration's catalogue names, the rule lines
 * (the hub's keyed trace, rendered here), and a purchase's money block that adds up (receipt-money.ts). The QR
 * code is the kiosk's signed claim of the receipt (core/receipt), checked by the hub: POST /api/receipts/verify.
 */
import type { OfferedItem } from '../../core/config/config-content.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { evaluatePurchase } from '../../core/rules/evaluate-purchase.ts';
import { localizeTrace, namesOf, type TraceLocale } from '../../core/rules/trace-text.ts';
import type { PurchaseEvaluation } from '../../core/rules/types.ts';
import type { ReceiptClaim } from '../../core/receipt/receipt-claim.ts';
import { statedTotalCents } from '../../core/receipt/receipt-total.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { Transaction, TransactionOf } from '../../core/wire/transaction.ts';
import type { Receipt } from '../ports.ts';
import { maskCardUid } from '../../core/privacy/mask.ts';
import { RECEIPT_WORDING, type ReceiptLanguage } from './receipt-wording.ts';
import { purchaseMoney, type PurchaseMoney } from './receipt-money.ts';

export type SubmitStatus = 'applied' | 'exists' | 'rejected' | 'queued';

/** The store as the hub's fleet has it (device.profile), or as the kiosk last heard it. */
export interface ReceiptStoreProfile {
  name: string;
  address: string;
  phone: string;
  /** IANA zone: the printed time is local to it. */
  timezone: string;
}

/** What the kiosk knows about where and how it prints, independent of any one transaction. */
export interface ReceiptContext {
  /** HQ's header lines (or the settings file's); printed under the store's name and address. */
  header: readonly string[];
  /** HQ's footer lines (or the settings file's); empty: the language's default thanks. */
  footer: readonly string[];
  /** The store id (printed at the top only when no profile names the store). */
  store: string;
  deviceId: string;
  paperWidthMm: 58 | 80;
  language: ReceiptLanguage;
  /** The store's name, address, phone and time zone. Absent: the id at the top, the time in UTC. */
  storeProfile?: ReceiptStoreProfile | null | undefined;
  /** The configuration's catalogue: a purchase line's name by its SKU (the SKU itself when the item is not in it). */
  items?: readonly OfferedItem[] | undefined;
  /** The rules the kiosk prices with: a queued purchase's discounts and points value, gift names. */
  bundle?: RulesBundle | null | undefined;
  /** The store's region, for region-scoped discounts when the kiosk prices the basket itself. */
  regionId?: string | null | undefined;
  /**
   * Signs the receipt's claim with the kiosk's enrolment key (device/receipt/receipt-signer.ts) and answers the QR
   * code's text. Absent (a kiosk without a key): the QR code holds the transaction id, which verifies nothing.
   */
  signReceipt?: ((claim: ReceiptClaim) => string | null) | null | undefined;
}

export interface ReceiptInput {
  tx: Transaction;
  status: SubmitStatus;
  result?: TxResult | null;
  memberName?: string;
  /** The member on screen: their tier prices a purchase the hub has not confirmed (member prices, tier discounts). */
  member?: { memberId: string; tier: string } | undefined;
  context: ReceiptContext;
  /** ISO 8601: the time printed (and signed). Default: the transaction's own, corrected by the hub's clock offset. */
  at?: string;
}

/** Whether the hub applied it, now or earlier; anything else is not a done deal on paper. */
export function hubConfirmed(status: SubmitStatus, result: TxResult | null | undefined): boolean {
  if (status === 'applied') return true;
  return status === 'exists' && result?.original !== 'rejected';
}

/** The transaction's time as the hub dates it: the kiosk's clock corrected by the offset the hub measured. */
export function transactionTime(tx: Transaction): string {
  const ms = Date.parse(tx.createdAt) + (tx.clockOffsetMs ?? 0);
  return Number.isNaN(ms) ? tx.createdAt : new Date(ms).toISOString();
}

function itemName(items: readonly OfferedItem[] | undefined, sku: string, language: ReceiptLanguage): string {
  const item = items?.find((i) => i.sku === sku);
  if (!item) return sku;
  return language === 'en' && item.name.en ? item.name.en : item.name['zh-CN'];
}

/** The kiosk's own pricing of a purchase with its rules, as the hub will recompute it; null when it cannot. */
function evaluateHere(tx: TransactionOf<'purchase'>, input: ReceiptInput): PurchaseEvaluation | null {
  const bundle = input.context.bundle;
  if (!bundle || !input.member) return null;
  try {
    return evaluatePurchase(bundle, {
      at: tx.createdAt,
      storeId: tx.storeId,
      ...(input.context.regionId ? { regionId: input.context.regionId } : {}),
      // Prices depend on the tier, never on lifetime figures: those steer only points, which a queued receipt omits.
      member: { memberId: input.member.memberId, tier: input.member.tier, cumulativeSpendCents: 0, cumulativePointsEarned: 0 },
      ...(tx.eventIds ? { eventIds: tx.eventIds } : {}),
      lines: tx.lines,
      payments: tx.payments,
    });
  } catch {
    // A basket the rules refuse (a points payment below the minimum…): the hub will say so; print what was sent.
    return null;
  }
}

export function buildReceipt(input: ReceiptInput): Receipt {
  const { tx, status, result, context } = input;
  const words = RECEIPT_WORDING[context.language];
  const locale: TraceLocale = context.language === 'en' ? 'en' : 'zh-CN';
  const names = namesOf(context.bundle ?? undefined);
  const notice: string[] = tx.kind === 'purchase' ? [] : [words.titles[tx.kind]];
  const lines: Receipt['lines'] = [];
  const payments: Receipt['payments'] = [];
  const confirmed = hubConfirmed(status, result);
  const outcome = confirmed ? result?.outcome : undefined;
  let money: PurchaseMoney | null = null;

  switch (tx.kind) {
    case 'purchase':
      for (const line of tx.lines) lines.push({ name: itemName(context.items, line.sku, context.language), qty: line.qty, unitPriceCents: line.unitPriceCents, totalCents: line.qty * line.unitPriceCents });
      money = purchaseMoney({ tx, outcome, evaluation: evaluateHere(tx, input), locale, names, discountWord: words.discount });
      payments.push(...money.payments);
      break;
    case 'top_up':
      lines.push({ name: words.topUpLine(tx.tender), qty: 1, unitPriceCents: tx.amountCents, totalCents: tx.amountCents });
      payments.push({ method: tx.tender, amountCents: tx.amountCents });
      break;
    case 'redeem_gift':
      lines.push({ name: names.gift?.(tx.giftSku) ?? tx.giftSku, qty: tx.qty, unitPriceCents: 0, totalCents: 0 });
      if (result?.outcome?.pointsSpent) payments.push({ method: 'points', points: result.outcome.pointsSpent });
      break;
    case 'draw_enter':
      // The entry and the points it cost; the prize won is in the hub's trace (ruleTrace).
      lines.push({ name: tx.drawId, qty: 1, unitPriceCents: 0, totalCents: 0 });
      if (result?.outcome?.pointsSpent) payments.push({ method: 'points', points: result.outcome.pointsSpent });
      break;
    case 'punch_card_use':
      lines.push({ name: words.countCardVisit(tx.serviceId), qty: 1, unitPriceCents: 0, totalCents: 0 });
      payments.push({ method: 'count_card', visits: 1 });
      break;
    case 'refund':
      notice.push(words.refundOf(tx.purchaseTxId.slice(-8), tx.lineNos));
      break;
    case 'card_replace':
      notice.push(words.newCard(maskCardUid(tx.newCardUid)));
      if (tx.feeCents !== undefined && tx.feeCents > 0) lines.push({ name: words.replacementFee, qty: 1, unitPriceCents: tx.feeCents, totalCents: tx.feeCents });
      break;
    case 'card_issue':
      notice.push(words.newCard(maskCardUid(tx.newCardUid)));
      if (tx.feeCents !== undefined && tx.feeCents > 0) lines.push({ name: words.fee('issue'), qty: 1, unitPriceCents: tx.feeCents, totalCents: tx.feeCents });
      break;
    case 'card_service':
      if (tx.feeCents !== undefined && tx.feeCents > 0) lines.push({ name: words.fee(tx.service), qty: 1, unitPriceCents: tx.feeCents, totalCents: tx.feeCents });
      break;
    case 'credit_repay':
      lines.push({ name: words.titles.credit_repay, qty: 1, unitPriceCents: tx.amountCents, totalCents: tx.amountCents });
      break;
    // The title alone says what these did; listed so a new kind has to be considered here too.
    case 'card_cancel_loss':
    case 'card_freeze':
    case 'card_report_loss':
    case 'card_unfreeze':
    // What was paid back and forfeited is in the hub's trace (ruleTrace), printed once confirmed.
    case 'card_return':
    case 'manual_bonus':
    // What the code gave is in the hub's trace (ruleTrace), printed once confirmed.
    case 'code_redeem':
    case 'register_member':
    case 'tier_upgrade':
      break;
  }

  if (status === 'queued') notice.push(...words.pending);
  else if (!confirmed) notice.push(...words.refused(result?.code ?? 'rejected'));

  // The engine's lines in the receipt's language where the hub sent them keyed; the rest as the hub wrote them.
  // A purchase's discounts are printed in its money block, so not again among the reasons for its points.
  const ruleTrace = outcome ? localizeTrace(outcome.trace, outcome.traceText, locale, context.bundle ?? undefined).filter((_, at) => !money?.discountTraceLines.has(at)) : [];
  const at = input.at ?? transactionTime(tx);
  const cardNumberMasked = maskCardUid(tx.cardUid);
  const qr = signedCode(context, { txId: tx.id, deviceId: tx.deviceId, storeId: tx.storeId, at, totalCents: money?.totals.totalCents ?? statedTotalCents(tx, null), cardMasked: cardNumberMasked });
  const profile = context.storeProfile;

  return {
    header: [...context.header],
    footer: context.footer.length > 0 ? [...context.footer] : [...words.defaultFooter],
    store: context.store,
    ...(profile ? { storeProfile: { name: profile.name, ...(profile.address ? { address: profile.address } : {}), ...(profile.phone ? { phone: profile.phone } : {}), timezone: profile.timezone } } : {}),
    deviceId: context.deviceId,
    txId: tx.id,
    at,
    cardNumberMasked,
    ...(input.memberName ? { memberName: input.memberName } : {}),
    ...(notice.length > 0 ? { notice } : {}),
    lines,
    ...(money ? { totals: money.totals } : {}),
    payments,
    ...(money?.changeCents !== undefined ? { changeCents: money.changeCents } : {}),
    ...(outcome ? { pointsEarned: outcome.pointsEarned, balancesAfter: { ...outcome.balances } } : {}),
    ruleTrace,
    paperWidthMm: context.paperWidthMm,
    language: context.language,
    ...(qr ? { qr } : {}),
  };
}

function signedCode(context: ReceiptContext, claim: ReceiptClaim): string | null {
  const sign = context.signReceipt;
  if (!sign) return null;
  try {
    return sign(claim);
  } catch {
    // A receipt without a verifiable code still serves the member; the signer logs why it could not sign.
    return null;
  }
}
