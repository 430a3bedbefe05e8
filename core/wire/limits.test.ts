import { describe, expect, it } from 'vitest';
import { FORMAT_1_WORST_CASE_BYTES, MAX_LOOKUP_RESPONSE_BYTES, MAX_MQTT_PACKET_BYTES, MAX_RESULT_MESSAGE_BYTES, MAX_STATE_REPORT_BYTES, MAX_TX_BYTES } from './limits.ts';
import { parseTransaction } from './parse-transaction.ts';
import { transactionSchemas } from './transaction.ts';

/** The biggest purchase the format-1 schema accepts: every string at its longest, in characters JSON escapes to 6 bytes. */
function worstFormat1Purchase() {
  const long = '\u0001'.repeat(64);
  return {
    id: '01JAAAAAAAAAAAAAAAAAAAAAAA',
    deviceId: 'k'.repeat(64),
    seq: Number.MAX_SAFE_INTEGER,
    kind: 'purchase',
    createdAt: '2026-01-01T00:00:00.000Z',
    storeId: long,
    bundleVersion: Number.MAX_SAFE_INTEGER,
    cardUid: 'F'.repeat(32),
    lines: Array.from({ length: 200 }, (_, i) => ({ lineNo: Number.MAX_SAFE_INTEGER - i, sku: long, category: long, qty: 100_000, unitPriceCents: 1e11 })),
    payments: Array.from({ length: 10 }, () => ({ method: 'stored_value', amountCents: 1e13 })),
    eventIds: Array.from({ length: 10 }, () => long),
    claimed: { totalCents: -1e13, pointsEarned: -Number.MAX_SAFE_INTEGER },
  };
}

describe('envelope limits', () => {
  it('keeps every message well under the broker packet limit', () => {
    for (const limit of [MAX_TX_BYTES, MAX_RESULT_MESSAGE_BYTES, MAX_STATE_REPORT_BYTES]) expect(limit * 3).toBeLessThanOrEqual(MAX_MQTT_PACKET_BYTES);
    expect(MAX_LOOKUP_RESPONSE_BYTES).toBeLessThan(MAX_MQTT_PACKET_BYTES);
  });

  it('lets every entry an older kiosk could have queued reach the hub and be answered under its id', () => {
    const worst = worstFormat1Purchase();
    expect(transactionSchemas.purchase.safeParse(worst).success).toBe(true);
    const payload = JSON.stringify(worst);
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(FORMAT_1_WORST_CASE_BYTES);
    expect(FORMAT_1_WORST_CASE_BYTES).toBeLessThan(MAX_MQTT_PACKET_BYTES);
    const parsed = parseTransaction(payload);
    expect(parsed).toMatchObject({ ok: false, stage: 'body', code: 'TX_TOO_LARGE', header: { id: worst.id, seq: worst.seq, epoch: '' } });
  });

  it('reads nothing of a payload over the packet limit', () => {
    const parsed = parseTransaction(Buffer.alloc(MAX_MQTT_PACKET_BYTES + 1, 0x20));
    expect(parsed).toMatchObject({ ok: false, stage: 'envelope', code: 'TX_TOO_LARGE', id: null });
  });
});
