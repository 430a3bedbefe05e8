/**
 * The transaction wire format. One zod schema per shape gives both the runtime check at every boundary
 * and the TypeScript type. Parsing is in two steps on purpose: the header (id, device, seq) decides where
 * the transaction sits in its device's order; the body is then checked by kind. A transaction whose header
 * is sound but whose body is not is still a transaction of that device: it is recorded as rejected and
 * keeps the device's sequence moving, instead of blocking every later transaction behind it.
 */
import { z } from 'zod';
import { ULID_PATTERN } from '../ids/ulid.ts';
import { DEVICE_ID_PATTERN } from './topics.ts';

export { MAX_TX_BYTES } from './limits.ts';

/**
 * The transaction format a kiosk writes today. Format 3 names a staff action's `actor` (a staff session the hub
 * opened for card + PIN or a login) instead of format 2's bare staff card number, which proved nothing: format
 * 1 and 2 staff transactions still parse, and are refused as STAFF_SESSION_REQUIRED (recorded). Format 1 (no `v`) had no epoch and no clock offset; its
 * payloads still apply unchanged, because an outbox written by an older kiosk must drain into a newer hub:
 * money queued before an upgrade is never stranded by it. A format the hub does not know is refused as
 * TX_FORMAT_UNSUPPORTED (recorded, so the kiosk's queue goes on).
 */
export const TX_FORMAT = 3;
export const KNOWN_TX_FORMATS: readonly number[] = [1, 2, 3];

/**
 * A sequence epoch: the kiosk's seqs count 1, 2, 3… within an epoch. A kiosk with a fresh outbox starts a new
 * epoch, so a reinstalled kiosk never collides with the seqs of its former life. '' is format 1's epoch.
 */
export const EPOCH_PATTERN = /^[0-9A-Za-z]{0,32}$/;

const cents = z.number().int().min(-1e13).max(1e13);
const positiveCents = z.number().int().positive().max(1e13);
const cardUid = z.string().regex(/^[0-9A-F]{4,32}$/, 'card UID is 4–32 uppercase hex digits');

/** The purposes a registration's consent step asks about: the membership terms, and marketing messages. */
export const REGISTRATION_CONSENT_PURPOSES = ['terms', 'marketing'] as const;
export const registrationConsentSchema = z.object({ purpose: z.enum(REGISTRATION_CONSENT_PURPOSES), granted: z.boolean() });
export type RegistrationConsent = z.infer<typeof registrationConsentSchema>;

export const TX_KINDS = [
  'purchase',
  'top_up',
  'redeem_gift',
  'refund',
  'card_report_loss',
  'card_cancel_loss',
  'card_freeze',
  'card_unfreeze',
  'card_replace',
  'card_return',
  'register_member',
  'tier_upgrade',
  'punch_card_use',
  'manual_bonus',
  'code_redeem',
  'draw_enter',
  'card_issue',
  'card_service',
  'credit_repay',
] as const;
export type TxKind = (typeof TX_KINDS)[number];

/**
 * The part of a header that says where a transaction sits in its device's order. A payload whose slot is
 * readable can be answered and recorded under its id even when everything else about it is wrong.
 */
export const txSlotSchema = z.object({
  id: z.string().regex(ULID_PATTERN, 'id is a ULID'),
  deviceId: z.string().regex(DEVICE_ID_PATTERN),
  /** The device's own counter within its epoch, 1, 2, 3...: the hub applies them in this order, without gaps. */
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  epoch: z.string().regex(EPOCH_PATTERN, 'epoch is up to 32 letters and digits').default(''),
  /**
   * The id this device placed at seq − 1 of the same epoch (absent at seq 1, and in format 1). The hub applies
   * a transaction only after its own predecessor: a seq filled by another sender is caught at the very next
   * slot, before anything of the kiosk's can be applied behind it out of order.
   */
  prevId: z.string().regex(ULID_PATTERN, 'prevId is a ULID').optional(),
});
export type TxSlot = z.infer<typeof txSlotSchema>;

/** Largest clock offset a kiosk may report (about 300 years either way): anything bigger is a broken clock. */
const MAX_CLOCK_OFFSET_MS = 1e13;

export const txHeaderSchema = txSlotSchema.extend({
  /** Format version; absent on format 1. */
  v: z.number().int().positive().optional(),
  kind: z.string().min(1).max(40),
  /**
   * When the transaction was made, on the device's clock; rules evaluate at this time (in the bundle's time
   * zone). UTC only ("…Z"): the ledger compares instants (card validity, lot expiry) as ISO text, which is
   * only right when every instant is written the same way.
   */
  createdAt: z.iso.datetime({ offset: false, message: 'createdAt is an ISO-8601 UTC time ending in Z' }),
  storeId: z.string().min(1).max(64),
  /** The rules bundle version the device evaluated with; the hub recomputes with the same version. */
  bundleVersion: z.number().int().nonnegative(),
  /**
   * The signed configuration snapshot the device ran under (core/config); its rulesVersion is bundleVersion.
   * Absent from kiosks older than signed configuration, and while a kiosk holds no snapshot yet.
   */
  snapshotVersion: z.number().int().positive().optional(),
  /**
   * hub clock − kiosk clock, as last measured when the kiosk connected; absent when never measured. The hub
   * dates the transaction createdAt + clockOffsetMs, and its own receive time when that is impossible.
   */
  clockOffsetMs: z.number().int().min(-MAX_CLOCK_OFFSET_MS).max(MAX_CLOCK_OFFSET_MS).optional(),
});
export type TxHeader = z.infer<typeof txHeaderSchema>;

export const purchaseLineSchema = z.object({
  lineNo: z.number().int().positive(),
  sku: z.string().min(1).max(64),
  category: z.string().min(1).max(64),
  qty: z.number().int().positive().max(100_000),
  unitPriceCents: z.number().int().nonnegative().max(1e11),
});

export const paymentSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('cash'), amountCents: positiveCents }),
  z.object({ method: z.literal('stored_value'), amountCents: positiveCents }),
  z.object({ method: z.literal('points'), points: z.number().int().positive() }),
  /** 赊账: put on the member's credit account (owed, repaid later), within their credit limit (docs/ACCOUNTS.md). */
  z.object({ method: z.literal('credit'), amountCents: positiveCents }),
]);
export type PaymentWire = z.infer<typeof paymentSchema>;

/**
 * Who did a staff action: the staff member and the session the hub opened for them (on a kiosk, for their staff
 * card and PIN; at the hub, for their login). The hub checks the session belongs to this staff member and this
 * device and covered the transaction's time, then the staff member's role and stores.
 */
export const staffActorSchema = z.object({
  staffId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'staffId is 1–64 letters, digits, - or _'),
  sessionId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'sessionId is 16–64 letters, digits, - or _'),
});
export type StaffActor = z.infer<typeof staffActorSchema>;

/**
 * `actor` is what a staff action is authorised by. `staffCardUid` is formats 1–2's claim, read only so such a
 * transaction can be refused for what it is (STAFF_SESSION_REQUIRED) instead of as malformed.
 */
// Masked ("********0001") once stored or upgraded: read as any short string, it only ever leads to the refusal.
const staffActor = z.object({ actor: staffActorSchema, staffCardUid: z.string().max(32).optional() }).partial();

/**
 * How a fee from the card type's fee schedule is paid: at the counter (cash, bank card, mobile) or out of the
 * member's stored value (principal only: bonus value is never spent on fees).
 */
export const FEE_TENDERS = ['cash', 'bank_card', 'mobile', 'stored_value'] as const;
const feeTender = z.enum(FEE_TENDERS);
export type FeeTender = (typeof FEE_TENDERS)[number];
/**
 * The fee the kiosk showed the member, from the same rules: a claim, never the amount charged. The hub charges
 * the schedule's fee and refuses FEE_MISMATCH where the two differ, so nobody pays what they were not shown.
 */
const feeClaim = z.number().int().nonnegative().max(1e13).optional();

const bodies = {
  purchase: z.object({
    cardUid,
    // Unique line numbers: a refund names lines by number, so two lines under one number could never be refunded apart.
    lines: z.array(purchaseLineSchema).min(1).max(200).refine(distinct((line: { lineNo: number }) => line.lineNo), 'lineNo values must be unique within a purchase'),
    payments: z.array(paymentSchema).min(1).max(10),
    /**
     * The proof the hub gave for the member's PIN typed at this kiosk (look-up member.verifyPin), where the
     * chain's rules ask for one (stored value above `memberPin.storedValueAboveCents`).
     */
    memberPinProof: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/).optional(),
    /** Events the member takes part in with this purchase (event bonus rules name them). */
    eventIds: z.array(z.string().min(1).max(64)).max(10).optional(),
    /** What the kiosk's own engine computed (same bundle version); the hub recomputes and records any difference. */
    claimed: z.object({ totalCents: cents, pointsEarned: z.number().int() }).optional(),
    /**
     * The kiosk took this sale without the hub, within HQ's offline limits (core/config/offline-limits.ts), on the
     * member's cached balance. If the balance can no longer cover it when it arrives, the hub applies it and puts
     * the uncovered part on the member's shortfall account with an alert, instead of refusing a sale already made.
     */
    acceptedOffline: z.boolean().optional(),
    /**
     * The cashier who served at an attended counter (staff commission, docs/ACCOUNTS.md): checked like any staff
     * actor when present. Absent on a self-service sale.
     */
    actor: staffActorSchema.optional(),
  }),
  top_up: z.object({ cardUid, amountCents: positiveCents, tender: z.enum(['cash', 'bank_card', 'mobile']), ...staffActor.shape }),
  redeem_gift: z.object({ cardUid, giftSku: z.string().min(1).max(64), qty: z.number().int().positive().max(100) }),
  refund: z.object({
    cardUid,
    purchaseTxId: z.string().regex(ULID_PATTERN),
    lineNos: z.array(z.number().int().positive()).min(1).max(200).refine(distinct((lineNo: number) => lineNo), 'a refund names each line once'),
    ...staffActor.shape,
  }),
  /** By the member with the card on the reader, by staff (actor), or by the member without the card: phone + PIN (memberPinProof). */
  card_report_loss: z.object({ cardUid, ...staffActor.shape, memberPinProof: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/).optional() }),
  card_cancel_loss: z.object({ cardUid, ...staffActor.shape }),
  card_freeze: z.object({ cardUid, ...staffActor.shape }),
  card_unfreeze: z.object({ cardUid, ...staffActor.shape }),
  /** The replacement fee comes from the card type's fee schedule; `feeCents` is only what the kiosk showed (feeClaim). */
  card_replace: z.object({ cardUid, newCardUid: cardUid, feeCents: feeClaim, feeTender: feeTender.default('stored_value'), ...staffActor.shape }),
  /**
   * Card return (退卡), staff only (store manager and up): the card is closed for good, the member's remaining
   * principal stored value is paid back by `refundTender` (cash at the counter or a bank transfer), bonus value is
   * forfeited, points stay the member's (core/ledger/plan-card-return.ts, docs/ACCOUNTS.md).
   */
  card_return: z.object({ cardUid, refundTender: z.enum(['cash', 'bank_transfer']), ...staffActor.shape }),
  /** A new member registers on the kiosk with a fresh card; the member id is derived from the transaction id. */
  register_member: z.object({
    cardUid,
    name: z.string().trim().min(1).max(64),
    phone: z.string().regex(/^\+?[0-9]{6,20}$/, 'phone is 6–20 digits'),
    referrer: z.union([z.object({ phone: z.string().regex(/^\+?[0-9]{6,20}$/) }), z.object({ memberId: z.string().min(1).max(64) })]).optional(),
    /**
     * What the new member agreed to on the kiosk's consent step (PIPL asks for separate consent per purpose): the
     * terms (required by the kiosk before it queues anything) and, separately, marketing messages. The hub records
     * them in its append-only consent records with the registration. Optional and additive: older kiosks send none.
     */
    consents: z.array(registrationConsentSchema).max(REGISTRATION_CONSENT_PURPOSES.length).refine(distinct((c: { purpose: string }) => c.purpose), 'a registration names each consent purpose once').optional(),
  }),
  /** A paid tier upgrade: the member spends points to move up (e.g. silver → gold for 1000 points). */
  tier_upgrade: z.object({ cardUid, targetTier: z.string().min(1).max(32) }),
  /** One visit on a count card or time card the member bought for a service (e.g. one car wash). */
  punch_card_use: z.object({ cardUid, serviceId: z.string().min(1).max(64) }),
  /**
   * HQ credits (or, negative, corrects) points by hand. Accepted only from the hub's own device "hq"; who and
   * why stay in the recorded payload, so every manual bonus is audited with the transaction row.
   */
  manual_bonus: z.object({ cardUid, points: z.number().int().min(-1e9).max(1e9), reason: z.string().trim().min(1).max(200), ...staffActor.shape }),
  /**
   * A redemption code (兑换码) typed by the member: its points, once (core/codes/redemption-code.ts). The code itself
   * never travels: the kiosk checks its check symbol and sends the SHA-256 of its canonical text. Decided at the
   * hub only (a kiosk offers it only while connected). From HQ (the hub API) it names the staff actor.
   */
  code_redeem: z.object({ cardUid, codeDigest: z.string().regex(/^[0-9a-f]{64}$/, 'codeDigest is the SHA-256 of the code, 64 lowercase hex digits'), ...staffActor.shape }),
  /** One entry in a points draw (积分抽奖): its cost in points; the hub decides the prize (core/draws/draw-outcome.ts). */
  draw_enter: z.object({ cardUid, drawId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
  /**
   * Staff issue another card on the accounts of the member `cardUid` names: a card of an HQ-defined type (a
   * supplementary card with its own limits, a linked or group card, or a personal card of another type), its
   * issue fee from the type's fee schedule (core/ledger/plan-card-issue.ts).
   */
  card_issue: z.object({
    cardUid,
    newCardUid: cardUid,
    cardTypeId: z.string().min(1).max(64),
    /** The holder of an attached card (a family member, an employee of a group), when not the member. */
    holderName: z.string().trim().min(1).max(64).optional(),
    feeTender: feeTender.default('stored_value'),
    feeCents: feeClaim,
    ...staffActor.shape,
  }),
  /** A paid card service from the fee schedule: repair (修卡) or a validity extension (延期). */
  card_service: z.object({ cardUid, service: z.enum(['repair', 'extend']), feeTender: feeTender.default('stored_value'), feeCents: feeClaim, ...staffActor.shape }),
  /** Repays what the member owes on credit (赊账), by counter tender or out of their stored value. */
  credit_repay: z.object({ cardUid, amountCents: positiveCents, tender: feeTender, ...staffActor.shape }),
} satisfies Record<TxKind, z.ZodType>;

export const transactionSchemas = Object.fromEntries(
  TX_KINDS.map((kind) => [kind, txHeaderSchema.extend({ kind: z.literal(kind) }).extend(bodies[kind].shape)]),
) as unknown as { [K in TxKind]: z.ZodType<TxHeader & { kind: K } & z.infer<(typeof bodies)[K]>> };

export type Transaction = { [K in TxKind]: TxHeader & { kind: K } & z.output<(typeof bodies)[K]> }[TxKind];
export type TransactionOf<K extends TxKind> = Extract<Transaction, { kind: K }>;
/** What a device writes before defaults are applied (e.g. feeCents may be left out). */
export type TransactionInput = { [K in TxKind]: TxHeaderInput & { kind: K } & z.input<(typeof bodies)[K]> }[TxKind];
type TxHeaderInput = z.input<typeof txHeaderSchema>;

/**
 * Kinds only the hub makes, as HQ (device "hq"), from its own sweeps: they name a member rather than a card,
 * because a member's points expire and their tier is reviewed whatever the state of their cards. Not in
 * TX_KINDS: a kiosk's outbox never builds them, and the ledger refuses one from any device but HQ with
 * TX_NOT_ALLOWED_FROM_DEVICE (recorded, like a manual bonus from a kiosk). The ledger reads them with
 * `hqOnlyTransactionSchemas`; a kiosk's parser calls them unknown.
 */
export const HQ_ONLY_TX_KINDS = ['points_expiry', 'tier_review', 'annual_fee', 'credit_charge', 'member_import'] as const;
export type HqOnlyTxKind = (typeof HQ_ONLY_TX_KINDS)[number];

const memberIdField = z.string().min(1).max(64);
const utcInstant = z.iso.datetime({ offset: false, message: 'an ISO-8601 UTC time ending in Z' });

const hqOnlyBodies = {
  /**
   * Takes every points lot of the member that expired by `asOf` and still holds points out of the balance,
   * one journal entry per lot. The lots are read when it is applied, so a second sweep finds nothing due.
   */
  points_expiry: z.object({ memberId: memberIdField, asOf: utcInstant }),
  /**
   * Moves the member to the tier a closed review period earned them (`figure`: that period's points earned or
   * spend in cents, per the tier basis). `tierBefore` is the tier the review was planned against: a member
   * whose tier changed since is refused (TIER_REVIEW_STALE), never moved twice.
   */
  tier_review: z.object({
    memberId: memberIdField,
    period: z.string().min(1).max(16),
    figure: z.number().int().min(-1e13).max(1e13),
    tierBefore: z.string().max(32),
    tierAfter: z.string().min(1).max(32),
  }),
  /**
   * A card's annual fee (年费; an attached card's is its own type's, 附属卡年费) for one fee year, charged in the
   * card's issue month. The id is derived from card and year (hub/hq), so a second sweep finds it applied.
   */
  annual_fee: z.object({ memberId: memberIdField, cardUid, year: z.number().int().min(2000).max(9999) }),
  /**
   * The late fee and interest the chain's credit terms charge on a statement left unpaid past its due date, once
   * per statement: the sweep skips a statement it finds charged, and the ledger refuses a second charge of the
   * same member and statement (CREDIT_CHARGE_INVALID).
   */
  credit_charge: z.object({ memberId: memberIdField, statement: z.string().regex(/^[0-9]{4}-[0-9]{2}$/, 'statement is YYYY-MM'), lateFeeCents: z.number().int().nonnegative(), interestCents: z.number().int().nonnegative() }),
  /**
   * One member of a file imported from a chain's old system (hub/members-import/): the member, their card and their
   * opening balances (principal, bonus value, points as one lot). `memberId` is derived from the file's SHA-256
   * (`importId`) and the row, so the same file applied again is refused (MEMBER_EXISTS), never doubled.
   */
  member_import: z.object({
    memberId: memberIdField,
    importId: z.string().regex(/^[0-9a-f]{64}$/, 'importId is the SHA-256 of the file, 64 lowercase hex digits'),
    row: z.number().int().positive(),
    cardUid,
    name: z.string().trim().min(1).max(64),
    phone: z.string().regex(/^\+?[0-9]{6,20}$/, 'phone is 6–20 digits'),
    tier: z.string().min(1).max(32),
    homeStoreId: z.string().min(1).max(64),
    storedValueCents: z.number().int().nonnegative().max(1e13),
    bonusValueCents: z.number().int().nonnegative().max(1e13),
    points: z.number().int().nonnegative().max(1e12),
    referrerPhone: z.string().regex(/^\+?[0-9]{6,20}$/).optional(),
    /** The staff member who imported the file (the route checked their role; the audit log has the import). */
    importedBy: z.string().min(1).max(64),
  }),
} satisfies Record<HqOnlyTxKind, z.ZodType>;

export const hqOnlyTransactionSchemas = Object.fromEntries(
  HQ_ONLY_TX_KINDS.map((kind) => [kind, txHeaderSchema.extend({ kind: z.literal(kind) }).extend(hqOnlyBodies[kind].shape)]),
) as unknown as { [K in HqOnlyTxKind]: z.ZodType<TxHeader & { kind: K } & z.infer<(typeof hqOnlyBodies)[K]>> };

export type HqOnlyTransaction = { [K in HqOnlyTxKind]: TxHeader & { kind: K } & z.output<(typeof hqOnlyBodies)[K]> }[HqOnlyTxKind];
export type HqOnlyTransactionOf<K extends HqOnlyTxKind> = Extract<HqOnlyTransaction, { kind: K }>;
export type HqOnlyTransactionInput = { [K in HqOnlyTxKind]: TxHeaderInput & { kind: K } & z.input<(typeof hqOnlyBodies)[K]> }[HqOnlyTxKind];
/** Everything the ledger applies: what kiosks send and what only HQ makes. */
export type LedgerTransaction = Transaction | HqOnlyTransaction;

export function isHqOnlyTxKind(kind: string): kind is HqOnlyTxKind {
  return (HQ_ONLY_TX_KINDS as readonly string[]).includes(kind);
}

export function isHqOnlyTransaction(tx: LedgerTransaction): tx is HqOnlyTransaction {
  return isHqOnlyTxKind(tx.kind);
}

function distinct<T>(key: (item: T) => unknown): (items: T[]) => boolean {
  return (items) => new Set(items.map(key)).size === items.length;
}

export function isTxKind(kind: string): kind is TxKind {
  return (TX_KINDS as readonly string[]).includes(kind);
}
