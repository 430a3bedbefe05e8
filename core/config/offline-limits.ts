/**
 * How far a kiosk may go without the hub (HQ sets these in the configuration). Spending — stored value or points
 * — is what can go wrong offline, because the kiosk only knows a cached balance: earning and showing balances
 * carry on without limit. Square's offline mode allows 24 h of card payments; ours defaults to 72 h because the
 * spends are bounded per card and per kiosk and what the hub can no longer cover goes to a shortfall account.
 */
import { z } from 'zod';

const cents = z.number().int().nonnegative();
export const offlineLimitsSchema = z.strictObject({
  /** Stored value one card may spend offline per local day, in cents. */
  perCardPerDayCents: cents,
  /** Points one card may spend offline per local day. */
  pointsPerCardPerDay: z.number().int().nonnegative(),
  /** Offline spends (sales paid with stored value or points) one card may make before the hub confirms them. */
  spendsPerCard: z.number().int().nonnegative(),
  /** Stored value all cards together may spend offline on this kiosk while unconfirmed, in cents. */
  kioskExposureCents: cents,
  /** After this long without the hub, the kiosk takes no offline spend at all. */
  maxOfflineHours: z.number().int().positive(),
});
export type OfflineLimits = z.infer<typeof offlineLimitsSchema>;

export const DEFAULT_OFFLINE_LIMITS: OfflineLimits = {
  perCardPerDayCents: 50_000,
  pointsPerCardPerDay: 20_000,
  spendsPerCard: 3,
  kioskExposureCents: 500_000,
  maxOfflineHours: 72,
};

/** What the kiosk has accepted offline and the hub has not confirmed yet, plus the spend being asked for. */
export interface OfflineSpendCheck {
  limits: OfflineLimits;
  /** When the kiosk last heard the hub (ms since epoch); null: never. */
  lastHubContactMs: number | null;
  nowMs: number;
  /** The snapshot the kiosk runs under has expired: balances and earning carry on, spending stops. */
  snapshotExpired: boolean;
  /** This card's unconfirmed offline spends (all of them) and those made on the current local day. */
  card: { spends: number; storedValueTodayCents: number; pointsToday: number };
  /** All cards' unconfirmed offline stored-value spends on this kiosk. */
  kioskUnconfirmedCents: number;
  spend: { storedValueCents: number; points: number };
}

export type OfflineRefusal =
  | { code: 'OFFLINE_SNAPSHOT_EXPIRED' }
  | { code: 'OFFLINE_TOO_LONG'; maxOfflineHours: number }
  | { code: 'OFFLINE_CARD_SPENDS'; spendsPerCard: number }
  | { code: 'OFFLINE_CARD_DAY_LIMIT'; leftCents: number }
  | { code: 'OFFLINE_CARD_POINTS_LIMIT'; leftPoints: number }
  | { code: 'OFFLINE_KIOSK_EXPOSURE'; leftCents: number };

/** null: the spend is within every limit. A spend of nothing (cash, bank card) is never limited. */
export function checkOfflineSpend(check: OfflineSpendCheck): OfflineRefusal | null {
  const { limits, spend, card } = check;
  if (spend.storedValueCents <= 0 && spend.points <= 0) return null;
  if (check.snapshotExpired) return { code: 'OFFLINE_SNAPSHOT_EXPIRED' };
  const offlineMs = check.lastHubContactMs === null ? Number.POSITIVE_INFINITY : check.nowMs - check.lastHubContactMs;
  if (offlineMs > limits.maxOfflineHours * 3_600_000) return { code: 'OFFLINE_TOO_LONG', maxOfflineHours: limits.maxOfflineHours };
  if (card.spends + 1 > limits.spendsPerCard) return { code: 'OFFLINE_CARD_SPENDS', spendsPerCard: limits.spendsPerCard };
  if (card.storedValueTodayCents + spend.storedValueCents > limits.perCardPerDayCents) {
    return { code: 'OFFLINE_CARD_DAY_LIMIT', leftCents: Math.max(0, limits.perCardPerDayCents - card.storedValueTodayCents) };
  }
  if (card.pointsToday + spend.points > limits.pointsPerCardPerDay) {
    return { code: 'OFFLINE_CARD_POINTS_LIMIT', leftPoints: Math.max(0, limits.pointsPerCardPerDay - card.pointsToday) };
  }
  if (check.kioskUnconfirmedCents + spend.storedValueCents > limits.kioskExposureCents) {
    return { code: 'OFFLINE_KIOSK_EXPOSURE', leftCents: Math.max(0, limits.kioskExposureCents - check.kioskUnconfirmedCents) };
  }
  return null;
}
