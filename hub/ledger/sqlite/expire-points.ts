/**
 * The points expiry sweep. A lot past its expiry can no longer be spent (the planners skip it), but until it
 * is swept its points still sit in the member's balance; the sweep takes them out with journal entries, one
 * recorded transaction per member (device "hq", kind points_expiry), so the audit keeps holding and the member's
 * history says where the points went. Running it twice changes nothing the second time.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { createUlidFactory } from '../../../core/ids/ulid.ts';
import { canonicalJson } from '../../../core/wire/parse-transaction.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import { HQ_DEVICE_ID as EXPIRY_DEVICE_ID } from '../../hq/hq-transactions.ts';
import { contentHash } from '../apply-received.ts';
import { hqSequence } from './hq-sequence.ts';

const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));

export interface ExpirySweepResult {
  members: number;
  points: number;
}

export function expirePoints(db: Database, asOf: string): ExpirySweepResult {
  const dueLots = db.prepare<[string], { lot_id: string; member_id: string; remaining: number; expires_at: string }>(
    'SELECT lot_id, member_id, remaining, expires_at FROM point_lots WHERE remaining > 0 AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY member_id, expires_at',
  );
  const sequence = hqSequence(db);
  const journal = db.prepare("INSERT INTO journal (tx_id, member_id, account, amount, lot_id, bundle_version) VALUES (?, ?, 'points', ?, ?, NULL)");
  const account = db.prepare("INSERT INTO accounts (member_id, account, balance) VALUES (?, 'points', ?) ON CONFLICT(member_id, account) DO UPDATE SET balance = balance + excluded.balance");
  const lot = db.prepare('UPDATE point_lots SET remaining = remaining + ? WHERE lot_id = ?');
  const balance = db.prepare<[string], { balance: number }>("SELECT balance FROM accounts WHERE member_id = ? AND account = 'points'");
  const insertTx = db.prepare(
    `INSERT INTO transactions (tx_id, device_id, seq, kind, content_hash, payload, status, code, member_id, bundle_version, created_at, applied_at, result)
     VALUES (?, ?, ?, 'points_expiry', ?, ?, 'applied', NULL, ?, NULL, ?, ?, ?)`,
  );

  let points = 0;
  let members = 0;
  // IMMEDIATE: the lots due and HQ's seq are read under the write lock, so another writer on the same file
  // (a second hub process, a console action) can neither expire the same lots nor take the same seq.
  db.transaction(() => {
    const due = dueLots.all(asOf);
    const byMember = new Map<string, typeof due>();
    for (const lot of due) byMember.set(lot.member_id, [...(byMember.get(lot.member_id) ?? []), lot]);
    members = byMember.size;
    if (due.length === 0) return;
    const now = new Date().toISOString();
    let seq = sequence.last();
    for (const [memberId, lots] of byMember) {
      const txId = nextId();
      seq += 1;
      const expired = lots.reduce((sum, l) => sum + l.remaining, 0);
      for (const l of lots) {
        journal.run(txId, memberId, -l.remaining, l.lot_id);
        account.run(memberId, -l.remaining);
        lot.run(-l.remaining, l.lot_id);
      }
      points += expired;
      const payload = canonicalJson({ kind: 'points_expiry', memberId, asOf, lots: lots.map((l) => ({ lotId: l.lot_id, points: l.remaining, expiresAt: l.expires_at })) });
      const result: TxResult = {
        id: txId,
        seq,
        status: 'applied',
        outcome: {
          kind: 'points_expiry',
          memberId,
          cardUid: '',
          tier: '',
          balances: { storedValueCents: 0, bonusValueCents: 0, points: balance.get(memberId)?.balance ?? 0 },
          pointsEarned: 0,
          pointsSpent: expired,
          valueDeltaCents: 0,
          trace: [`${expired} points expired`],
        },
      };
      insertTx.run(txId, EXPIRY_DEVICE_ID, seq, contentHash(payload), payload, memberId, asOf, now, JSON.stringify(result));
    }
    sequence.advanceTo(seq);
  }).immediate();
  return { members, points };
}
