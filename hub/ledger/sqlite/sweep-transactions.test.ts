/**
 * The points expiry sweep and tier reviews on SQLite specifically: the rows they leave (one transaction per
 * member, one journal entry per lot, the HQ seq), and ledgers written before they went through the one write
 * path — their points_expiry and tier_review rows were inserted directly, with another payload and result
 * shape — which must still read fine (member history, audit) and keep HQ's sequence going.
 */
import { hqAdminLogin } from '../../testing/staff-actor.ts';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../../core/ids/ulid.ts';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { canonicalJson } from '../../../core/wire/parse-transaction.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../../demo/seed-demo-data.ts';
import { expirePoints } from '../../hq/expire-points.ts';
import type { Ledger } from '../ledger.ts';
import { openLedger } from '../open-ledger.ts';

const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));
const farFuture = () => new Date(Date.now() + 400 * 86_400_000).toISOString();

describe('points expiry and tier review rows (SQLite)', () => {
  let dir: string;
  let path: string;
  let store: Ledger | null = null;
  const open = async () => (store = await openLedger({ kind: 'sqlite', path, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE }));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mk-sweep-'));
    path = join(dir, 'ledger.sqlite');
  });
  afterEach(async () => {
    const findings = await store?.audit();
    await store?.close();
    store = null;
    rmSync(dir, { recursive: true, force: true });
    expect(findings ?? []).toEqual([]);
  });

  it('records one HQ transaction per member with one journal entry per lot, under consecutive HQ seqs', async () => {
    const ledger = await open();
    await seedDemoData(ledger);
    await ledger.applyHq({
      kind: 'purchase',
      storeId: DEMO_STORE_ID,
      cardUid: DEMO_CARDS.gold,
      lines: [{ lineNo: 1, sku: 'X', category: 'general', qty: 1, unitPriceCents: 10_000 }],
      payments: [{ method: 'cash', amountCents: 10_000 }],
    });
    const hqBefore = await ledger.lastSeq('hq');
    const asOf = farFuture();
    expect(await expirePoints(ledger, asOf)).toEqual({ members: 4, points: 4760 });

    const db = new Database(path, { readonly: true });
    try {
      const rows = db
        .prepare<[], { tx_id: string; seq: number; member_id: string; payload: string; created_at: string }>(
          "SELECT tx_id, seq, member_id, payload, created_at FROM transactions WHERE kind = 'points_expiry' ORDER BY seq",
        )
        .all();
      expect(rows.map((r) => [r.seq, r.member_id])).toEqual([
        [hqBefore + 1, 'M0001'],
        [hqBefore + 2, 'M0002'],
        [hqBefore + 3, 'M0003'],
        [hqBefore + 4, 'M0004'],
      ]);
      const gold = rows[2]!;
      expect(JSON.parse(gold.payload)).toMatchObject({ kind: 'points_expiry', deviceId: 'hq', memberId: 'M0003', asOf, createdAt: asOf });
      expect(gold.created_at).toBe(asOf);
      const journal = db.prepare<[string], { account: string; amount: number; lot_id: string | null }>('SELECT account, amount, lot_id FROM journal WHERE tx_id = ? ORDER BY entry_id').all(gold.tx_id);
      expect(journal).toHaveLength(2);
      expect(journal.map((j) => j.amount).sort((a, b) => a - b)).toEqual([-1200, -150]);
      expect(journal.every((j) => j.account === 'points' && j.lot_id !== null)).toBe(true);
    } finally {
      db.close();
    }
  });

  it('reads points_expiry and tier_review rows a ledger recorded directly before, and continues HQ\'s sequence', async () => {
    const ledger = await open();
    await seedDemoData(ledger);
    await ledger.close();
    const { expiryTxId, reviewTxId, hqSeq } = writeRowsTheOldWay(path);

    const reopened = await open();
    const history = (await reopened.memberViewById('M0003', 50))!.history;
    expect(history.find((h) => h.txId === expiryTxId)).toMatchObject({ kind: 'points_expiry', status: 'applied', pointsDelta: -1200 });
    expect(history.find((h) => h.txId === reviewTxId)).toMatchObject({ kind: 'tier_review', status: 'applied', pointsDelta: 0 });
    expect((await reopened.member('M0003'))?.tier).toBe('silver');
    expect((await reopened.memberViewByCard(DEMO_CARDS.gold))!.balances.points).toBe(0);
    expect(await reopened.audit()).toEqual([]);
    // HQ's sequence goes on from the old rows' seqs.
    const next = await reopened.applyHq({ kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 100, tender: 'cash', actor: (await hqAdminLogin(reopened)).actor });
    expect(next).toMatchObject({ seq: hqSeq + 1, status: 'applied' });
    // And the sweep goes on from what the old one left: the gold member's lot is empty, the others expire now.
    expect(await expirePoints(reopened, farFuture())).toEqual({ members: 3, points: 50 + 360 + 3000 });
  });
});

/**
 * What the expiry sweep and tier reviews of the previous release wrote, reproduced statement for statement:
 * a points_expiry for the gold member (its opening lot) and a tier_review moving them to silver, under HQ seqs
 * they advanced themselves, with their own payload and result shapes.
 */
function writeRowsTheOldWay(path: string): { expiryTxId: string; reviewTxId: string; hqSeq: number } {
  const db = new Database(path);
  try {
    const now = new Date().toISOString();
    const asOf = farFuture();
    const hash = (payload: string) => createHash('sha256').update(payload).digest('base64url');
    const lots = db.prepare<[string], { lot_id: string; remaining: number; expires_at: string }>('SELECT lot_id, remaining, expires_at FROM point_lots WHERE member_id = ? AND remaining > 0').all('M0003');
    let seq = db.prepare<[], { last_seq: number }>("SELECT last_seq FROM device_sequences WHERE device_id = 'hq' AND epoch = ''").get()!.last_seq;
    const insertTx = db.prepare(
      `INSERT INTO transactions (tx_id, device_id, seq, kind, content_hash, payload, status, code, member_id, bundle_version, created_at, applied_at, result)
       VALUES (?, 'hq', ?, ?, ?, ?, 'applied', NULL, 'M0003', ?, ?, ?, ?)`,
    );
    const expiryTxId = nextId();
    const reviewTxId = nextId();
    db.transaction(() => {
      seq += 1;
      let expired = 0;
      for (const lot of lots) {
        db.prepare("INSERT INTO journal (tx_id, member_id, account, amount, lot_id, bundle_version) VALUES (?, 'M0003', 'points', ?, ?, NULL)").run(expiryTxId, -lot.remaining, lot.lot_id);
        db.prepare("UPDATE accounts SET balance = balance - ? WHERE member_id = 'M0003' AND account = 'points'").run(lot.remaining);
        db.prepare('UPDATE point_lots SET remaining = remaining - ? WHERE lot_id = ?').run(lot.remaining, lot.lot_id);
        expired += lot.remaining;
      }
      const expiryPayload = canonicalJson({ kind: 'points_expiry', memberId: 'M0003', asOf, lots: lots.map((l) => ({ lotId: l.lot_id, points: l.remaining, expiresAt: l.expires_at })) });
      const expiryResult = {
        id: expiryTxId, seq, status: 'applied',
        outcome: { kind: 'points_expiry', memberId: 'M0003', cardUid: '', tier: '', balances: { storedValueCents: 0, bonusValueCents: 0, points: 0 }, pointsEarned: 0, pointsSpent: expired, valueDeltaCents: 0, trace: [`${expired} points expired`] },
      };
      insertTx.run(expiryTxId, seq, 'points_expiry', hash(expiryPayload), expiryPayload, null, asOf, now, JSON.stringify(expiryResult));
      seq += 1;
      db.prepare("UPDATE members SET tier = 'silver' WHERE member_id = 'M0003'").run();
      const reviewPayload = canonicalJson({ kind: 'tier_review', memberId: 'M0003', period: '2026-10', figure: 1500, tierBefore: 'gold', tierAfter: 'silver' });
      const reviewResult = {
        id: reviewTxId, seq, status: 'applied',
        outcome: { kind: 'tier_review', memberId: 'M0003', cardUid: '', tier: 'silver', balances: { storedValueCents: 100_000, bonusValueCents: 0, points: 0 }, pointsEarned: 0, pointsSpent: 0, valueDeltaCents: 0, trace: ['2026-10 review: 1500 → gold to silver'] },
      };
      insertTx.run(reviewTxId, seq, 'tier_review', hash(reviewPayload), reviewPayload, 1, '2026-11-01T00:00:00.000Z', now, JSON.stringify(reviewResult));
      db.prepare("UPDATE device_sequences SET last_seq = ? WHERE device_id = 'hq' AND epoch = ''").run(seq);
      db.prepare("INSERT INTO tier_reviews (period_key, reviewed_at, changed) VALUES ('2026-10', ?, 1)").run(now);
    }).immediate();
    return { expiryTxId, reviewTxId, hqSeq: seq };
  } finally {
    db.close();
  }
}
