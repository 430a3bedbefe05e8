/**
 * Redemption codes and points draws through the real ledger: a real hub (embedded aedes, SQLite), a raw kiosk
 * publishing transactions over MQTT, and the journal audit after every test.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatRedemptionCode, newRedemptionCode, readRedemptionCode, redemptionCodeDigest } from '../../core/codes/redemption-code.ts';
import { instantOutcome, type DrawDefinitionInput } from '../../core/draws/draw-outcome.ts';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import { generateCodeBatch } from '../codes/code-batches.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { createDraw, verifyDraw } from '../draws/draw-admin.ts';
import { submitHqTransaction } from '../hq/hq-transactions.ts';
import { parseLedgerTransaction } from '../ledger/ledger-parse.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { hqAdminLogin } from '../testing/staff-actor.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

const DEVICE = 'kiosk-codes';
const FUTURE = new Date(Date.now() + 30 * 86_400_000).toISOString();
/** The seeds' product bonus: "购买该产品,除获得应得积分外,另额外赠送100积分" — a label code worth 100 points. */
const LABEL_POINTS = 100;
/** A fixed seed: every outcome below is the same on every run. */
const SEED = 'c0ffee'.repeat(10) + 'c0ffee00';

/** A points draw (积分抽奖): 100 points an entry; a mug (10 %, 2 in stock), 50 points back (30 %), nothing (60 %); a second-chance TV. */
const SPRING_DRAW: DrawDefinitionInput = {
  drawId: 'spring',
  name: 'Spring draw 春季抽奖',
  costPoints: 100,
  closesAt: FUTURE,
  noPrizeWeight: 60,
  prizes: [
    { prizeId: 'mug', name: 'Coffee mug', kind: 'gift', weight: 10, stock: 2 },
    { prizeId: 'p50', name: '50 points', kind: 'points', points: 50, weight: 30, stock: 1000 },
  ],
  secondChance: [{ prizeId: 'tv', name: 'Television', count: 1 }],
};

describe('redemption codes and points draws through the ledger (real aedes, real SQLite)', () => {
  let env: TestHub;
  let device: RawDeviceClient;

  beforeEach(async () => {
    env = await startTestHub();
    device = await RawDeviceClient.connect(env.brokerUrl, DEVICE, await enrolForTest(env, DEVICE));
  });

  afterEach(async () => {
    await device.close();
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  const points = async (cardUid: string) => (await env.hub.store.memberViewByCard(cardUid))!.balances.points;
  const digestOf = (printed: string) => {
    const reading = readRedemptionCode(printed);
    if (!reading.ok) throw new Error(`not a code: ${printed}`);
    return redemptionCodeDigest(reading.code);
  };
  const redeem = (printed: string, cardUid: string = DEMO_CARDS.gold) => device.send(device.make({ kind: 'code_redeem', cardUid, codeDigest: digestOf(printed) }));
  const batch = (count = 3, overrides: { name?: string; expiresAt?: string } = {}) =>
    generateCodeBatch(env.hub.store.codes, { name: overrides.name ?? 'label-2025-spring', sku: 'TEA-500G', points: LABEL_POINTS, count, expiresAt: overrides.expiresAt ?? FUTURE }, 'test');

  describe('redemption codes', () => {
    it('credits a code once: a second redemption is refused CODE_USED (recorded), a replay answers the first', async () => {
      const { codes } = await batch();
      const before = await points(DEMO_CARDS.gold);
      const tx = device.make({ kind: 'code_redeem', cardUid: DEMO_CARDS.gold, codeDigest: digestOf(codes[0]!) });
      const first = await device.send(tx);
      expect(first).toMatchObject({ status: 'applied', outcome: { kind: 'code_redeem', pointsEarned: LABEL_POINTS, trace: ['code TEA-500G (label-2025-spring): +100'] } });
      expect(await points(DEMO_CARDS.gold)).toBe(before + LABEL_POINTS);

      const replay = await device.send(tx);
      expect(replay).toMatchObject({ status: 'exists', original: 'applied', outcome: first.outcome });
      // Another member, another kiosk transaction: the code is spent.
      const again = await redeem(codes[0]!, DEMO_CARDS.silver);
      expect(again).toMatchObject({ status: 'rejected', code: 'CODE_USED', recorded: true });
      expect(await points(DEMO_CARDS.gold)).toBe(before + LABEL_POINTS);
      expect((await env.hub.store.codes.listCodeBatches())[0]).toMatchObject({ count: 3, used: 1 });
    });

    it('refuses a code never issued (CODE_UNKNOWN) and one past its expiry (CODE_EXPIRED), and leaves the code unused when the card may not redeem', async () => {
      await batch();
      const forged = formatRedemptionCode(newRedemptionCode((n) => randomBytes(n)));
      expect(await redeem(forged)).toMatchObject({ status: 'rejected', code: 'CODE_UNKNOWN', recorded: true });
      // An expired batch: stored directly (generation refuses codes that would be expired already).
      const old = newRedemptionCode((n) => randomBytes(n));
      await env.hub.store.codes.createCodeBatch(
        { batchId: 'B-OLD', name: 'label-2024', sku: 'TEA-500G', points: LABEL_POINTS, expiresAt: '2025-01-01T00:00:00.000Z', createdAt: '2024-06-01T00:00:00.000Z', createdBy: 'test' },
        [redemptionCodeDigest(old)],
      );
      expect(await redeem(formatRedemptionCode(old))).toMatchObject({ status: 'rejected', code: 'CODE_EXPIRED' });
      // A frozen card refuses first: the code is still good afterwards.
      const { codes } = await batch(1, { name: 'frozen-test' });
      const { actor } = await hqAdminLogin(env.hub.store);
      await submitHqTransaction(env.hub.store, { kind: 'card_freeze', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.silver, actor });
      expect(await redeem(codes[0]!, DEMO_CARDS.silver)).toMatchObject({ status: 'rejected', code: 'CARD_FROZEN' });
      expect(await redeem(codes[0]!, DEMO_CARDS.gold)).toMatchObject({ status: 'applied' });
    });

    it('keeps no code in the database: only HMACs of their digests (and a used code\'s digest in its transaction)', async () => {
      const { codes } = await batch(5);
      await redeem(codes[0]!);
      const files = readdirSync(env.dataDir).filter((f) => f.startsWith('ledger.sqlite')).map((f) => readFileSync(join(env.dataDir, f)));
      expect(files.length).toBeGreaterThan(0);
      const contains = (text: string) => files.some((bytes) => bytes.includes(Buffer.from(text, 'utf8')));
      for (const printed of codes) {
        const canonical = printed.replace(/-/g, '');
        expect(contains(canonical)).toBe(false);
        expect(contains(printed)).toBe(false);
      }
      // The unused codes' digests are nowhere either: the table keys are HMAC(hub key, digest).
      for (const printed of codes.slice(1)) expect(contains(digestOf(printed))).toBe(false);
      expect(contains(createHash('sha256').update(digestOf(codes[1]!)).digest('hex'))).toBe(false);
    });

    it('verifies a code without using it (genuine, used, expired, unknown), at most 10 a minute per kiosk', async () => {
      const { codes } = await batch(1);
      const check = (digest: string) => device.lookup({ op: 'code.verify', codeDigest: digest });
      expect(await check(digestOf(codes[0]!))).toEqual({ ok: true, code: { status: 'genuine', sku: 'TEA-500G', points: LABEL_POINTS, expiresAt: FUTURE } });
      expect(await check(digestOf(codes[0]!))).toMatchObject({ ok: true, code: { status: 'genuine' } });
      expect(await redeem(codes[0]!)).toMatchObject({ status: 'applied' });
      expect(await check(digestOf(codes[0]!))).toMatchObject({ ok: true, code: { status: 'used', usedAt: expect.any(String) as unknown } });
      expect(await check(redemptionCodeDigest(newRedemptionCode((n) => randomBytes(n))))).toEqual({ ok: true, code: { status: 'unknown' } });
      for (let i = 0; i < 6; i++) await check(digestOf(codes[0]!));
      expect(await check(digestOf(codes[0]!))).toMatchObject({ ok: false, code: 'CODE_VERIFY_RATE_LIMITED' });
    });
  });

  describe('points draws', () => {
    async function openDraw(definition: DrawDefinitionInput = SPRING_DRAW) {
      const draw = await createDraw(env.hub.store.draws, definition, 'test', { seedHex: SEED });
      return env.hub.store.draws.openDraw(draw.drawId, new Date().toISOString());
    }
    const enter = (drawId = 'spring', cardUid: string = DEMO_CARDS.gold, id?: string) => device.send(device.make({ kind: 'draw_enter', cardUid, drawId }, id ? { id } : {}));

    it('spends the cost through the lots and decides the prize from HMAC(seed, tx id): a replay gets the same outcome', async () => {
      await openDraw();
      const before = await points(DEMO_CARDS.gold);
      const tx = device.make({ kind: 'draw_enter', cardUid: DEMO_CARDS.gold, drawId: 'spring' });
      const result = await device.send(tx);
      expect(result).toMatchObject({ status: 'applied', outcome: { kind: 'draw_enter', pointsSpent: 100 } });
      const expected = instantOutcome(SEED, tx.id, [{ prizeId: 'mug', weight: 10, stockLeft: 2 }, { prizeId: 'p50', weight: 30, stockLeft: 1000 }], 60);
      expect(result.outcome?.draw).toMatchObject({ drawId: 'spring', prize: expected.prizeId === null ? null : { prizeId: expected.prizeId } });
      const won = expected.prizeId === 'p50' ? 50 : 0;
      expect(await points(DEMO_CARDS.gold)).toBe(before - 100 + won);
      expect(await device.send(tx)).toMatchObject({ status: 'exists', original: 'applied', outcome: result.outcome });
      const entries = await env.hub.store.draws.drawEntries('spring');
      expect(entries).toEqual([expect.objectContaining({ txId: tx.id, memberId: 'M0003', prizeId: expected.prizeId, ticket: expected.ticket, pick: expected.pick })]);
    });

    it('never takes stock below zero: with 2 mugs and 40 entries, at most 2 are won and later mug picks win nothing', async () => {
      await openDraw({ ...SPRING_DRAW, costPoints: 10, noPrizeWeight: 0, prizes: [{ prizeId: 'mug', name: 'Coffee mug', kind: 'gift', weight: 1, stock: 2 }] });
      const results = [];
      for (let i = 0; i < 40; i++) results.push(await enter());
      expect(results.every((r) => r.status === 'applied')).toBe(true);
      const wins = results.filter((r) => r.outcome?.draw?.prize?.prizeId === 'mug');
      expect(wins).toHaveLength(2);
      const draw = (await env.hub.store.draws.draw('spring'))!;
      expect(draw.prizes.find((p) => p.prizeId === 'mug')).toMatchObject({ stock: 2, stockLeft: 0 });
      expect((await env.hub.store.draws.drawEntries('spring')).filter((e) => e.outOfStockPrizeId === 'mug')).toHaveLength(38);
    });

    it('refuses an entry the points do not cover (INSUFFICIENT_POINTS, recorded) and takes nothing', async () => {
      await openDraw({ ...SPRING_DRAW, costPoints: 100_000 });
      const before = await points(DEMO_CARDS.gold);
      expect(await enter()).toMatchObject({ status: 'rejected', code: 'INSUFFICIENT_POINTS', recorded: true });
      expect(await points(DEMO_CARDS.gold)).toBe(before);
      expect(await env.hub.store.draws.drawEntries('spring')).toEqual([]);
    });

    it('refuses an unknown draw, a draft and a closed one; closing draws the second chance among the entries and reveals the seed', async () => {
      expect(await enter('nope')).toMatchObject({ status: 'rejected', code: 'DRAW_UNKNOWN' });
      await createDraw(env.hub.store.draws, SPRING_DRAW, 'test', { seedHex: SEED });
      expect(await enter()).toMatchObject({ status: 'rejected', code: 'DRAW_NOT_OPEN' });
      expect((await env.hub.store.draws.draw('spring'))!.seed).toBeNull();
      await env.hub.store.draws.openDraw('spring', new Date().toISOString());
      const entered = [await enter('spring', DEMO_CARDS.gold), await enter('spring', DEMO_CARDS.diamond), await enter('spring', DEMO_CARDS.diamond)];
      expect(entered.every((r) => r.status === 'applied')).toBe(true);
      const closed = await env.hub.store.draws.closeDraw('spring', new Date().toISOString());
      expect(closed).toMatchObject({ status: 'closed', seed: SEED, entries: 3 });
      const winners = await env.hub.store.draws.drawWinners('spring');
      expect(winners).toHaveLength(1);
      expect(entered.map((r) => r.id)).toContain(winners[0]!.entryTxId);
      expect(await enter()).toMatchObject({ status: 'rejected', code: 'DRAW_CLOSED' });
      expect(await verifyDraw(env.hub.store.draws, 'spring')).toMatchObject({ ok: true, commitmentHolds: true, entriesChecked: 3 });
    });

    it('follows the weights over 2,000 entries with a fixed seed and fixed ids (deterministic, so the bounds cannot flake), and the audit recomputes them all', async () => {
      await openDraw({ ...SPRING_DRAW, costPoints: 1, prizes: [
        { prizeId: 'mug', name: 'Coffee mug', kind: 'gift', weight: 10, stock: 10_000 },
        { prizeId: 'p50', name: '50 points', kind: 'points', points: 50, weight: 30, stock: 10_000 },
      ] });
      const nextId = createUlidFactory(() => Date.parse('2025-03-01T00:00:00.000Z'), (n) => createHash('sha256').update(`draw-ids:${n}`).digest().subarray(0, n));
      let seq = 0;
      const now = new Date().toISOString();
      for (let chunk = 0; chunk < 10; chunk++) {
        const batch = Array.from({ length: 200 }, () => {
          const payload = { v: TX_FORMAT, id: nextId(), deviceId: 'kiosk-odds', epoch: 'E1', seq: ++seq, createdAt: now, storeId: DEMO_STORE_ID, bundleVersion: 1, kind: 'draw_enter', cardUid: DEMO_CARDS.diamond, drawId: 'spring' };
          return { topicDeviceId: 'kiosk-odds', parsed: parseLedgerTransaction(JSON.stringify(payload)) };
        });
        const results = await env.hub.store.applyBatch(batch);
        expect(results.filter((r) => r.status !== 'applied')).toEqual([]);
      }
      const entries = await env.hub.store.draws.drawEntries('spring');
      expect(entries).toHaveLength(2000);
      const count = (prizeId: string | null) => entries.filter((e) => e.prizeId === prizeId).length;
      // Expected 200 / 600 / 1200 of 2000; inside four binomial standard deviations (±54 / ±82 / ±88).
      expect(Math.abs(count('mug') - 200)).toBeLessThan(54);
      expect(Math.abs(count('p50') - 600)).toBeLessThan(82);
      expect(Math.abs(count(null) - 1200)).toBeLessThan(88);
      await env.hub.store.draws.closeDraw('spring', new Date().toISOString());
      expect(await verifyDraw(env.hub.store.draws, 'spring')).toMatchObject({ ok: true, entriesChecked: 2000, mismatches: [] });
    });
  });
});
