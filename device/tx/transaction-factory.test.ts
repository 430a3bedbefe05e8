import { describe, expect, it } from 'vitest';
import { MAX_TX_BYTES } from '../../core/wire/limits.ts';
import { createTransactionFactory, isTxDraft, type TxBodyOf } from './transaction-factory.ts';

const purchase = (cents: number): TxBodyOf<'purchase'> => ({
  kind: 'purchase',
  cardUid: '04A1B2C3',
  lines: [{ lineNo: 1, sku: 'SKU-1', category: 'food', qty: 1, unitPriceCents: cents }],
  payments: [{ method: 'cash', amountCents: cents }],
});

const EPOCH = '01JABCDEFGHJKMNPQRSTVWXYZ0';

describe('transaction factory', () => {
  it('fills in the header and leaves the slot to place()', () => {
    const factory = createTransactionFactory({ deviceId: 'kiosk-1', storeId: 'store-1', bundleVersion: () => 7, now: () => Date.parse('2026-03-01T08:00:00.000Z') });
    const draft = factory.draft(purchase(500));
    expect(isTxDraft(draft)).toBe(true);
    expect(isTxDraft(purchase(500))).toBe(false);
    expect(draft).toMatchObject({ kind: 'purchase', deviceId: 'kiosk-1', request: purchase(500) });
    expect(draft.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const { tx, payload } = draft.place({ epoch: EPOCH, seq: 42 });
    expect(tx).toMatchObject({ v: 3, id: draft.id, deviceId: 'kiosk-1', storeId: 'store-1', epoch: EPOCH, seq: 42, kind: 'purchase', bundleVersion: 7, createdAt: '2026-03-01T08:00:00.000Z' });
    expect(tx).not.toHaveProperty('clockOffsetMs');
    expect(payload).toBe(JSON.stringify(tx));
  });

  it('places one draft in any slot with only the slot changing', () => {
    const draft = createTransactionFactory({ deviceId: 'kiosk-1', storeId: 'store-1' }).draft(purchase(500));
    const a = draft.place({ epoch: '', seq: 1 });
    const b = draft.place({ epoch: EPOCH, seq: 123_456 });
    const { epoch: _ea, seq: _sa, ...restA } = a.tx;
    const { epoch: _eb, seq: _sb, ...restB } = b.tx;
    expect(restB).toEqual(restA);
    // The keys keep their places: the same bytes a transaction made in one step had.
    expect(Object.keys(b.tx)).toEqual(Object.keys(a.tx));
    expect(() => draft.place({ epoch: 'not an epoch!', seq: 1 })).toThrowError(expect.objectContaining({ code: 'TX_INVALID' }));
    expect(() => draft.place({ epoch: EPOCH, seq: 0 })).toThrowError(expect.objectContaining({ code: 'TX_INVALID' }));
  });

  it('stamps the clock offset the hub last measured, when there is one, and the bundle version of the moment', () => {
    let offset: number | undefined;
    let version = 3;
    const factory = createTransactionFactory({ deviceId: 'kiosk-1', storeId: 'store-1', clockOffsetMs: () => offset, bundleVersion: () => version });
    expect(factory.draft(purchase(1)).place({ epoch: '', seq: 1 }).tx.clockOffsetMs).toBeUndefined();
    offset = -1234;
    version = 4;
    expect(factory.draft(purchase(1)).place({ epoch: '', seq: 1 }).tx).toMatchObject({ clockOffsetMs: -1234, bundleVersion: 4 });
  });

  it('names the signed configuration snapshot the kiosk runs under, once it holds one', () => {
    let snapshot: number | undefined;
    const factory = createTransactionFactory({ deviceId: 'kiosk-1', storeId: 'store-1', bundleVersion: () => (snapshot ? 5 : 0), snapshotVersion: () => snapshot });
    expect(factory.draft(purchase(1)).place({ epoch: '', seq: 1 }).tx).not.toHaveProperty('snapshotVersion');
    snapshot = 3;
    expect(factory.draft(purchase(1)).place({ epoch: '', seq: 1 }).tx).toMatchObject({ snapshotVersion: 3, bundleVersion: 5 });
  });

  it('serialises a placed transaction to the same bytes as before, field for field and in order', () => {
    // The payload is what the outbox stores and resends and what the hub hashes: its bytes are pinned here.
    const factory = createTransactionFactory({ deviceId: 'kiosk-1', storeId: 'store-1', bundleVersion: () => 7, snapshotVersion: () => 3, clockOffsetMs: () => -120, now: () => Date.parse('2026-03-01T08:00:00.000Z') });
    const draft = factory.draft(purchase(500));
    const { payload } = draft.place({ epoch: EPOCH, seq: 42, prevId: '01JABCDEFGHJKMNPQRSTVWXYZ1' });
    expect(payload.replace(draft.id, 'ID')).toBe(
      '{"id":"ID","deviceId":"kiosk-1","seq":42,"epoch":"01JABCDEFGHJKMNPQRSTVWXYZ0","v":3,"kind":"purchase","createdAt":"2026-03-01T08:00:00.000Z",' +
        '"storeId":"store-1","bundleVersion":7,"snapshotVersion":3,"clockOffsetMs":-120,"cardUid":"04A1B2C3",' +
        '"lines":[{"lineNo":1,"sku":"SKU-1","category":"food","qty":1,"unitPriceCents":500}],"payments":[{"method":"cash","amountCents":500}],' +
        '"prevId":"01JABCDEFGHJKMNPQRSTVWXYZ1"}',
    );
  });

  it('lets no body field override the header, and refuses a body carrying __proto__', () => {
    const factory = createTransactionFactory({ deviceId: 'kiosk-1', storeId: 'store-1', bundleVersion: () => 7 });
    const forged = { ...purchase(500), deviceId: 'kiosk-2', storeId: 'store-9', v: 1, bundleVersion: 99 } as unknown as TxBodyOf<'purchase'>;
    const { tx } = factory.draft(forged).place({ epoch: EPOCH, seq: 1 });
    expect(tx).toMatchObject({ deviceId: 'kiosk-1', storeId: 'store-1', v: 3, bundleVersion: 7 });
    // What JSON.parse makes of a "__proto__" key: an own property, which Object.assign would turn into a prototype.
    const poisoned = JSON.parse(`{"kind":"purchase","cardUid":"04A1B2C3","lines":[{"lineNo":1,"sku":"SKU-1","category":"food","qty":1,"unitPriceCents":500}],"payments":[{"method":"cash","amountCents":500}],"__proto__":{"clockOffsetMs":5}}`) as TxBodyOf<'purchase'>;
    expect(() => factory.draft(poisoned)).toThrowError(expect.objectContaining({ code: 'TX_INVALID' }));
  });

  it('refuses invalid bodies and unknown kinds with coded errors', () => {
    const factory = createTransactionFactory({ deviceId: 'kiosk-1', storeId: 'store-1' });
    expect(() => factory.draft({ ...purchase(100), lines: [] })).toThrowError(expect.objectContaining({ code: 'TX_INVALID' }));
    const twice = { ...purchase(100), lines: [purchase(100).lines[0]!, purchase(100).lines[0]!], payments: [{ method: 'cash' as const, amountCents: 200 }] };
    expect(() => factory.draft(twice)).toThrowError(expect.objectContaining({ code: 'TX_INVALID', message: expect.stringContaining('lineNo') }));
    expect(() => factory.draft({ ...purchase(1), kind: 'teleport' } as unknown as TxBodyOf<'purchase'>)).toThrowError(expect.objectContaining({ code: 'TX_UNKNOWN_KIND' }));
  });

  it('checks the envelope limit on the placed payload', () => {
    // 200 lines of long CJK names: every field is valid, the whole is ~90 KB, over MAX_TX_BYTES.
    const lines = Array.from({ length: 200 }, (_, i) => ({ lineNo: i + 1, sku: '鲜'.repeat(64), category: '乳制品'.repeat(21), qty: 1, unitPriceCents: 100 }));
    const draft = createTransactionFactory({ deviceId: 'kiosk-1', storeId: 'store-1' }).draft({ kind: 'purchase', cardUid: '04A1B2C3', lines, payments: [{ method: 'cash', amountCents: 20_000 }] });
    expect(() => draft.place({ epoch: EPOCH, seq: 1 })).toThrowError(expect.objectContaining({ code: 'TX_TOO_LARGE', details: expect.objectContaining({ limit: MAX_TX_BYTES }) }));
  });
});
