/**
 * PostgreSQL ledger ingest (issue 15): kiosk purchases applied through the PostgreSQL ledger the way the hub's
 * ingest does (applyBatch of 100: parse, idempotency and order checks, rules, journal, one READ COMMITTED database
 * transaction per batch with its row locks), beside raw `pg` writing the very rows the ledger wrote (the transaction row, its journal
 * entries, the balance and lot updates, the member totals, the purchase record, the sequence row) in the same
 * batches, one database transaction per batch, set-based: one statement per table per batch with the rows as one
 * JSON parameter — the fastest plain `pg` short of COPY (a statement per row made the ledger look faster than "raw"). Both on one throwaway cluster (hub/testing/start-postgres.ts) with PostgreSQL's default
 * durability (fsync on, synchronous_commit on), in alternating rounds so a busy machine slows both alike, as the
 * SQLite figure (ledger-ingest.ts) does. Target: ratio >= 0.5.
 */
import pg from 'pg';
import pino from 'pino';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { parseTransaction } from '../../../core/wire/parse-transaction.ts';
import type { LedgerStore } from '../../../hub/ledger/ledger-store.ts';
import { openLedger } from '../../../hub/ledger/open-ledger.ts';
import { LEDGER_PG_TYPES } from '../../../hub/ledger/postgres/pg-integer-types.ts';
import { migratePostgres } from '../../../hub/ledger/postgres/postgres-migrations.ts';
import { startPostgres, stopPostgres } from '../../../hub/testing/start-postgres.ts';
import type { BenchFigure } from '../figure.ts';
import { benchCardUids, purchasePayloads } from '../support/purchase-payloads.ts';

const TRANSACTIONS = 10_000;
const ROUNDS = 5;
const BATCH = 100;
const MEMBERS = 1_000;
const DEVICE = 'bench-kiosk';

export async function measure(): Promise<BenchFigure[]> {
  const cluster = await startPostgres();
  const logger = pino({ level: 'silent' });
  const cards = benchCardUids(MEMBERS);
  const payloads = purchasePayloads(DEVICE, cards, TRANSACTIONS).map((tx) => JSON.stringify(tx));
  const ledgerUrl = await cluster.createDatabase('bench_ledger');
  const store = await openLedger({ kind: 'postgres', url: ledgerUrl, logger, fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 2 });
  const readBack = new pg.Client({ connectionString: ledgerUrl, types: LEDGER_PG_TYPES });
  let raw: RawCopy | null = null;
  let ledgerMs = 0;
  let rawMs = 0;
  let ledgerRoundTrips = 0;
  try {
    for (const [i, uid] of cards.entries()) await store.createMember({ memberId: `BM${i}`, name: `Bench ${i}`, phone: '13800000000', tier: 'gold', cards: [{ uid }] });
    // A counter kiosk: the bench's purchases pay cash, which an unattended kiosk's are refused.
    await store.identity.setDeviceMode(DEVICE, 'attended');
    await readBack.connect();
    raw = await openRawCopy(await cluster.createDatabase('bench_raw'), cards.length);
    const perRound = TRANSACTIONS / ROUNDS;
    for (let round = 0; round < ROUNDS; round++) {
      const chunk = payloads.slice(round * perRound, (round + 1) * perRound);
      const { value: ms, roundTrips } = await countingRoundTrips(() => timeLedger(store, chunk));
      ledgerMs += ms;
      ledgerRoundTrips += roundTrips;
      rawMs += await raw.time(await readRows(readBack, round * perRound + 1, (round + 1) * perRound));
    }
    if ((await store.audit()).length > 0) throw new Error('journal audit failed after the PostgreSQL ledger benchmark');
  } finally {
    await readBack.end().catch(() => undefined);
    await raw?.close();
    await store.close();
    await stopPostgres();
  }
  const ledger = TRANSACTIONS / (ledgerMs / 1000);
  const baseline = TRANSACTIONS / (rawMs / 1000);
  const ratio = ledger / baseline;
  return [
    {
      name: 'postgres ledger ingest',
      value: ledger,
      unit: 'tx/s',
      baseline,
      ratio,
      target: 'ratio >= 0.5',
      met: ratio >= 0.5,
      notes:
        `${TRANSACTIONS} purchases over ${MEMBERS} members in ${ROUNDS} alternating rounds, batches of ${BATCH}, one worker, ` +
        'fsync on + synchronous_commit on; baseline: raw pg writes the rows the ledger wrote, read back, set-based (one statement per table per batch, rows as one JSON parameter), one transaction per batch; ' +
        `round trips per batch: ledger ${(ledgerRoundTrips / (TRANSACTIONS / BATCH)).toFixed(1)}, raw ${RAW_ROUND_TRIPS}`,
    },
  ];
}

/** The raw copy's round trips per batch: BEGIN, one statement per table (seven), COMMIT. */
const RAW_ROUND_TRIPS = 9;

/**
 * Counts the queries every pg client of this process sends while `work` runs — each one round trip — so the figure
 * says where the ledger's time goes (read misses and held-write flushes would show here), not only how much.
 */
async function countingRoundTrips<T>(work: () => Promise<T>): Promise<{ value: T; roundTrips: number }> {
  const prototype = pg.Client.prototype as unknown as { query: (this: pg.Client, ...args: unknown[]) => unknown };
  const original = prototype.query;
  let roundTrips = 0;
  prototype.query = function (this: pg.Client, ...args: unknown[]) {
    roundTrips++;
    return original.apply(this, args);
  };
  try {
    return { value: await work(), roundTrips };
  } finally {
    prototype.query = original;
  }
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

type TxRow = Record<string, string | number | null>;
interface LedgerRows {
  txs: TxRow[];
  journal: Map<string, JournalRow[]>;
  lots: Map<string, LotRow[]>;
  purchases: Map<string, { tx_id: string; member_id: string; record: string }>;
}
interface JournalRow { tx_id: string; member_id: string; account: string; amount: number; lot_id: string | null; bundle_version: number | null }
interface LotRow { lot_id: string; member_id: string; earned_at: string; expires_at: string | null }

const TX_COLUMNS = ['tx_id', 'device_id', 'seq', 'epoch', 'kind', 'content_hash', 'payload', 'status', 'code', 'member_id', 'bundle_version', 'created_at', 'applied_at', 'result'];

/** Everything the ledger wrote for the device's transactions with seq in [from, to]. */
async function readRows(db: pg.Client, from: number, to: number): Promise<LedgerRows> {
  const txs = (await db.query<TxRow>(`SELECT ${TX_COLUMNS.join(', ')} FROM transactions WHERE device_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`, [DEVICE, from, to])).rows;
  const ids = txs.map((t) => t.tx_id as string);
  const journal = (await db.query<JournalRow>('SELECT tx_id, member_id, account, amount, lot_id, bundle_version FROM journal WHERE tx_id = ANY($1) ORDER BY entry_id', [ids])).rows;
  const lots = (await db.query<LotRow>('SELECT lot_id, member_id, earned_at, expires_at FROM point_lots WHERE lot_id = ANY($1)', [ids.map((id) => `${id}:earn`)])).rows;
  const purchases = (await db.query<{ tx_id: string; member_id: string; record: string }>('SELECT tx_id, member_id, record FROM purchases WHERE tx_id = ANY($1)', [ids])).rows;
  if (txs.length !== to - from + 1 || journal.length === 0 || lots.length === 0) throw new Error('the ledger did not write the rows the baseline copies');
  return { txs, journal: groupBy(journal, (r) => r.tx_id), lots: groupBy(lots, (r) => r.lot_id.split(':')[0]!), purchases: new Map(purchases.map((p) => [p.tx_id, p])) };
}

interface RawCopy {
  time(rows: LedgerRows): Promise<number>;
  close(): Promise<void>;
}

/** A second database with the ledger's schema, written with plain prepared statements: no parsing, checks or rules. */
async function openRawCopy(url: string, members: number): Promise<RawCopy> {
  const pool = new pg.Pool({ connectionString: url, max: 1, types: LEDGER_PG_TYPES });
  await migratePostgres(pool, pino({ level: 'silent' }));
  await pool.end();
  const db = new pg.Client({ connectionString: url, types: LEDGER_PG_TYPES });
  await db.connect();
  const now = new Date().toISOString();
  await db.query("INSERT INTO members (member_id, name, phone, tier, created_at) SELECT 'BM' || i, 'b', '1', 'gold', $1 FROM generate_series(0, $2::int - 1) AS i", [now, members]);
  // Set-based, as a plain `pg` program that cares about speed writes a batch: one statement per table per batch, its
  // rows as one JSON parameter (json_populate_recordset), sums per key worked out in the program. The strongest plain
  // baseline short of COPY: a round trip per table, not per row.
  const insertAll = (table: string, columns: readonly string[], rows: readonly object[]) =>
    rows.length === 0
      ? Promise.resolve()
      : db.query(`INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM json_populate_recordset(null::${table}, $1)`, [JSON.stringify(rows)]);
  const writeBatch = async (batch: TxRow[], rows: LedgerRows) => {
    const lots: (LotRow & { remaining: number })[] = [];
    const journal: JournalRow[] = [];
    const accounts = new Map<string, { member_id: string; account: string; balance: number }>();
    const lotAmounts = new Map<string, number>();
    const members = new Map<string, { member_id: string; spend: number; points: number }>();
    const purchases: { tx_id: string; member_id: string; record: string }[] = [];
    const sequences = new Map<string, { device_id: unknown; epoch: unknown; last_seq: unknown; last_effective_at: unknown }>();
    for (const tx of batch) {
      const id = tx.tx_id as string;
      for (const j of rows.journal.get(id) ?? []) {
        journal.push(j);
        const key = `${j.member_id}\u0000${j.account}`;
        const account = accounts.get(key) ?? { member_id: j.member_id, account: j.account, balance: 0 };
        account.balance += j.amount;
        accounts.set(key, account);
        if (j.lot_id) lotAmounts.set(j.lot_id, (lotAmounts.get(j.lot_id) ?? 0) + j.amount);
      }
      for (const lot of rows.lots.get(id) ?? []) lots.push({ ...lot, remaining: 0 });
      const purchase = rows.purchases.get(id);
      if (purchase) {
        purchases.push(purchase);
        const points = (rows.journal.get(id) ?? []).filter((j) => j.account === 'points').reduce((sum, j) => sum + j.amount, 0);
        const member = members.get(purchase.member_id) ?? { member_id: purchase.member_id, spend: 0, points: 0 };
        member.spend += 4990;
        member.points += points;
        members.set(purchase.member_id, member);
      }
      sequences.set(`${tx.device_id}\u0000${tx.epoch}`, { device_id: tx.device_id, epoch: tx.epoch, last_seq: tx.seq, last_effective_at: tx.created_at });
    }
    for (const lot of lots) lot.remaining = lotAmounts.get(lot.lot_id) ?? 0;
    await db.query('BEGIN');
    try {
      await insertAll('point_lots', ['lot_id', 'member_id', 'remaining', 'earned_at', 'expires_at'], lots);
      await insertAll('journal', ['tx_id', 'member_id', 'account', 'amount', 'lot_id', 'bundle_version'], journal);
      await db.query(
        `INSERT INTO accounts (member_id, account, balance) SELECT member_id, account, balance FROM json_populate_recordset(null::accounts, $1)
         ON CONFLICT (member_id, account) DO UPDATE SET balance = accounts.balance + excluded.balance`,
        [JSON.stringify([...accounts.values()])],
      );
      await db.query(
        `UPDATE members SET cumulative_spend_cents = cumulative_spend_cents + u.spend, cumulative_points_earned = cumulative_points_earned + u.points
         FROM json_to_recordset($1) AS u(member_id text, spend bigint, points bigint) WHERE members.member_id = u.member_id`,
        [JSON.stringify([...members.values()])],
      );
      await insertAll('purchases', ['tx_id', 'member_id', 'record'], purchases);
      await insertAll('transactions', TX_COLUMNS, batch);
      await db.query(
        `INSERT INTO device_sequences (device_id, epoch, last_seq, last_effective_at) SELECT device_id, epoch, last_seq, last_effective_at FROM json_populate_recordset(null::device_sequences, $1)
         ON CONFLICT (device_id, epoch) DO UPDATE SET last_seq = excluded.last_seq, last_effective_at = excluded.last_effective_at`,
        [JSON.stringify([...sequences.values()])],
      );
      await db.query('COMMIT');
    } catch (error) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  };
  return {
    async time(rows) {
      const started = performance.now();
      for (let i = 0; i < rows.txs.length; i += BATCH) await writeBatch(rows.txs.slice(i, i + BATCH), rows);
      return performance.now() - started;
    },
    close: () => db.end(),
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
