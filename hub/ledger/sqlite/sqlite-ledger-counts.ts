/**
 * What the SQLite ledger answers about its own bookkeeping (../ledger-store.ts): how many transactions it holds, the
 * seqs a kiosk has used per epoch, and where a kiosk's rules and the hub's disagreed — for metrics, tools and tests,
 * never on a transaction's path.
 */
import type { Database as DatabaseHandle } from 'better-sqlite3';
import type { RuleDisagreement } from '../ledger-store.ts';

export function transactionCount(db: DatabaseHandle): number {
  return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM transactions').get()?.n ?? 0;
}

export function lastSeq(db: DatabaseHandle, deviceId: string, epoch: string): number {
  return db.prepare<[string, string], { last_seq: number }>('SELECT last_seq FROM device_sequences WHERE device_id = ? AND epoch = ?').get(deviceId, epoch)?.last_seq ?? 0;
}

/** Every seq the kiosk used, summed over its epochs. */
export function consumedSeqs(db: DatabaseHandle, deviceId: string): number {
  return db.prepare<[string], { n: number | null }>('SELECT sum(last_seq) AS n FROM device_sequences WHERE device_id = ?').get(deviceId)?.n ?? 0;
}

export function ruleDisagreements(db: DatabaseHandle, limit: number): RuleDisagreement[] {
  return db
    .prepare<[number], { tx_id: string; device_id: string; bundle_version: number; differences: string }>(
      'SELECT tx_id, device_id, bundle_version, differences FROM rule_disagreements ORDER BY recorded_at DESC, tx_id DESC LIMIT ?',
    )
    .all(limit)
    .map((r) => ({ txId: r.tx_id, deviceId: r.device_id, bundleVersion: r.bundle_version, differences: JSON.parse(r.differences) as RuleDisagreement['differences'] }));
}
