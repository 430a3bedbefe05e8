/**
 * Ledger ingest: transactions applied durably per second through the hub's ledger (parse, idempotency check,
 * ordering check, rules evaluation, journal) in batches of 100 with synchronous=FULL, beside raw
 * better-sqlite3 writing the same rows with the same setting and batch size. Target: ratio >= 0.5.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { parseTransaction } from '../../../core/wire/parse-transaction.ts';
import { SqliteLedgerStore } from '../../../hub/ledger/sqlite/sqlite-ledger-store.ts';
import { SCHEMA_SQL } from '../../../hub/ledger/sqlite/schema.ts';
import type { BenchFigure } from '../figure.ts';
import { benchCardUids, purchasePayloads } from '../support/purchase-payloads.ts';

const TRANSACTIONS = 20_000;
const BATCH = 100;
const MEMBERS = 1_000;

export async function measure(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mk-bench-ledger-'));
  try {
    const cards = benchCardUids(MEMBERS);
    const payloads = purchasePayloads('bench-kiosk', cards, TRANSACTIONS).map((tx) => JSON.stringify(tx));
    const ledger = measureLedger(join(dir, 'ledger.sqlite'), cards, payloads);
    const raw = measureRaw(join(dir, 'ledger.sqlite'), join(dir, 'raw.sqlite'), BATCH);
    const ratio = ledger / raw;
    return [
      {
        name: 'ledger ingest',
        value: ledger,
        unit: 'tx/s',
        baseline: raw,
        ratio,
        target: 'ratio >= 0.5',
        met: ratio >= 0.5,
        notes: `${TRANSACTIONS} purchases over ${MEMBERS} members, batches of ${BATCH}, WAL + synchronous=FULL; baseline writes the rows the ledger wrote, read back, with prepared statements`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function measureLedger(path: string, cards: string[], payloads: string[]): number {
  const store = new SqliteLedgerStore({ path, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
  store.open();
  cards.forEach((uid, i) => store.createMember({ memberId: `BM${i}`, name: `Bench ${i}`, phone: '13800000000', tier: 'gold', cards: [{ uid }] }));
  const started = performance.now();
  for (let i = 0; i < payloads.length; i += BATCH) {
    const batch = payloads.slice(i, i + BATCH).map((p) => ({ topicDeviceId: 'bench-kiosk', parsed: parseTransaction(p) }));
    const results = store.applyBatch(batch);
    if (results.some((r) => r.status !== 'applied')) throw new Error(`bench transaction not applied: ${JSON.stringify(results.find((r) => r.status !== 'applied'))}`);
  }
  const seconds = (performance.now() - started) / 1000;
  if (store.audit().length > 0) throw new Error('journal audit failed after the ledger benchmark');
  store.close();
  return payloads.length / seconds;
}

/**
 * The baseline: the very rows the ledger wrote (read back from its database), written again with prepared
 * statements in the same batches with the same synchronous setting: no parsing, checks or rules.
 */
function measureRaw(ledgerPath: string, path: string, batchSize: number): number {
  const source = new Database(ledgerPath, { readonly: true });
  const txs = source.prepare('SELECT * FROM transactions ORDER BY seq').all() as Record<string, unknown>[];
  const journalByTx = groupBy(source.prepare('SELECT tx_id, member_id, account, amount, lot_id, bundle_version FROM journal ORDER BY entry_id').all() as JournalRow[], (r) => r.tx_id);
  const lotsByTx = groupBy(source.prepare('SELECT lot_id, member_id, earned_at, expires_at FROM point_lots').all() as { lot_id: string; member_id: string; earned_at: string; expires_at: string | null }[], (r) => r.lot_id.split(':')[0]!);
  const purchases = new Map((source.prepare('SELECT tx_id, member_id, record FROM purchases').all() as { tx_id: string; member_id: string; record: string }[]).map((r) => [r.tx_id, r]));
  const members = source.prepare('SELECT member_id FROM members').all() as { member_id: string }[];
  source.close();

  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA_SQL);
  const now = new Date().toISOString();
  const insertMember = db.prepare("INSERT INTO members (member_id, name, phone, tier, created_at) VALUES (?, 'b', '1', 'gold', ?)");
  for (const m of members) insertMember.run(m.member_id, now);
  const insertLot = db.prepare('INSERT INTO point_lots (lot_id, member_id, remaining, earned_at, expires_at) VALUES (?, ?, 0, ?, ?)');
  const insertJournal = db.prepare('INSERT INTO journal (tx_id, member_id, account, amount, lot_id, bundle_version) VALUES (?, ?, ?, ?, ?, ?)');
  const upsertAccount = db.prepare('INSERT INTO accounts (member_id, account, balance) VALUES (?, ?, ?) ON CONFLICT(member_id, account) DO UPDATE SET balance = balance + excluded.balance');
  const addToLot = db.prepare('UPDATE point_lots SET remaining = remaining + ? WHERE lot_id = ?');
  const updateMember = db.prepare('UPDATE members SET cumulative_spend_cents = cumulative_spend_cents + ?, cumulative_points_earned = cumulative_points_earned + ? WHERE member_id = ?');
  const insertPurchase = db.prepare('INSERT INTO purchases (tx_id, member_id, record) VALUES (?, ?, ?)');
  const insertTx = db.prepare(
    `INSERT INTO transactions (tx_id, device_id, seq, kind, content_hash, payload, status, code, member_id, bundle_version, created_at, applied_at, result)
     VALUES (@tx_id, @device_id, @seq, @kind, @content_hash, @payload, @status, @code, @member_id, @bundle_version, @created_at, @applied_at, @result)`,
  );
  const upsertDevice = db.prepare('INSERT INTO devices (device_id, last_seq) VALUES (?, ?) ON CONFLICT(device_id) DO UPDATE SET last_seq = excluded.last_seq');
  const writeBatch = db.transaction((batch: Record<string, unknown>[]) => {
    for (const tx of batch) {
      const id = tx.tx_id as string;
      for (const lot of lotsByTx.get(id) ?? []) insertLot.run(lot.lot_id, lot.member_id, lot.earned_at, lot.expires_at);
      let points = 0;
      for (const j of journalByTx.get(id) ?? []) {
        insertJournal.run(j.tx_id, j.member_id, j.account, j.amount, j.lot_id, j.bundle_version);
        upsertAccount.run(j.member_id, j.account, j.amount);
        if (j.lot_id) addToLot.run(j.amount, j.lot_id);
        if (j.account === 'points') points += j.amount;
      }
      const purchase = purchases.get(id);
      if (purchase) {
        updateMember.run(4990, points, purchase.member_id);
        insertPurchase.run(purchase.tx_id, purchase.member_id, purchase.record);
      }
      insertTx.run(tx);
      upsertDevice.run(tx.device_id, tx.seq);
    }
  });
  const started = performance.now();
  for (let i = 0; i < txs.length; i += batchSize) writeBatch(txs.slice(i, i + batchSize));
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return txs.length / seconds;
}

interface JournalRow { tx_id: string; member_id: string; account: string; amount: number; lot_id: string | null; bundle_version: number | null }

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
