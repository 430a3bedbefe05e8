/**
 * Ledger ingest: transactions applied durably per second through the hub's ledger (parse, idempotency check,
 * ordering check, rules evaluation, journal) in batches of 100 with synchronous=FULL, beside raw
 * better-sqlite3 writing the very rows the ledger wrote, with the same setting and batch size. Target:
 * ratio >= 0.5. The two run in alternating rounds so a busy machine slows both alike.
 */
import Database, { type Database as DatabaseHandle } from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { parseTransaction } from '../../../core/wire/parse-transaction.ts';
import type { LedgerStore } from '../../../hub/ledger/ledger-store.ts';
import { openLedger } from '../../../hub/ledger/open-ledger.ts';
import { SCHEMA_SQL } from '../../../hub/ledger/sqlite/schema.ts';
import type { BenchFigure } from '../figure.ts';
import { benchCardUids, purchasePayloads } from '../support/purchase-payloads.ts';
import { ROLLUP_IN_BATCH_KEY } from '../../../hub/ledger/sqlite/schema-report-rollup.ts';

const TRANSACTIONS = 20_000;
const ROUNDS = 5;
const BATCH = 100;
const MEMBERS = 1_000;
const DEVICE = 'bench-kiosk';

export async function measure(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mk-bench-ledger-'));
  const ledgerPath = join(dir, 'ledger.sqlite');
  const cards = benchCardUids(MEMBERS);
  const payloads = purchasePayloads(DEVICE, cards, TRANSACTIONS).map((tx) => JSON.stringify(tx));
  const store = await openLedger({ kind: 'sqlite', path: ledgerPath, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
  for (const [i, uid] of cards.entries()) await store.createMember({ memberId: `BM${i}`, name: `Bench ${i}`, phone: '13800000000', tier: 'gold', cards: [{ uid }] });
  // A counter kiosk: the bench's purchases pay cash, which an unattended kiosk's are refused.
  await store.identity.setDeviceMode(DEVICE, 'attended');
  const readBack = new Database(ledgerPath, { readonly: true });
  const raw = openRawCopy(join(dir, 'raw.sqlite'), cards.length);
  let ledgerMs = 0;
  let rawMs = 0;
  try {
    const perRound = TRANSACTIONS / ROUNDS;
    for (let round = 0; round < ROUNDS; round++) {
      const chunk = payloads.slice(round * perRound, (round + 1) * perRound);
      ledgerMs += await timeLedger(store, chunk);
      rawMs += raw.time(readRows(readBack, round * perRound + 1, (round + 1) * perRound));
    }
    if ((await store.audit()).length > 0) throw new Error('journal audit failed after the ledger benchmark');
  } finally {
    readBack.close();
    raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const ledger = TRANSACTIONS / (ledgerMs / 1000);
  const baseline = TRANSACTIONS / (rawMs / 1000);
  const ratio = ledger / baseline;
  return [
    {
      name: 'ledger ingest',
      value: ledger,
      unit: 'tx/s',
      baseline,
      ratio,
      target: 'ratio >= 0.5',
      met: ratio >= 0.5,
      notes: `${TRANSACTIONS} purchases over ${MEMBERS} members in ${ROUNDS} alternating rounds, batches of ${BATCH}, WAL + synchronous=FULL; baseline writes the rows the ledger wrote (the hourly report totals once per store and hour of a batch, as the ledger does), read back, with prepared statements`,
    },
  ];
}

async function timeLedger(store: LedgerStore, payloads: string[]): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < payloads.length; i += BATCH) {
    const batch = payloads.slice(i, i + BATCH).map((p) => ({ topicDeviceId: DEVICE, parsed: parseTransaction(p) }));
    const results = await store.applyBatch(batch);
    const failed = results.find((r) => r.status !== 'applied');
    if (failed) throw new Error(`bench transaction not applied: ${JSON.stringify(failed)}`);
  }
  return performance.now() - started;
}

interface LedgerRows {
  txs: Record<string, unknown>[];
  journal: Map<string, JournalRow[]>;
  lots: Map<string, LotRow[]>;
  purchases: Map<string, { tx_id: string; member_id: string; record: string }>;
}
interface JournalRow { tx_id: string; member_id: string; account: string; amount: number; lot_id: string | null; bundle_version: number | null }
interface LotRow { lot_id: string; member_id: string; earned_at: string; expires_at: string | null }

/** Everything the ledger wrote for the device's transactions with seq in [from, to]. */
function readRows(db: DatabaseHandle, from: number, to: number): LedgerRows {
  const txs = db.prepare("SELECT * FROM transactions WHERE device_id = ? AND seq BETWEEN ? AND ? ORDER BY seq").all(DEVICE, from, to) as Record<string, unknown>[];
  const ids = txs.map((t) => t.tx_id as string);
  const inIds = `(${ids.map(() => '?').join(',')})`;
  const journal = db.prepare(`SELECT tx_id, member_id, account, amount, lot_id, bundle_version FROM journal WHERE tx_id IN ${inIds} ORDER BY entry_id`).all(...ids) as JournalRow[];
  const lots = db.prepare(`SELECT lot_id, member_id, earned_at, expires_at FROM point_lots WHERE lot_id IN ${inIds}`).all(...ids.map((id) => `${id}:earn`)) as LotRow[];
  const purchases = db.prepare(`SELECT tx_id, member_id, record FROM purchases WHERE tx_id IN ${inIds}`).all(...ids) as { tx_id: string; member_id: string; record: string }[];
  return { txs, journal: groupBy(journal, (r) => r.tx_id), lots: groupBy(lots, (r) => r.lot_id.split(':')[0]!), purchases: new Map(purchases.map((p) => [p.tx_id, p])) };
}

/** A second database with the ledger's schema, written with plain prepared statements: no parsing, checks or rules. */
function openRawCopy(path: string, members: number): { time(rows: LedgerRows): number; close(): void } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA_SQL);
  const now = new Date().toISOString();
  const insertMember = db.prepare("INSERT INTO members (member_id, name, phone, tier, created_at) VALUES (?, 'b', '1', 'gold', ?)");
  for (let i = 0; i < members; i++) insertMember.run(`BM${i}`, now);
  const insertLot = db.prepare('INSERT INTO point_lots (lot_id, member_id, remaining, earned_at, expires_at) VALUES (?, ?, 0, ?, ?)');
  const insertJournal = db.prepare('INSERT INTO journal (tx_id, member_id, account, amount, lot_id, bundle_version) VALUES (?, ?, ?, ?, ?, ?)');
  const upsertAccount = db.prepare('INSERT INTO accounts (member_id, account, balance) VALUES (?, ?, ?) ON CONFLICT(member_id, account) DO UPDATE SET balance = balance + excluded.balance');
  const addToLot = db.prepare('UPDATE point_lots SET remaining = remaining + ? WHERE lot_id = ?');
  const updateMember = db.prepare('UPDATE members SET cumulative_spend_cents = cumulative_spend_cents + ?, cumulative_points_earned = cumulative_points_earned + ? WHERE member_id = ?');
  const insertPurchase = db.prepare('INSERT INTO purchases (tx_id, member_id, record) VALUES (?, ?, ?)');
  const insertTx = db.prepare(
    `INSERT INTO transactions (tx_id, device_id, seq, epoch, kind, content_hash, payload, status, code, member_id, bundle_version, created_at, applied_at, result)
     VALUES (@tx_id, @device_id, @seq, @epoch, @kind, @content_hash, @payload, @status, @code, @member_id, @bundle_version, @created_at, @applied_at, @result)`,
  );
  const upsertSequence = db.prepare(
    `INSERT INTO device_sequences (device_id, epoch, last_seq, last_effective_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(device_id, epoch) DO UPDATE SET last_seq = excluded.last_seq, last_effective_at = excluded.last_effective_at`,
  );
  // The reports' hourly totals as the ledger keeps them for its batches (batch-report-rollup.ts): the trigger told to
  // skip the batch's rows by the same marker, one upsert per store and hour the batch touched.
  const markBatch = db.prepare(`INSERT OR IGNORE INTO schema_meta (key, value) VALUES ('${ROLLUP_IN_BATCH_KEY}', '1')`);
  const unmarkBatch = db.prepare(`DELETE FROM schema_meta WHERE key = '${ROLLUP_IN_BATCH_KEY}'`);
  const upsertHour = db.prepare(
    `INSERT INTO report_hourly (store_id, hour, purchases, purchase_cents, points_issued) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (store_id, hour) DO UPDATE SET purchases = purchases + excluded.purchases, purchase_cents = purchase_cents + excluded.purchase_cents, points_issued = points_issued + excluded.points_issued`,
  );
  const writeBatch = db.transaction((batch: Record<string, unknown>[], rows: LedgerRows) => {
    markBatch.run();
    const hours = new Map<string, { purchases: number; cents: number; points: number }>();
    for (const tx of batch) {
      const id = tx.tx_id as string;
      for (const lot of rows.lots.get(id) ?? []) insertLot.run(lot.lot_id, lot.member_id, lot.earned_at, lot.expires_at);
      let points = 0;
      for (const j of rows.journal.get(id) ?? []) {
        insertJournal.run(j.tx_id, j.member_id, j.account, j.amount, j.lot_id, j.bundle_version);
        upsertAccount.run(j.member_id, j.account, j.amount);
        if (j.lot_id) addToLot.run(j.amount, j.lot_id);
        if (j.account === 'points') points += j.amount;
      }
      const purchase = rows.purchases.get(id);
      if (purchase) {
        updateMember.run(4990, points, purchase.member_id);
        insertPurchase.run(purchase.tx_id, purchase.member_id, purchase.record);
      }
      insertTx.run(tx);
      upsertSequence.run(tx.device_id, tx.epoch, tx.seq, tx.created_at);
      if (purchase) {
        const key = `${(JSON.parse(tx.payload as string) as { storeId: string }).storeId}\n${(tx.created_at as string).slice(0, 13)}`;
        const hour = hours.get(key) ?? { purchases: 0, cents: 0, points: 0 };
        hour.purchases += 1;
        hour.cents += (JSON.parse(purchase.record) as { totalCents: number }).totalCents;
        hour.points += Math.max(0, points);
        hours.set(key, hour);
      }
    }
    for (const [key, hour] of hours) upsertHour.run(...(key.split('\n') as [string, string]), hour.purchases, hour.cents, hour.points);
    unmarkBatch.run();
  });
  return {
    time(rows) {
      const started = performance.now();
      for (let i = 0; i < rows.txs.length; i += BATCH) writeBatch(rows.txs.slice(i, i + BATCH), rows);
      return performance.now() - started;
    },
    close: () => db.close(),
  };
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}
