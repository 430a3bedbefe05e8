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

/** Biggest transaction payload the hub reads; a basket of 200 lines fits in a fraction of it. */
export const MAX_TX_BYTES = 64 * 1024;

const cents = z.number().int().min(-1e13).max(1e13);
const positiveCents = z.number().int().positive().max(1e13);
const cardUid = z.string().regex(/^[0-9A-F]{4,32}$/, 'card UID is 4–32 uppercase hex digits');

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
  'register_member',
  'tier_upgrade',
  'punch_card_use',
  'manual_bonus',
] as const;
export type TxKind = (typeof TX_KINDS)[number];

export const txHeaderSchema = z.object({
  id: z.string().regex(ULID_PATTERN, 'id is a ULID'),
  deviceId: z.string().regex(DEVICE_ID_PATTERN),
  /** The device's own counter, 1, 2, 3...: the hub applies a device's transactions in this order, without gaps. */
  seq: z.number().int().positive(),
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
]);
export type PaymentWire = z.infer<typeof paymentSchema>;

const staffActor = z.object({ staffCardUid: cardUid });

const bodies = {
  purchase: z.object({
    cardUid,
    lines: z.array(purchaseLineSchema).min(1).max(200),
    payments: z.array(paymentSchema).min(1).max(10),
    /** Events the member takes part in with this purchase (event bonus rules name them). */
    eventIds: z.array(z.string().min(1).max(64)).max(10).optional(),
    /** What the kiosk's own engine computed (same bundle version); the hub recomputes and records any difference. */
    claimed: z.object({ totalCents: cents, pointsEarned: z.number().int() }).optional(),
  }),
  top_up: z.object({ cardUid, amountCents: positiveCents, tender: z.enum(['cash', 'bank_card', 'mobile']), ...staffActor.shape }),
  redeem_gift: z.object({ cardUid, giftSku: z.string().min(1).max(64), qty: z.number().int().positive().max(100) }),
  refund: z.object({
    cardUid,
    purchaseTxId: z.string().regex(ULID_PATTERN),
    lineNos: z.array(z.number().int().positive()).min(1).max(200),
    ...staffActor.shape,
  }),
  card_report_loss: z.object({ cardUid, ...staffActor.partial().shape }),
  card_cancel_loss: z.object({ cardUid, ...staffActor.shape }),
  card_freeze: z.object({ cardUid, ...staffActor.shape }),
  card_unfreeze: z.object({ cardUid, ...staffActor.shape }),
  card_replace: z.object({ cardUid, newCardUid: cardUid, feeCents: cents.nonnegative().default(0), ...staffActor.shape }),
  /** A new member registers on the kiosk with a fresh card; the member id is derived from the transaction id. */
  register_member: z.object({
    cardUid,
    name: z.string().trim().min(1).max(64),
    phone: z.string().regex(/^\+?[0-9]{6,20}$/, 'phone is 6–20 digits'),
    referrer: z.union([z.object({ phone: z.string().regex(/^\+?[0-9]{6,20}$/) }), z.object({ memberId: z.string().min(1).max(64) })]).optional(),
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
} satisfies Record<TxKind, z.ZodType>;

export const transactionSchemas = Object.fromEntries(
  TX_KINDS.map((kind) => [kind, txHeaderSchema.extend({ kind: z.literal(kind) }).extend(bodies[kind].shape)]),
) as unknown as { [K in TxKind]: z.ZodType<TxHeader & { kind: K } & z.infer<(typeof bodies)[K]>> };

export type Transaction = { [K in TxKind]: TxHeader & { kind: K } & z.output<(typeof bodies)[K]> }[TxKind];
export type TransactionOf<K extends TxKind> = Extract<Transaction, { kind: K }>;
/** What a device writes before defaults are applied (e.g. feeCents may be left out). */
export type TransactionInput = { [K in TxKind]: TxHeader & { kind: K } & z.input<(typeof bodies)[K]> }[TxKind];

export function isTxKind(kind: string): kind is TxKind {
  return (TX_KINDS as readonly string[]).includes(kind);
}
