/**
 * Redemption codes (兑换码) and points draws (积分抽奖) on the PostgreSQL ledger: the statements of
 * ../sqlite/sqlite-codes-draws.ts. Inside a batch, what a code_redeem or draw_enter planner reads
 * (codesAndDrawsContext, synchronous over the batch's SyncReads) and what its effect writes (codesAndDrawsWrites,
 * buffered by the write port), the code's or the draw's row locked before it is read (row-locks.ts); outside, HQ's
 * code batches, each one SERIALIZABLE database transaction on the store's retrying runner, and the draws' life
 * cycle, at READ COMMITTED with the draw's row locked first (so no entry a batch is writing is left out of a close);
 * each read one snapshot.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { CodedError } from '../../../core/errors/coded-error.ts';
import { secondChanceWinners, seedCommitment, type DrawAuditInput, type DrawDefinition } from '../../../core/draws/draw-outcome.ts';
import type { DrawState, DrawStatus, RedemptionCodeState } from '../../../core/ledger/codes-and-draws.ts';
import type { PlanningContext } from '../../../core/ledger/planning-context.ts';
import type { LedgerEffect } from '../../../core/ledger/types.ts';
import type { LedgerTransaction } from '../../../core/wire/transaction.ts';
import type { CodeBatchSummary, CodeStore, CodeVerification, NewCodeBatch } from '../code-store.ts';
import type { DrawEntryView, DrawPrizeView, DrawStore, DrawView, DrawWinnerView } from '../draw-store.ts';
import { runSynchronously, SyncReads, type SqlValue } from './sync-reads.ts';
import { drawRowLock } from './row-locks.ts';

interface CodeRow { code_hash: string; batch_id: string; used_tx_id: string | null; used_at: string | null; name: string; sku: string; points: number; expires_at: string }
interface DrawRow {
  draw_id: string; name: string; cost_points: number; no_prize_weight: number; closes_at: string; status: DrawStatus; seed_sha256: string; seed: string;
  created_at: string; created_by: string; opened_at: string | null; closed_at: string | null;
}
interface PrizeRow { prize_id: string; position: number; round: 'instant' | 'second_chance'; name: string; kind: 'gift' | 'points'; points: number | null; weight: number; stock: number; stock_left: number }
interface EntryRow { entry_no: number; tx_id: string; member_id: string; prize_id: string | null; out_of_stock_prize_id: string | null; ticket: string; pick: number; entered_at: string }

/** The hub's key for redemption-code hashes, made by whichever worker comes first and kept in schema_meta. */
export async function postgresRedemptionCodeKey(pool: pg.Pool): Promise<Buffer> {
  await pool.query("INSERT INTO schema_meta (key, value) VALUES ('redemption_code_key', $1) ON CONFLICT (key) DO NOTHING", [randomBytes(32).toString('base64')]);
  const row = await pool.query<{ value: string }>("SELECT value FROM schema_meta WHERE key = 'redemption_code_key'");
  return Buffer.from(row.rows[0]!.value, 'base64');
}

/** A code's key in redemption_codes: HMAC-SHA256(hub key, the code's SHA-256 digest), hex (as on SQLite). */
function codeHashOf(key: Buffer, codeDigest: string): string {
  return createHmac('sha256', key).update(codeDigest, 'utf8').digest('hex');
}

function codeState(reads: SyncReads, key: Buffer, codeDigest: string): RedemptionCodeState | null {
  const codeHash = codeHashOf(key, codeDigest);
  const row = reads.one<CodeRow>(
    `SELECT c.code_hash, c.batch_id, c.used_tx_id, c.used_at, b.name, b.sku, b.points, b.expires_at
     FROM redemption_codes c JOIN code_batches b ON b.batch_id = c.batch_id WHERE c.code_hash = $1`,
    [codeHash],
    // Keyed, so a write at READ COMMITTED locks the code's row before it reads it (row-locks.ts).
    { table: 'redemption_codes', column: 'code_hash', value: codeHash },
  );
  if (!row) return null;
  return { codeHash: row.code_hash, batchId: row.batch_id, batchName: row.name, sku: row.sku, points: row.points, expiresAt: row.expires_at, usedByTxId: row.used_tx_id, usedAt: row.used_at };
}

/** Keyed by the draw, so a write at READ COMMITTED locks the draw's row before it reads the draw or its prizes (row-locks.ts). */
const drawRow = (reads: SyncReads, drawId: string) => reads.one<DrawRow>('SELECT * FROM draws WHERE draw_id = $1', [drawId], { table: 'draws', column: 'draw_id', value: drawId });
const prizesOf = (reads: SyncReads, drawId: string) =>
  reads.all<PrizeRow>('SELECT prize_id, position, round, name, kind, points, weight, stock, stock_left FROM draw_prizes WHERE draw_id = $1 ORDER BY round, position', [drawId], { table: 'draw_prizes', column: 'draw_id', value: drawId });

function drawState(reads: SyncReads, drawId: string): DrawState | null {
  const row = drawRow(reads, drawId);
  if (!row) return null;
  const prizes = prizesOf(reads, drawId).filter((p) => p.round === 'instant');
  return {
    drawId: row.draw_id, name: row.name, status: row.status, costPoints: row.cost_points, closesAt: row.closes_at, noPrizeWeight: row.no_prize_weight, seedHex: row.seed,
    prizes: prizes.map((p) => ({ prizeId: p.prize_id, name: p.name, kind: p.kind, points: p.points, weight: p.weight, stockLeft: p.stock_left })),
  };
}

/** What a code_redeem or draw_enter planner reads; nothing for other kinds. */
export function codesAndDrawsContext(reads: SyncReads, key: Buffer, tx: LedgerTransaction): Pick<PlanningContext, 'redemptionCode' | 'draw'> {
  if (tx.kind === 'code_redeem') return { redemptionCode: codeState(reads, key, tx.codeDigest) };
  if (tx.kind === 'draw_enter') return { draw: drawState(reads, tx.drawId) };
  return {};
}

/** A write of the port (postgres-write-port.ts): a statement, and the rows it must change where that is a check. */
export type BufferedWrite = (sql: string, params: SqlValue[], check?: { expectRows: number; what: string }) => void;

/** The code's use or the draw entry of an effect; a row that moved since planning fails the batch (a defect: it rolls back). */
export function codesAndDrawsWrites(write: BufferedWrite, tx: LedgerTransaction, effect: LedgerEffect): void {
  if (effect.codeRedemption) {
    write('UPDATE redemption_codes SET used_tx_id = $1, used_by_member_id = $2, used_at = $3 WHERE code_hash = $4 AND used_tx_id IS NULL', [tx.id, effect.memberId, tx.createdAt, effect.codeRedemption.codeHash], {
      expectRows: 1,
      what: `redemption code of ${tx.id}, unknown or used already`,
    });
  }
  const entry = effect.drawEntry;
  if (entry) {
    write('INSERT INTO draw_entries (tx_id, draw_id, member_id, ticket, pick, prize_id, out_of_stock_prize_id, entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      tx.id, entry.drawId, effect.memberId, entry.ticket, entry.pick, entry.prize?.prizeId ?? null, entry.outOfStockPrizeId, tx.createdAt,
    ]);
    if (entry.prize) {
      write('UPDATE draw_prizes SET stock_left = stock_left - 1 WHERE draw_id = $1 AND prize_id = $2 AND stock_left > 0', [entry.drawId, entry.prize.prizeId], {
        expectRows: 1,
        what: `draw ${entry.drawId}'s ${entry.prize.prizeId} left for ${tx.id}`,
      });
    }
  }
}

/** The store's retrying runners (SERIALIZABLE, and READ COMMITTED for changes that lock first) and its snapshot reads. */
export interface PostgresRunner {
  transaction<T>(work: (work: { client: pg.PoolClient }) => Promise<T>): Promise<T>;
  /** READ COMMITTED, for a change that locks the row batches lock before they decide (a draw's status: row-locks.ts). */
  lockingTransaction<T>(work: (work: { client: pg.PoolClient }) => Promise<T>): Promise<T>;
  snapshot<T>(read: (reads: SyncReads) => T): Promise<T>;
}

/** The draw's row, locked as kiosk batches lock it before they enter a member (row-locks.ts). */
async function lockDraw(client: pg.ClientBase, drawId: string): Promise<void> {
  const lock = drawRowLock(drawId);
  await client.query(lock.sql, [...lock.params]);
}

/** Reads run synchronously on `client` now, in the database transaction under way (fresh: after its writes). */
function readIn<T>(client: pg.ClientBase, read: (reads: SyncReads) => T): Promise<T> {
  const reads = new SyncReads();
  return runSynchronously(client, reads, { discard: () => undefined, flush: async () => undefined }, () => read(reads));
}

export class PostgresCodesAndDraws implements CodeStore, DrawStore {
  constructor(
    private readonly key: Buffer,
    private readonly runner: PostgresRunner,
  ) {}

  // --- codes (code-store.ts) ---

  async createCodeBatch(batch: NewCodeBatch, codeDigests: readonly string[]): Promise<CodeBatchSummary> {
    await this.runner.transaction(async ({ client }) => {
      if ((await client.query('SELECT 1 FROM code_batches WHERE name = $1', [batch.name])).rowCount) {
        throw new CodedError('CODE_BATCH_EXISTS', `a batch named ${batch.name} exists already`);
      }
      await client.query('INSERT INTO code_batches (batch_id, name, sku, points, expires_at, code_count, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        batch.batchId, batch.name, batch.sku, batch.points, batch.expiresAt, codeDigests.length, batch.createdAt, batch.createdBy,
      ]);
      // One statement for the whole batch of codes: a batch may hold tens of thousands.
      await client.query('INSERT INTO redemption_codes (code_hash, batch_id) SELECT h, $2 FROM unnest($1::text[]) AS h', [codeDigests.map((d) => codeHashOf(this.key, d)), batch.batchId]);
    });
    return { ...batch, count: codeDigests.length, used: 0 };
  }

  async listCodeBatches(): Promise<CodeBatchSummary[]> {
    return this.runner.snapshot((reads) =>
      reads
        .all<{ batch_id: string; name: string; sku: string; points: number; expires_at: string; code_count: number; created_at: string; created_by: string; used: number }>(
          `SELECT b.*, (SELECT count(*) FROM redemption_codes c WHERE c.batch_id = b.batch_id AND c.used_tx_id IS NOT NULL) AS used
           FROM code_batches b ORDER BY b.created_at DESC, b.batch_id DESC`,
        )
        .map((r) => ({ batchId: r.batch_id, name: r.name, sku: r.sku, points: r.points, expiresAt: r.expires_at, count: r.code_count, used: r.used, createdAt: r.created_at, createdBy: r.created_by })),
    );
  }

  async verifyCode(codeDigest: string, at: string): Promise<CodeVerification> {
    const code = await this.runner.snapshot((reads) => codeState(reads, this.key, codeDigest));
    if (!code) return { status: 'unknown' };
    const batch = { batchId: code.batchId, name: code.batchName, sku: code.sku, points: code.points, expiresAt: code.expiresAt };
    if (code.usedByTxId !== null) return { status: 'used', batch, usedAt: code.usedAt };
    return { status: at >= code.expiresAt ? 'expired' : 'genuine', batch };
  }

  // --- draws (draw-store.ts) ---

  async createDraw(definition: DrawDefinition & { drawId: string }, seedHex: string, createdBy: string, at: string): Promise<DrawView> {
    return this.runner.transaction(async ({ client }) => {
      if (await readIn(client, (reads) => drawRow(reads, definition.drawId))) throw new CodedError('DRAW_EXISTS', `a draw ${definition.drawId} exists already`);
      await client.query(
        `INSERT INTO draws (draw_id, name, cost_points, no_prize_weight, closes_at, status, seed_sha256, seed, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9)`,
        [definition.drawId, definition.name, definition.costPoints, definition.noPrizeWeight, definition.closesAt, seedCommitment(seedHex), seedHex, at, createdBy],
      );
      const insertPrize = 'INSERT INTO draw_prizes (draw_id, prize_id, position, round, name, kind, points, weight, stock, stock_left) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)';
      for (const [i, p] of definition.prizes.entries()) await client.query(insertPrize, [definition.drawId, p.prizeId, i, 'instant', p.name, p.kind, p.points ?? null, p.weight, p.stock, p.stock]);
      for (const [i, p] of definition.secondChance.entries()) await client.query(insertPrize, [definition.drawId, p.prizeId, i, 'second_chance', p.name, 'gift', null, 0, p.count, p.count]);
      return requireView(await readIn(client, (reads) => view(reads, definition.drawId)), definition.drawId);
    });
  }

  async openDraw(drawId: string, at: string): Promise<DrawView> {
    return this.runner.lockingTransaction(async ({ client }) => {
      await lockDraw(client, drawId);
      const row = requireRow(await readIn(client, (reads) => drawRow(reads, drawId)), drawId);
      if (row.status !== 'draft') throw new CodedError('DRAW_BAD_STATE', `draw ${drawId} is ${row.status}: only a draft opens`);
      await client.query("UPDATE draws SET status = 'open', opened_at = $1 WHERE draw_id = $2", [at, drawId]);
      return requireView(await readIn(client, (reads) => view(reads, drawId)), drawId);
    });
  }

  async closeDraw(drawId: string, at: string): Promise<DrawView> {
    return this.runner.lockingTransaction(async ({ client }) => {
      // Locked first, then read: an entry a batch is writing (it holds the draw's row) is in the entries read below,
      // and none comes after the close (row-locks.ts).
      await lockDraw(client, drawId);
      const { row, entries, prizes } = await readIn(client, (reads) => ({
        row: requireRow(drawRow(reads, drawId), drawId),
        entries: reads.all<{ tx_id: string; member_id: string }>('SELECT tx_id, member_id FROM draw_entries WHERE draw_id = $1', [drawId]),
        prizes: prizesOf(reads, drawId).filter((p) => p.round === 'second_chance').map((p) => ({ prizeId: p.prize_id, count: p.stock })),
      }));
      if (row.status !== 'open') throw new CodedError('DRAW_BAD_STATE', `draw ${drawId} is ${row.status}: only an open draw closes`);
      const memberOf = new Map(entries.map((e) => [e.tx_id, e.member_id]));
      for (const winner of secondChanceWinners(row.seed, [...memberOf.keys()], prizes)) {
        await client.query('INSERT INTO draw_winners (draw_id, prize_id, k, entry_tx_id, member_id) VALUES ($1, $2, $3, $4, $5)', [drawId, winner.prizeId, winner.k, winner.entryTxId, memberOf.get(winner.entryTxId)!]);
        await client.query('UPDATE draw_prizes SET stock_left = stock_left - 1 WHERE draw_id = $1 AND prize_id = $2', [drawId, winner.prizeId]);
      }
      await client.query("UPDATE draws SET status = 'closed', closed_at = $1 WHERE draw_id = $2", [at, drawId]);
      return requireView(await readIn(client, (reads) => view(reads, drawId)), drawId);
    });
  }

  async draw(drawId: string): Promise<DrawView | null> {
    return this.runner.snapshot((reads) => view(reads, drawId));
  }

  async listDraws(status?: DrawStatus): Promise<DrawView[]> {
    return this.runner.snapshot((reads) => {
      const rows = status
        ? reads.all<{ draw_id: string }>('SELECT draw_id FROM draws WHERE status = $1 ORDER BY created_at DESC, draw_id', [status])
        : reads.all<{ draw_id: string }>('SELECT draw_id FROM draws ORDER BY created_at DESC, draw_id');
      return rows.map((r) => view(reads, r.draw_id)).filter((v): v is DrawView => v !== null);
    });
  }

  async drawEntries(drawId: string): Promise<DrawEntryView[]> {
    return this.runner.snapshot((reads) =>
      entryRows(reads, drawId).map((e) => ({
        entryNo: e.entry_no, txId: e.tx_id, memberId: e.member_id, prizeId: e.prize_id, outOfStockPrizeId: e.out_of_stock_prize_id, ticket: e.ticket, pick: e.pick, enteredAt: e.entered_at,
      })),
    );
  }

  async drawWinners(drawId: string): Promise<DrawWinnerView[]> {
    return this.runner.snapshot((reads) => winnerRows(reads, drawId));
  }

  async drawAuditInput(drawId: string): Promise<DrawAuditInput | null> {
    return this.runner.snapshot((reads) => {
      const row = drawRow(reads, drawId);
      if (!row) return null;
      const prizes = prizesOf(reads, drawId);
      return {
        seedHex: row.seed,
        seedSha256: row.seed_sha256,
        noPrizeWeight: row.no_prize_weight,
        prizes: prizes.filter((p) => p.round === 'instant').map((p) => ({ prizeId: p.prize_id, weight: p.weight, stock: p.stock })),
        secondChance: prizes.filter((p) => p.round === 'second_chance').map((p) => ({ prizeId: p.prize_id, count: p.stock })),
        entries: entryRows(reads, drawId).map((e) => ({ txId: e.tx_id, prizeId: e.prize_id, ticket: e.ticket, pick: e.pick })),
        secondChanceWinners: winnerRows(reads, drawId).map((w) => ({ prizeId: w.prizeId, k: w.k, entryTxId: w.entryTxId })),
      };
    });
  }
}

function entryRows(reads: SyncReads, drawId: string): EntryRow[] {
  return reads.all<EntryRow>('SELECT entry_no, tx_id, member_id, prize_id, out_of_stock_prize_id, ticket, pick, entered_at FROM draw_entries WHERE draw_id = $1 ORDER BY entry_no', [drawId]);
}

function winnerRows(reads: SyncReads, drawId: string): DrawWinnerView[] {
  return reads
    .all<{ prize_id: string; k: number; entry_tx_id: string; member_id: string }>(
      `SELECT w.prize_id, w.k, w.entry_tx_id, w.member_id FROM draw_winners w
       JOIN draw_prizes p ON p.draw_id = w.draw_id AND p.prize_id = w.prize_id WHERE w.draw_id = $1 ORDER BY p.position, w.k`,
      [drawId],
    )
    .map((w) => ({ prizeId: w.prize_id, k: w.k, entryTxId: w.entry_tx_id, memberId: w.member_id }));
}

function requireRow(row: DrawRow | undefined, drawId: string): DrawRow {
  if (!row) throw new CodedError('DRAW_UNKNOWN', `no draw ${drawId}`);
  return row;
}

function requireView(view: DrawView | null, drawId: string): DrawView {
  if (!view) throw new CodedError('DRAW_UNKNOWN', `no draw ${drawId}`);
  return view;
}

function view(reads: SyncReads, drawId: string): DrawView | null {
  const row = drawRow(reads, drawId);
  if (!row) return null;
  const prizes: DrawPrizeView[] = prizesOf(reads, drawId).map((p) => ({
    prizeId: p.prize_id, name: p.name, round: p.round, kind: p.kind, points: p.points, weight: p.weight, stock: p.stock, stockLeft: p.stock_left,
  }));
  const entries = reads.one<{ n: number }>('SELECT count(*) AS n FROM draw_entries WHERE draw_id = $1', [drawId])?.n ?? 0;
  return {
    drawId: row.draw_id,
    name: row.name,
    status: row.status,
    costPoints: row.cost_points,
    closesAt: row.closes_at,
    noPrizeWeight: row.no_prize_weight,
    totalWeight: row.no_prize_weight + prizes.reduce((sum, p) => sum + (p.round === 'instant' ? p.weight : 0), 0),
    seedSha256: row.seed_sha256,
    seed: row.status === 'closed' ? row.seed : null,
    createdAt: row.created_at,
    createdBy: row.created_by,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    prizes,
    entries,
  };
}
