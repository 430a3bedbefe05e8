/**
 * A ledger file of `count` members for the churn (dormant members) tests, written in bulk in the ledger's own
 * shapes: member i (`D` + 7 digits, 会员i, phone 139 + 8 digits) registered in store s1 when i is odd and s2 when
 * even. Two in three made purchases (applied, in their home store): the newest `lastVisitOf(i)`, spread over
 * the year to 2026-06-01 in an order unlike the ids', so the churn list's sort does real work; every third
 * (i % 3 === 0) never visited. Each holds i cents of stored value and i % 1000 points.
 */
import Database from 'better-sqlite3';
import { REPORT_INDEXES_SQL } from '../ledger/sqlite/schema-console-features.ts';
import { SCHEMA_SQL } from '../ledger/sqlite/schema.ts';

const YEAR_START = Date.parse('2025-06-01T00:00:00.000Z');
const MINUTES_IN_YEAR = 525_600;

export const dormantMemberId = (i: number) => `D${String(i).padStart(7, '0')}`;
/** Member i's newest purchase, or null when they never visited. */
export const lastVisitOf = (i: number): string | null => (i % 3 === 0 ? null : new Date(YEAR_START + ((i * 7_919) % MINUTES_IN_YEAR) * 60_000).toISOString());

export function writeDormantMembersLedger(path: string, count: number): void {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA_SQL);
    db.exec(REPORT_INDEXES_SQL);
    const member = db.prepare("INSERT INTO members (member_id, name, phone, tier, created_at, home_store_id) VALUES (?, ?, ?, ?, '2025-01-01T00:00:00.000Z', ?)");
    const account = db.prepare('INSERT INTO accounts (member_id, account, balance) VALUES (?, ?, ?)');
    const tx = db.prepare(
      `INSERT INTO transactions (tx_id, device_id, seq, epoch, kind, content_hash, payload, status, member_id, bundle_version, created_at, applied_at, result)
       VALUES (?, 'k1', ?, '', 'purchase', 'h', ?, 'applied', ?, 1, ?, ?, '{}')`,
    );
    let seq = 0;
    db.transaction(() => {
      for (let i = 1; i <= count; i += 1) {
        const id = dormantMemberId(i);
        const store = i % 2 ? 's1' : 's2';
        member.run(id, `会员${i}`, `139${String(i).padStart(8, '0')}`, i % 5 === 0 ? 'gold' : 'standard', store);
        account.run(id, 'stored_value', i);
        account.run(id, 'points', i % 1000);
        const last = lastVisitOf(i);
        if (last === null) continue;
        // An older visit too: the last visit is the newest of the member's purchases, not any.
        for (const at of [new Date(Date.parse(last) - 30 * 86_400_000).toISOString(), last]) {
          seq += 1;
          tx.run(`P${String(seq).padStart(8, '0')}`, seq, JSON.stringify({ kind: 'purchase', storeId: store }), id, at, at);
        }
      }
    })();
  } finally {
    db.close();
  }
}
