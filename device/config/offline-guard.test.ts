import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_OFFLINE_LIMITS, type OfflineLimits } from '../../core/config/offline-limits.ts';
import { isCodedError } from '../../core/errors/coded-error.ts';
import { openOutbox, type Outbox } from '../outbox/sqlite-outbox.ts';
import { createCaptureLogger } from '../test-support/capture-logger.ts';
import { makeTempDir } from '../test-support/temp-dir.ts';
import { createTransactionFactory } from '../tx/transaction-factory.ts';
import { createOfflineGuard, offlineRefusalMessage, yuan, type OfflineGuard } from './offline-guard.ts';

const CARD = '04A1B2C3D4';
const OTHER = '04B0B0B0B0';
/** 2026-12-01 10:00 in Shanghai. */
const NOW = Date.parse('2026-12-01T02:00:00Z');
const HOUR = 3_600_000;

function refusalOf(fn: () => unknown): { code: string; message: string; details: unknown } | null {
  try {
    fn();
    return null;
  } catch (error) {
    if (!isCodedError(error)) throw error;
    return { code: error.code, message: error.message, details: error.details };
  }
}

describe('offline limits on the kiosk', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let outbox: Outbox;
  let clock: number;
  let limits: OfflineLimits;
  let expired: boolean;
  let lastContact: number | null;
  let guard: OfflineGuard;

  beforeEach(() => {
    temp = makeTempDir();
    clock = NOW;
    limits = DEFAULT_OFFLINE_LIMITS;
    expired = false;
    lastContact = NOW - HOUR;
    const factory = createTransactionFactory({ deviceId: 'kiosk-1', storeId: 'store-1', now: () => clock });
    outbox = openOutbox({ path: join(temp.dir, 'device.sqlite'), deviceId: 'kiosk-1', logger: createCaptureLogger().logger, factory });
    guard = createOfflineGuard({ outbox, limits: () => limits, snapshotExpired: () => expired, lastHubContactMs: () => lastContact, timezone: () => 'Asia/Shanghai', now: () => clock });
  });
  afterEach(() => {
    outbox.close();
    temp.cleanup();
  });

  const storedValue = (cents: number, cardUid = CARD) => ({ cardUid, payments: [{ method: 'stored_value', amountCents: cents }] });
  /** A sale taken offline, as the kiosk writes it. */
  const takeOffline = (cents: number, cardUid = CARD, points = 0) =>
    outbox.append({ kind: 'purchase', cardUid, acceptedOffline: true, lines: [{ lineNo: 1, sku: 'X', category: 'c', qty: 1, unitPriceCents: cents + points / 100 }], payments: [...(cents > 0 ? [{ method: 'stored_value' as const, amountCents: cents }] : []), ...(points > 0 ? [{ method: 'points' as const, points }] : [])] });

  it('refuses ¥5,000 of stored value against a cached ¥996.50 balance, saying in yuan what is left today', () => {
    const refusal = refusalOf(() => guard.admit(storedValue(500_000)));
    expect(refusal).toMatchObject({ code: 'OFFLINE_CARD_DAY_LIMIT', details: { leftCents: 50_000 } });
    expect(refusal?.message).toContain('今日离线储值余额还可用 ¥500.00');
    expect(refusal?.message).toContain('¥500.00 more of stored value today');
    expect(outbox.depth()).toBe(0);
  });

  it('counts what it took offline and the hub has not confirmed: per card and local day, and for the kiosk', () => {
    expect(guard.admit(storedValue(20_000))).toBe(true);
    takeOffline(20_000);
    expect(refusalOf(() => guard.admit(storedValue(40_000)))).toMatchObject({ code: 'OFFLINE_CARD_DAY_LIMIT', details: { leftCents: 30_000 } });
    // Another card has its own day; a sale the hub confirmed no longer counts.
    expect(guard.admit(storedValue(40_000, OTHER))).toBe(true);
    const confirmed = takeOffline(10_000);
    outbox.markDone([{ id: confirmed.id, result: { id: confirmed.id, seq: confirmed.seq, status: 'applied', recorded: true } }]);
    expect(guard.admit(storedValue(30_000))).toBe(true);
    // The next local day (midnight in Shanghai is 16:00 UTC): the day's stored value starts again, the count does not.
    clock = Date.parse('2026-12-01T16:30:00Z');
    lastContact = clock - HOUR;
    expect(guard.admit(storedValue(50_000))).toBe(true);
    takeOffline(1_000);
    takeOffline(1_000);
    expect(refusalOf(() => guard.admit(storedValue(100)))).toMatchObject({ code: 'OFFLINE_CARD_SPENDS', details: { spendsPerCard: 3 } });
    // Points per day.
    expect(refusalOf(() => guard.admit({ cardUid: OTHER, payments: [{ method: 'points', points: 20_001 }] }))).toMatchObject({ code: 'OFFLINE_CARD_POINTS_LIMIT' });
    // The kiosk's total exposure across cards.
    limits = { ...DEFAULT_OFFLINE_LIMITS, kioskExposureCents: 22_500 };
    expect(refusalOf(() => guard.admit(storedValue(1_000, OTHER)))).toMatchObject({ code: 'OFFLINE_KIOSK_EXPOSURE', details: { leftCents: 500 } });
  });

  it('never limits a sale paid by other means, and stops offline spending when the snapshot expired or the hub is gone too long', () => {
    expect(guard.admit({ cardUid: CARD, payments: [{ method: 'cash', amountCents: 999_999 }] })).toBe(false);
    expired = true;
    const refusal = refusalOf(() => guard.admit(storedValue(100)));
    expect(refusal).toMatchObject({ code: 'OFFLINE_SNAPSHOT_EXPIRED' });
    expect(refusal?.message).toContain('Balances and earning points still work');
    expect(guard.admit({ cardUid: CARD, payments: [{ method: 'cash', amountCents: 100 }] })).toBe(false);
    expired = false;
    lastContact = NOW - 73 * HOUR;
    expect(refusalOf(() => guard.admit(storedValue(100)))).toMatchObject({ code: 'OFFLINE_TOO_LONG', details: { maxOfflineHours: 72 } });
    lastContact = null;
    expect(refusalOf(() => guard.admit(storedValue(100)))).toMatchObject({ code: 'OFFLINE_TOO_LONG' });
  });

  it('writes money as yuan with two decimals', () => {
    expect(yuan(99_650)).toBe('¥996.50');
    expect(yuan(123_456_789)).toBe('¥1,234,567.89');
    expect(yuan(5)).toBe('¥0.05');
    expect(offlineRefusalMessage({ code: 'OFFLINE_KIOSK_EXPOSURE', leftCents: 500 })).toContain('¥5.00');
  });
});
