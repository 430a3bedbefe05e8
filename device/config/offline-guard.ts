/**
 * Offline limits on the kiosk: while the hub cannot be reached (not connected, or it announced itself offline) a
 * sale paying with stored value or points is checked against HQ's limits (effective.offlineLimits, core's
 * checkOfflineSpend) BEFORE it is written to the outbox. Refused: OFFLINE_* (HTTP 409) with a sentence a shopper
 * understands, zh-CN first, saying what is left in yuan. Accepted: the sale is marked `acceptedOffline`, so the
 * hub knows it was taken on a cached balance (and puts what it can no longer cover on the member's shortfall
 * account instead of refusing a sale already made).
 *
 * What counts is what this kiosk accepted offline and the hub has not confirmed yet: the outbox's pending
 * purchases marked acceptedOffline, per card (all of them, and those of the current local day in the rules'
 * timezone) and for the kiosk in total. A held snapshot past its expiry stops offline spending only: balances,
 * earning and paying by other means carry on, and online the hub decides.
 */
import { formatYuan } from '../../core/money/format-yuan.ts';
import { checkOfflineSpend, type OfflineLimits, type OfflineRefusal } from '../../core/config/offline-limits.ts';
import { CodedError } from '../../core/errors/coded-error.ts';
import { clockFor } from '../../core/rules/local-time.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';

export interface OfflineGuardDeps {
  outbox: Pick<Outbox, 'pendingOfflineSpends'>;
  limits: () => OfflineLimits;
  /** The snapshot held has expired (false when none is held: nothing to expire). */
  snapshotExpired: () => boolean;
  /** When the kiosk last heard the hub (kiosk clock, ms); null: never. */
  lastHubContactMs: () => number | null;
  /** The rules' timezone: a card's "day" is the local day there. */
  timezone: () => string;
  /** The kiosk's clock (ms): transactions' createdAt is on it too. */
  now?: () => number;
}

export interface SpendRequest {
  cardUid: string;
  payments: readonly { method?: unknown; amountCents?: unknown; points?: unknown }[];
}

export interface OfflineGuard {
  /**
   * For a sale the kiosk is about to take without the hub: false when it spends neither stored value nor points
   * (nothing to limit, nothing to mark); true when it is within every limit (mark it acceptedOffline); throws
   * CodedError OFFLINE_* otherwise.
   */
  admit(request: SpendRequest): boolean;
}

export function spendOf(payments: SpendRequest['payments']): { storedValueCents: number; points: number } {
  let storedValueCents = 0;
  let points = 0;
  for (const p of payments) {
    if (p.method === 'stored_value' && typeof p.amountCents === 'number') storedValueCents += p.amountCents;
    if (p.method === 'points' && typeof p.points === 'number') points += p.points;
  }
  return { storedValueCents, points };
}

export function createOfflineGuard(deps: OfflineGuardDeps): OfflineGuard {
  const now = deps.now ?? Date.now;
  return {
    admit(request) {
      const spend = spendOf(request.payments);
      if (spend.storedValueCents <= 0 && spend.points <= 0) return false;
      const nowMs = now();
      const clock = clockFor(deps.timezone());
      const today = clock.at(new Date(nowMs).toISOString()).yyyymmdd;
      const card = { spends: 0, storedValueTodayCents: 0, pointsToday: 0 };
      let kioskUnconfirmedCents = 0;
      for (const entry of deps.outbox.pendingOfflineSpends()) {
        kioskUnconfirmedCents += entry.storedValueCents;
        if (entry.cardUid !== request.cardUid) continue;
        card.spends += 1;
        if (clock.at(entry.createdAt).yyyymmdd !== today) continue;
        card.storedValueTodayCents += entry.storedValueCents;
        card.pointsToday += entry.points;
      }
      const limits = deps.limits();
      const refusal = checkOfflineSpend({ limits, lastHubContactMs: deps.lastHubContactMs(), nowMs, snapshotExpired: deps.snapshotExpired(), card, kioskUnconfirmedCents, spend });
      if (refusal) throw new CodedError(refusal.code, offlineRefusalMessage(refusal), { ...refusal });
      return true;
    },
  };
}

/** "¥1,234.56" from integer cents, by integer arithmetic (core's, as the screens show money). */
export const yuan = formatYuan;

/** What the shopper reads: zh-CN, then English. */
export function offlineRefusalMessage(refusal: OfflineRefusal): string {
  switch (refusal.code) {
    case 'OFFLINE_CARD_DAY_LIMIT':
      return `本机暂时离线，今日离线储值余额还可用 ${yuan(refusal.leftCents)}，请减少金额或使用其他方式支付。 / The kiosk is offline: this card can spend ${yuan(refusal.leftCents)} more of stored value today. Please pay less, or pay another way.`;
    case 'OFFLINE_CARD_POINTS_LIMIT':
      return `本机暂时离线，今日离线积分还可用 ${refusal.leftPoints} 分。 / The kiosk is offline: this card can spend ${refusal.leftPoints} more points today.`;
    case 'OFFLINE_KIOSK_EXPOSURE':
      return `本机暂时离线，离线储值额度还剩 ${yuan(refusal.leftCents)}，请使用其他方式支付。 / The kiosk is offline and can take only ${yuan(refusal.leftCents)} more of stored value until it is back online. Please pay another way.`;
    case 'OFFLINE_CARD_SPENDS':
      return `本机暂时离线，每张卡离线最多可用储值或积分支付 ${refusal.spendsPerCard} 次，请联网后再试或使用其他方式支付。 / The kiosk is offline: a card can pay with stored value or points ${refusal.spendsPerCard} times until it is back online. Please pay another way.`;
    case 'OFFLINE_TOO_LONG':
      return `本机离线已超过 ${refusal.maxOfflineHours} 小时，联网前暂不能使用储值或积分支付。 / The kiosk has been offline for more than ${refusal.maxOfflineHours} hours: stored value and points cannot be used until it is back online.`;
    case 'OFFLINE_SNAPSHOT_EXPIRED':
      return '本机配置已过期，联网更新前暂不能离线使用储值或积分；余额查询和积分累计不受影响。 / This kiosk\'s configuration has expired: stored value and points cannot be used offline until it is renewed. Balances and earning points still work.';
  }
}
