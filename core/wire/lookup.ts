/** Online look-ups: `devices/{id}/request/{rid}` → `devices/{id}/response/{rid}`. */
import { z } from 'zod';
import type { ErrorCode } from '../errors/codes.ts';
import { balancesSchema } from './result.ts';
import { paymentSchema, purchaseLineSchema } from './transaction.ts';
import { pinSchema } from '../identity/pin.ts';
import { HISTORY_CURSOR_PATTERN } from './history-cursor.ts';
import { storeProfileSchema } from '../fleet/store-profile.ts';

/** The most entries one member.history page may ask for. */
export const MAX_HISTORY_PAGE = 50;

/** A basket priced for one member by the hub's rules; the kiosk charges `totalCents`. */
export const quoteSchema = z.object({
  bundleVersion: z.number().int(),
  subtotalCents: z.number().int(),
  discountCents: z.number().int(),
  totalCents: z.number().int(),
  lines: z.array(z.object({ lineNo: z.number().int(), netCents: z.number().int(), discountCents: z.number().int() })),
  /** Points the basket earns when paid in money (a points payment earns less). */
  pointsEarned: z.number().int(),
  trace: z.array(z.string()),
});
export type Quote = z.infer<typeof quoteSchema>;

export const lookupRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('member.byCard'), cardUid: z.string().regex(/^[0-9A-F]{4,32}$/) }),
  /**
   * What the kiosk may offer the member whose card is on its reader: gifts in stock, paid upgrades from their
   * tier, points-payment terms. Look-ups name the card, never a member id: a kiosk learns about a member only
   * from a card someone holds to its reader.
   */
  z.object({ op: z.literal('catalog'), cardUid: z.string().regex(/^[0-9A-F]{4,32}$/) }),
  /** What this basket costs this member under the rules (member prices, discounts) and what it would earn. */
  /**
   * The hub's latest rules bundle, so a kiosk prices and explains baskets itself when the hub is away. (Signed
   * bundles pushed on config topics replace this fetch with the provisioning/config work; the kiosk side stays.)
   */
  z.object({ op: z.literal('rules.latest') }),
  /**
   * Sent by a kiosk each time it connects: its current signed configuration set (signing-key certificate,
   * snapshot, scope bundles; core/config/config-documents.ts), which it checks with core/config/accept-config-set.ts
   * before applying. The same set is retained on topics.configSet(deviceId) for changes while connected.
   */
  z.object({ op: z.literal('config.current') }),
  /**
   * Sent by a kiosk each time it connects: its own clock (ms since 1970) as it sends. The hub answers with its
   * clock and the offset it measured (hub − kiosk), records it, and raises CLOCK_SKEW when it is large.
   */
  z.object({ op: z.literal('clock.sync'), kioskTime: z.number().int().nonnegative().max(8.64e15) }),
  /**
   * A staff card tapped on this kiosk's reader and the PIN typed on its screen: the hub checks both (with a
   * lockout) and opens a staff session bound to this kiosk, which the kiosk names in its staff transactions.
   */
  z.object({ op: z.literal('staff.signIn'), cardUid: z.string().regex(/^[0-9A-F]{4,32}$/), pin: pinSchema }),
  z.object({ op: z.literal('staff.signOut'), sessionId: z.string().min(16).max(64) }),
  /**
   * The member PIN of the card on the reader: set (the first time by the member; again only inside a clerk's
   * staff session, named here) or checked (the hub then gives this kiosk a short-lived proof).
   */
  z.object({ op: z.literal('member.setPin'), cardUid: z.string().regex(/^[0-9A-F]{4,32}$/), pin: pinSchema, staffSessionId: z.string().min(16).max(64).optional() }),
  z.object({ op: z.literal('member.verifyPin'), cardUid: z.string().regex(/^[0-9A-F]{4,32}$/), pin: pinSchema }),
  /** A member whose card is gone proves who they are with phone + PIN, to report the card lost. */
  z.object({ op: z.literal('member.verifyPhonePin'), phone: z.string().regex(/^\+?[0-9]{6,20}$/), pin: pinSchema }),
  /**
   * A technician's (or HQ admin's) hub login and password typed into this kiosk's Node-RED editor: the hub checks
   * them (with the lockout, audited) and whether the account may edit this kiosk's flows, and keeps no session open.
   */
  z.object({ op: z.literal('staff.editorLogin'), login: z.string().min(1).max(64), password: z.string().min(1).max(200) }),
  /** How the hub has this kiosk stand (attended or unattended): asked on each connect. */
  z.object({ op: z.literal('device.profile') }),
  z.object({ op: z.literal('quote'), cardUid: z.string().regex(/^[0-9A-F]{4,32}$/), storeId: z.string().min(1).max(64), bundleVersion: z.number().int().nonnegative().optional(), lines: z.array(purchaseLineSchema).min(1).max(200) }),
  /**
   * Anti-counterfeit check of a redemption code (防伪), without using it: the SHA-256 of the code the kiosk read
   * (core/codes/redemption-code.ts). The hub answers at most a few per minute per kiosk (CODE_VERIFY_RATE_LIMITED).
   */
  z.object({ op: z.literal('code.verify'), codeDigest: z.string().regex(/^[0-9a-f]{64}$/) }),
  /** The points draws open now (积分抽奖), with their cost, prizes, odds and stock left. */
  z.object({ op: z.literal('draws.open') }),
  /**
   * A page of the history of the member whose card is on the reader, newest first: `limit` entries older than the
   * cursor `before` (a page's `next`; absent: from the newest). Answered with `{ entries, next }`.
   */
  z.object({ op: z.literal('member.history'), cardUid: z.string().regex(/^[0-9A-F]{4,32}$/), before: z.string().regex(HISTORY_CURSOR_PATTERN).optional(), limit: z.number().int().min(1).max(MAX_HISTORY_PAGE) }),
  /**
   * The lines of one earlier purchase of the card's member, made on any device (退货 at a kiosk): answered with
   * `{ purchaseLines }` only when the card's member owns the purchase (else REFUND_UNKNOWN_PURCHASE).
   */
  z.object({ op: z.literal('purchase.lines'), cardUid: z.string().regex(/^[0-9A-F]{4,32}$/), purchaseTxId: z.string().min(1).max(64) }),
]);
export type LookupRequest = z.infer<typeof lookupRequestSchema>;

export const historyEntrySchema = z.object({
  txId: z.string(),
  kind: z.string(),
  at: z.string(),
  valueDeltaCents: z.number().int(),
  pointsDelta: z.number().int(),
  status: z.enum(['applied', 'rejected']),
  /** Labels (optional: older hubs send none). The store the transaction was made in (HQ's own: 'hq'; null: none named). */
  storeId: z.string().nullable().optional(),
  /** Why a rejected transaction was refused (a code of core's registry, read as any string). */
  code: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** A purchase as the ledger recorded it, for a refund of chosen lines (look-up purchase.lines). */
export const purchaseLinesSchema = z.object({
  txId: z.string(),
  /** When it was made, as the ledger dated it (ISO). */
  at: z.string(),
  lines: z.array(purchaseLineSchema),
  /** How it was paid, as sent (a refund pays back the same ways, in proportion). */
  payments: z.array(paymentSchema),
  /** What the ledger charged (after member prices and discounts). */
  totalCents: z.number().int(),
  /** Lines refunded already: a refund naming them again is refused (REFUND_BAD_LINES). */
  refundedLineNos: z.array(z.number().int()),
});
export type PurchaseLines = z.infer<typeof purchaseLinesSchema>;

export const serviceCardViewSchema = z.object({
  serviceId: z.string(),
  punchesLeft: z.number().int().nullable(),
  validUntil: z.string().nullable(),
});
export type ServiceCardView = z.infer<typeof serviceCardViewSchema>;

/** A card's type as the view shows it: the type id (null: the rules' default), its label, an attached card's holder. */
const cardTypeFields = {
  cardType: z.string().nullable().optional(),
  cardTypeLabel: z.string().nullable().optional(),
  holderName: z.string().nullable().optional(),
};

export const memberViewSchema = z.object({
  memberId: z.string(),
  name: z.string(),
  /** Phone with all but the last four digits masked: the kiosk screen never shows a full number. */
  phoneMasked: z.string(),
  tier: z.string(),
  /** The card looked up; its type (卡类型), the type's label and an attached card's holder where known (optional: older hubs). */
  card: z.object({ uid: z.string(), status: z.string(), validUntil: z.string().nullable(), ...cardTypeFields }),
  balances: balancesSchema,
  creditLimitCents: z.number().int(),
  history: z.array(historyEntrySchema),
  asOf: z.string(),
  /**
   * Count cards and time cards, one per service: visits left (null: time-only card) and validity end.
   * Optional so views from a hub that predates count cards (and kiosk-cached views) still parse.
   */
  serviceCards: z.array(serviceCardViewSchema).optional(),
  /** Every card on the member's accounts (their own, supplementary, linked, group), oldest first (optional: older hubs). */
  cards: z.array(z.object({ uid: z.string(), status: z.string(), validUntil: z.string().nullable(), ...cardTypeFields })).optional(),
  /**
   * Credit (赊账): what the member owes, the limit that applies (their own, else their card type's), what is left
   * and the most serious warning, for the screens. Absent where the rules offer no credit and nothing is owed
   * (and from hubs that predate credit).
   */
  credit: z
    .object({
      owedCents: z.number().int(),
      limitCents: z.number().int(),
      availableCents: z.number().int(),
      warning: z.enum(['near_limit', 'over_limit', 'overdue']).nullable(),
    })
    .optional(),
  /**
   * The cursor of the page after `history` (look-up member.history `before`); null: nothing older. Optional, like
   * every field below: views from older hubs and views a kiosk cached before still parse.
   */
  historyNext: z.string().nullable().optional(),
  /**
   * The soonest future expiry of the member's spendable points and the points expiring on that local day (rules'
   * time zone) — core/ledger/next-points-expiry.ts. null: no points expire.
   */
  pointsExpiry: z.object({ nextAt: z.string(), points: z.number().int() }).nullable().optional(),
  /**
   * How far the next tier is, by the rules the hub applies to the asking kiosk's transactions (core/rules/tier-progress.ts):
   * `have` of `need` in `metric` ('points', 'spend_cents' or 'visits'; read as any string, so a newer hub's metric
   * does not break an older kiosk), `by` the end of the review period under a reevaluate policy. null: no tiers.
   */
  tierProgress: z
    .object({
      current: z.string(),
      next: z.string().nullable(),
      metric: z.string(),
      have: z.number().int(),
      need: z.number().int(),
      by: z.string().nullable(),
      periodHave: z.number().int().nullable().optional(),
    })
    .nullable()
    .optional(),
  /** The figures tierProgress was computed from, so a kiosk recomputes it from a cached view with its own rules. */
  tierFigures: z
    .object({
      pointsEarned: z.number().int(),
      spendCents: z.number().int(),
      visits: z.number().int(),
      period: z.object({ key: z.string(), pointsEarned: z.number().int(), spendCents: z.number().int() }).nullable(),
    })
    .optional(),
});
export type MemberView = z.infer<typeof memberViewSchema>;

export const catalogSchema = z.object({
  memberId: z.string(),
  /** The tier the upgrades start from (the member's tier when the hub answered). */
  tier: z.string(),
  /** The rules bundle the upgrades and terms come from: the hub's latest, which is what it applies to a kiosk naming version 0. */
  bundleVersion: z.number().int(),
  /** Gifts with stock left, cheapest first. */
  gifts: z.array(z.object({ sku: z.string(), name: z.string(), pointsPrice: z.number().int().positive(), stock: z.number().int().positive() })),
  /** Paid upgrades the bundle offers from `tier`. */
  upgrades: z.array(z.object({ to: z.string(), points: z.number().int().positive() })),
  /**
   * Paying with points; null when the bundle does not allow it. The share is in basis points (10 000 = the
   * whole bill) so the screen computes the limit with integers, never by multiplying a decimal.
   */
  pointsPayment: z
    .object({ pointsPerYuan: z.number().int().positive(), maxShareBasisPoints: z.number().int().min(0).max(10_000), minPoints: z.number().int().nonnegative() })
    .nullable(),
});
export type Catalog = z.infer<typeof catalogSchema>;

export const staffSessionViewSchema = z.object({
  sessionId: z.string(),
  staffId: z.string(),
  name: z.string(),
  role: z.string(),
  storeIds: z.array(z.string()),
  expiresAt: z.string(),
  /** The transaction kinds the role may start (the screen offers only these). */
  mayDo: z.array(z.string()),
});
export type StaffSessionView = z.infer<typeof staffSessionViewSchema>;

/** What the anti-counterfeit check says of a code: genuine (issued, unused, unexpired), used, expired, or unknown (never issued). */
export const codeVerificationSchema = z.object({
  status: z.enum(['genuine', 'used', 'expired', 'unknown']),
  /** For an issued code: the product its label is on, the points it gives and until when. */
  sku: z.string().optional(),
  points: z.number().int().optional(),
  expiresAt: z.string().optional(),
  usedAt: z.string().nullable().optional(),
});
export type CodeVerificationView = z.infer<typeof codeVerificationSchema>;

/** A points draw as a kiosk offers it. A prize's odds are weight / totalWeight. */
export const openDrawSchema = z.object({
  drawId: z.string(),
  name: z.string(),
  costPoints: z.number().int(),
  closesAt: z.string(),
  /** SHA-256 of the seed, committed before the draw opened (revealed when it closes). */
  seedSha256: z.string(),
  totalWeight: z.number().int(),
  prizes: z.array(
    z.object({
      prizeId: z.string(),
      name: z.string(),
      round: z.enum(['instant', 'second_chance']),
      kind: z.string(),
      points: z.number().int().nullable(),
      weight: z.number().int(),
      stockLeft: z.number().int(),
    }),
  ),
});
export type OpenDraw = z.infer<typeof openDrawSchema>;

export const deviceProfileSchema = z.object({
  mode: z.enum(['unattended', 'attended']),
  /**
   * The kiosk's store as the hub's fleet has it (core/fleet/store-profile.ts): name, address, phone, time zone.
   * Optional (older hubs send none), and one the kiosk cannot read is dropped alone, never the mode with it.
   */
  store: storeProfileSchema.optional().catch(undefined),
});
export type DeviceProfile = z.infer<typeof deviceProfileSchema>;

export const lookupResponseSchema = z.union([
  z.object({ ok: z.literal(true), staffSession: staffSessionViewSchema }),
  z.object({ ok: z.literal(true), signedOut: z.literal(true) }),
  /** staff.editorLogin: the account the login and password belong to, allowed to edit this kiosk's flows. */
  z.object({ ok: z.literal(true), editor: z.object({ staffId: z.string(), name: z.string(), role: z.string(), storeIds: z.array(z.string()) }) }),
  z.object({ ok: z.literal(true), pinSet: z.literal(true) }),
  /** For verifyPhonePin, also the member's active card, which the loss report names (its UID never reaches the screen). */
  z.object({ ok: z.literal(true), pinProof: z.object({ proofId: z.string(), expiresAt: z.string() }), cardUid: z.string().optional() }),
  z.object({ ok: z.literal(true), profile: deviceProfileSchema }),
  z.object({ ok: z.literal(true), member: memberViewSchema }),
  z.object({ ok: z.literal(true), catalog: catalogSchema }),
  z.object({ ok: z.literal(true), quote: quoteSchema }),
  z.object({ ok: z.literal(true), code: codeVerificationSchema }),
  z.object({ ok: z.literal(true), draws: z.array(openDrawSchema) }),
  /** member.history: a page of entries, newest first, and the cursor of the next older page (null: none). */
  z.object({ ok: z.literal(true), entries: z.array(historyEntrySchema), next: z.string().nullable() }),
  /** purchase.lines: one purchase of the card's member, with the lines refunded already. */
  z.object({ ok: z.literal(true), purchaseLines: purchaseLinesSchema }),
  z.object({ ok: z.literal(true), clock: z.object({ hubTime: z.number().int(), offsetMs: z.number().int() }) }),
  /** A configuration set: checked by the kiosk (accept-config-set.ts) before anything in it is used. */
  z.object({ ok: z.literal(true), configSet: z.record(z.string(), z.unknown()) }),
  /** Validated by the kiosk with parseRulesBundle before use. */
  z.object({ ok: z.literal(true), rules: z.record(z.string(), z.unknown()) }),
  /** A refusal: a code of core's registry. Read as any string, so a kiosk reads a newer hub's codes too. */
  z.object({ ok: z.literal(false), code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
]);
/** A look-up response as a reader takes it: a refusal's code is whatever the hub sent. */
export type LookupResponse = z.infer<typeof lookupResponseSchema>;
/** A look-up response as the hub (or a fake of it) makes one: a refusal names a registry code. */
export type LookupAnswer = Exclude<LookupResponse, { ok: false }> | { ok: false; code: ErrorCode; message: string; details?: Record<string, unknown> };
