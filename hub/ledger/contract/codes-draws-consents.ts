/**
 * The ledger contract suite (../ledger-store-contract.ts), in part: Redemption codes, points draws and a registration's consents through the one write path.
 */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../demo/seed-demo-data.ts';
import { DAY, iso, Kiosk, received, type ContractCases } from './ledger-contract-support.ts';

/** The 'codes and draws' section of the ledger contract. */
export function codesAndDrawsCases(cases: ContractCases): void {
  const { open, goldBalances } = cases;
  const FUTURE = iso(Date.now() + 30 * DAY);
  const digest = (n: number) => createHash('sha256').update(`contract-code-${n}`).digest('hex');
  const batch = { batchId: 'B1', name: 'label-1', sku: 'TEA', points: 100, expiresAt: FUTURE, createdAt: iso(Date.now()), createdBy: 'contract' };

  it('stores a batch by digest, verifies without using, redeems a code once, and refuses a second batch of the name', async () => {
    const store = await open();
    expect(await store.codes.createCodeBatch(batch, [digest(1), digest(2)])).toMatchObject({ batchId: 'B1', count: 2, used: 0 });
    await expect(store.codes.createCodeBatch({ ...batch, batchId: 'B2' }, [digest(3)])).rejects.toMatchObject({ code: 'CODE_BATCH_EXISTS' });
    const now = iso(Date.now());
    expect(await store.codes.verifyCode(digest(1), now)).toMatchObject({ status: 'genuine', batch: { batchId: 'B1', sku: 'TEA', points: 100 } });
    expect(await store.codes.verifyCode(digest(3), now)).toEqual({ status: 'unknown' });
    expect(await store.codes.verifyCode(digest(1), FUTURE)).toMatchObject({ status: 'expired' });
    const kiosk = new Kiosk('kiosk-c');
    const before = (await goldBalances(store)).points;
    // Two redemptions of one code in one batch: the second reads it used.
    const [first, second] = await store.applyBatch([
      received(kiosk.make({ kind: 'code_redeem', cardUid: DEMO_CARDS.gold, codeDigest: digest(1) })),
      received(kiosk.make({ kind: 'code_redeem', cardUid: DEMO_CARDS.silver, codeDigest: digest(1) })),
    ]);
    expect(first).toMatchObject({ status: 'applied', outcome: { pointsEarned: 100 } });
    expect(second).toMatchObject({ status: 'rejected', code: 'CODE_USED', recorded: true });
    expect((await goldBalances(store)).points).toBe(before + 100);
    expect(await store.codes.verifyCode(digest(1), now)).toMatchObject({ status: 'used', usedAt: expect.any(String) as unknown });
    expect(await store.codes.listCodeBatches()).toEqual([expect.objectContaining({ batchId: 'B1', count: 2, used: 1 })]);
  });

  it('keeps a draw from draft to open to closed, records entries in order, draws the second chance once and hands over what the audit needs', async () => {
    const store = await open();
    const seed = 'ab'.repeat(32);
    const definition = {
      drawId: 'd1', name: 'Draw', costPoints: 10, closesAt: FUTURE, noPrizeWeight: 0,
      prizes: [{ prizeId: 'pts', name: '5 points', kind: 'points' as const, points: 5, weight: 1, stock: 1 }],
      secondChance: [{ prizeId: 'tv', name: 'TV', count: 1 }],
    };
    const draft = await store.draws.createDraw(definition, seed, 'contract', iso(Date.now()));
    expect(draft).toMatchObject({ drawId: 'd1', status: 'draft', seed: null, totalWeight: 1, entries: 0 });
    await expect(store.draws.createDraw(definition, seed, 'contract', iso(Date.now()))).rejects.toMatchObject({ code: 'DRAW_EXISTS' });
    await expect(store.draws.closeDraw('d1', iso(Date.now()))).rejects.toMatchObject({ code: 'DRAW_BAD_STATE' });
    await expect(store.draws.openDraw('nope', iso(Date.now()))).rejects.toMatchObject({ code: 'DRAW_UNKNOWN' });
    expect(await store.draws.openDraw('d1', iso(Date.now()))).toMatchObject({ status: 'open' });
    expect((await store.draws.listDraws('open')).map((d) => d.drawId)).toEqual(['d1']);
    const kiosk = new Kiosk('kiosk-c');
    const results = await store.applyBatch([1, 2, 3].map(() => received(kiosk.make({ kind: 'draw_enter', cardUid: DEMO_CARDS.gold, drawId: 'd1' }))));
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    // One prize in stock, every pick on it: the first entry wins it, the others find none left.
    expect(results.map((r) => r.outcome?.draw?.prize?.prizeId ?? null)).toEqual(['pts', null, null]);
    const entries = await store.draws.drawEntries('d1');
    expect(entries.map((e) => [e.txId, e.prizeId, e.outOfStockPrizeId])).toEqual([[results[0]!.id, 'pts', null], [results[1]!.id, null, 'pts'], [results[2]!.id, null, 'pts']]);
    expect((await store.draws.draw('d1'))!.prizes.find((p) => p.prizeId === 'pts')).toMatchObject({ stock: 1, stockLeft: 0 });
    const closed = await store.draws.closeDraw('d1', iso(Date.now()));
    expect(closed).toMatchObject({ status: 'closed', seed, entries: 3 });
    await expect(store.draws.closeDraw('d1', iso(Date.now()))).rejects.toMatchObject({ code: 'DRAW_BAD_STATE' });
    const winners = await store.draws.drawWinners('d1');
    expect(winners).toEqual([expect.objectContaining({ prizeId: 'tv', k: 0, memberId: 'M0003' })]);
    const input = await store.draws.drawAuditInput('d1');
    expect(input).toMatchObject({ seedHex: seed, noPrizeWeight: 0, prizes: [{ prizeId: 'pts', weight: 1, stock: 1 }], secondChance: [{ prizeId: 'tv', count: 1 }] });
    expect(input!.entries.map((e) => e.txId)).toEqual(entries.map((e) => e.txId));
    expect(input!.secondChanceWinners).toEqual([{ prizeId: 'tv', k: 0, entryTxId: winners[0]!.entryTxId }]);
    expect(await store.draws.drawAuditInput('nope')).toBeNull();
  });
}

/** The 'registration consents' section of the ledger contract. */
export function registrationConsentsCases(cases: ContractCases): void {
  const { open, apply } = cases;
  it('records the consents given on the kiosk with the registration, once: a resend adds none, a refusal leaves none', async () => {
    const store = await open();
    await store.identity.setDeviceStore('kiosk-c', DEMO_STORE_ID);
    const kiosk = new Kiosk('kiosk-c');
    const consents = [{ purpose: 'terms', granted: true }, { purpose: 'marketing', granted: false }] as const;
    const tx = kiosk.make({ kind: 'register_member', cardUid: 'C0C0C0C0C0C0', name: '白露', phone: '13900000021', consents: [...consents] });
    const first = await apply(store, tx);
    expect(first.status).toBe('applied');
    const memberId = first.outcome!.memberId;
    const recorded = await store.memberProfiles.consents(memberId);
    expect(recorded.map((c) => [c.purpose, c.granted, c.at, c.staffId])).toEqual([
      ['membership', true, tx.createdAt, 'device:kiosk-c'],
      ['marketing_sms', false, tx.createdAt, 'device:kiosk-c'],
    ]);
    expect(recorded.every((c) => c.note?.includes(tx.id))).toBe(true);
    expect(await apply(store, tx)).toMatchObject({ status: 'exists', original: 'applied' });
    expect(await store.memberProfiles.consents(memberId)).toEqual(recorded);

    // The same phone again: refused (recorded), and no member, so no consent of theirs either.
    const refused = kiosk.make({ kind: 'register_member', cardUid: 'C1C1C1C1C1C1', name: '白露', phone: '13900000021', consents: [...consents] });
    expect(await apply(store, refused)).toMatchObject({ status: 'rejected', code: 'MEMBER_PHONE_TAKEN' });
    expect(await store.memberProfiles.consents(`M-${refused.id}`)).toEqual([]);
    // A registration from a kiosk that sends no consents (an older one) records none.
    const older = await apply(store, kiosk.make({ kind: 'register_member', cardUid: 'C2C2C2C2C2C2', name: 'Old Kiosk', phone: '13900000022' }));
    expect(older.status).toBe('applied');
    expect(await store.memberProfiles.consents(older.outcome!.memberId)).toEqual([]);
  });
}
