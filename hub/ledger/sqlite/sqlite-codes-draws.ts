/**
 * Redemption codes and points draws on the SQLite ledger (schema-codes-draws.ts): the admin ports (code-store.ts,
 * draw-store.ts), and the two hooks the write port calls inside a batch's database transaction — what a
 * code_redeem or draw_enter planner reads (`contextFor`) and what its effect writes (`write`).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { CodedError } from '../../../core/errors/coded-error.ts';
import { secondChanceWinners, seedCommitment, type DrawAuditInput, type DrawDefinition } from '../../../core/draws/draw-outcome.ts';
import type { DrawState, DrawStatus, RedemptionCodeState } from '../../../core/ledger/codes-and-draws.ts';
import type { PlanningContext } from '../../../core/ledger/planning-context.ts';
import type { LedgerEffect } from '../../../core/ledger/types.ts';
import type { LedgerTransaction } from '../../../core/wire/transaction.ts';
import type { CodeBatchSummary, CodeStore, CodeVerification, NewCodeBatch } from '../code-store.ts';
import type { DrawEntryView, DrawPrizeView, DrawStore, DrawView, DrawWinnerView } from '../draw-store.ts';
import { writeTransaction } from './write-transaction.ts';

/** The hub's key for redemption-code hashes, made on first use and kept in schema_meta (as the staff card key is). */
export function redemptionCodeKey(db: Database): Buffer {
  const row = db.prepare<[], { value: string }>("SELECT value FROM schema_meta WHERE key = 'redemption_code_key'").get();
  if (row) return Buffer.from(row.value, 'base64');
  const key = randomBytes(32);
  db.prepare("INSERT INTO schema_meta (key, value) VALUES ('redemption_code_key', ?)").run(key.toString('base64'));
  return key;
}

/** A code's key in redemption_codes: HMAC-SHA256(hub key, the code's SHA-256 digest), hex. */
export function codeHashOf(key: Buffer, codeDigest: string): string {
  return createHmac('sha256', key).update(codeDigest, 'utf8').digest('hex');
}

interface BatchRow { batch_id: string; name: string; sku: string; points: number; expires_at: string; code_count: number; created_at: string; created_by: string; used: number }
interface CodeRow { code_hash: string; batch_id: string; used_tx_id: string | null; used_at: string | null; name: string; sku: string; points: number; expires_at: string }
interface DrawRow {
  draw_id: string; name: string; cost_points: number; no_prize_weight: number; closes_at: string; status: DrawStatus; seed_sha256: string; seed: string;
  created_at: string; created_by: string; opened_at: string | null; closed_at: string | null;
}
interface PrizeRow { prize_id: string; position: number; round: 'instant' | 'second_chance'; name: string; kind: 'gift' | 'points'; points: number | null; weight: number; stock: number; stock_left: number }
interface EntryRow { entry_no: number; tx_id: string; member_id: string; prize_id: string | null; out_of_stock_prize_id: string | null; ticket: string; pick: number; entered_at: string }

export class SqliteCodesAndDraws implements CodeStore, DrawStore {
  private readonly key: Buffer;
  private readonly codeByHash;
  private readonly markCodeUsed;
  private readonly drawRow;
  private readonly prizesOf;
  private readonly insertEntry;
  private readonly takePrize;

  constructor(private readonly db: Database) {
    this.key = redemptionCodeKey(db);
    this.codeByHash = db.prepare<[string], CodeRow>(
      `SELECT c.code_hash, c.batch_id, c.used_tx_id, c.used_at, b.name, b.sku, b.points, b.expires_at
       FROM redemption_codes c JOIN code_batches b ON b.batch_id = c.batch_id WHERE c.code_hash = ?`,
    );
    this.markCodeUsed = db.prepare<[string, string, string, string]>('UPDATE redemption_codes SET used_tx_id = ?, used_by_member_id = ?, used_at = ? WHERE code_hash = ? AND used_tx_id IS NULL');
    this.drawRow = db.prepare<[string], DrawRow>('SELECT * FROM draws WHERE draw_id = ?');
    this.prizesOf = db.prepare<[string], PrizeRow>('SELECT prize_id, position, round, name, kind, points, weight, stock, stock_left FROM draw_prizes WHERE draw_id = ? ORDER BY round, position');
    this.insertEntry = db.prepare<[string, string, string, string, number, string | null, string | null, string]>(
      'INSERT INTO draw_entries (tx_id, draw_id, member_id, ticket, pick, prize_id, out_of_stock_prize_id, entered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.takePrize = db.prepare<[string, string]>('UPDATE draw_prizes SET stock_left = stock_left - 1 WHERE draw_id = ? AND prize_id = ? AND stock_left > 0');
  }

  // --- inside a batch (the write port) ---

  /** What a code_redeem or draw_enter planner reads; nothing for other kinds. */
  contextFor(tx: LedgerTransaction): Pick<PlanningContext, 'redemptionCode' | 'draw'> {
    if (tx.kind === 'code_redeem') return { redemptionCode: this.codeState(tx.codeDigest) };
    if (tx.kind === 'draw_enter') return { draw: this.drawState(tx.drawId) };
    return {};
  }

  /** Writes the code's use or the draw entry of an effect; throws (a defect: the batch rolls back) when the row moved since planning. */
  write(tx: LedgerTransaction, effect: LedgerEffect): void {
    if (effect.codeRedemption) {
      if (this.markCodeUsed.run(tx.id, effect.memberId, tx.createdAt, effect.codeRedemption.codeHash).changes !== 1) {
        throw new Error(`redemption code of ${tx.id} is unknown or used already`);
      }
    }
    const entry = effect.drawEntry;
    if (entry) {
      this.insertEntry.run(tx.id, entry.drawId, effect.memberId, entry.ticket, entry.pick, entry.prize?.prizeId ?? null, entry.outOfStockPrizeId, tx.createdAt);
      if (entry.prize && this.takePrize.run(entry.drawId, entry.prize.prizeId).changes !== 1) {
        throw new Error(`draw ${entry.drawId} has no ${entry.prize.prizeId} left for ${tx.id}`);
      }
    }
  }

  private codeState(codeDigest: string): RedemptionCodeState | null {
    const row = this.codeByHash.get(codeHashOf(this.key, codeDigest));
    if (!row) return null;
    return { codeHash: row.code_hash, batchId: row.batch_id, batchName: row.name, sku: row.sku, points: row.points, expiresAt: row.expires_at, usedByTxId: row.used_tx_id, usedAt: row.used_at };
  }

  private drawState(drawId: string): DrawState | null {
    const row = this.drawRow.get(drawId);
    if (!row) return null;
    const prizes = this.prizesOf.all(drawId).filter((p) => p.round === 'instant');
    return {
      drawId: row.draw_id, name: row.name, status: row.status, costPoints: row.cost_points, closesAt: row.closes_at, noPrizeWeight: row.no_prize_weight, seedHex: row.seed,
      prizes: prizes.map((p) => ({ prizeId: p.prize_id, name: p.name, kind: p.kind, points: p.points, weight: p.weight, stockLeft: p.stock_left })),
    };
  }

  // --- codes (code-store.ts) ---

  async createCodeBatch(batch: NewCodeBatch, codeDigests: readonly string[]): Promise<CodeBatchSummary> {
    const db = this.db;
    const insertCode = db.prepare<[string, string]>('INSERT INTO redemption_codes (code_hash, batch_id) VALUES (?, ?)');
    writeTransaction(db, () => {
      if (db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM code_batches WHERE name = ?').get(batch.name)?.n) {
        throw new CodedError('CODE_BATCH_EXISTS', `a batch named ${batch.name} exists already`);
      }
      db.prepare('INSERT INTO code_batches (batch_id, name, sku, points, expires_at, code_count, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        batch.batchId, batch.name, batch.sku, batch.points, batch.expiresAt, codeDigests.length, batch.createdAt, batch.createdBy,
      );
      for (const digest of codeDigests) insertCode.run(codeHashOf(this.key, digest), batch.batchId);
    })();
    return { ...batch, count: codeDigests.length, used: 0 };
  }

  async listCodeBatches(): Promise<CodeBatchSummary[]> {
    return this.db
      .prepare<[], BatchRow>(
        `SELECT b.*, (SELECT count(*) FROM redemption_codes c WHERE c.batch_id = b.batch_id AND c.used_tx_id IS NOT NULL) AS used
         FROM code_batches b ORDER BY b.created_at DESC, b.batch_id DESC`,
      )
      .all()
      .map((r) => ({ batchId: r.batch_id, name: r.name, sku: r.sku, points: r.points, expiresAt: r.expires_at, count: r.code_count, used: r.used, createdAt: r.created_at, createdBy: r.created_by }));
  }

  async verifyCode(codeDigest: string, at: string): Promise<CodeVerification> {
    const code = this.codeState(codeDigest);
    if (!code) return { status: 'unknown' };
    const batch = { batchId: code.batchId, name: code.batchName, sku: code.sku, points: code.points, expiresAt: code.expiresAt };
    if (code.usedByTxId !== null) return { status: 'used', batch, usedAt: code.usedAt };
    return { status: at >= code.expiresAt ? 'expired' : 'genuine', batch };
  }

  // --- draws (draw-store.ts) ---

  async createDraw(definition: DrawDefinition & { drawId: string }, seedHex: string, createdBy: string, at: string): Promise<DrawView> {
    const db = this.db;
    const insertPrize = db.prepare(
      'INSERT INTO draw_prizes (draw_id, prize_id, position, round, name, kind, points, weight, stock, stock_left) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    writeTransaction(db, () => {
      if (this.drawRow.get(definition.drawId)) throw new CodedError('DRAW_EXISTS', `a draw ${definition.drawId} exists already`);
      db.prepare(
        `INSERT INTO draws (draw_id, name, cost_points, no_prize_weight, closes_at, status, seed_sha256, seed, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?)`,
      ).run(definition.drawId, definition.name, definition.costPoints, definition.noPrizeWeight, definition.closesAt, seedCommitment(seedHex), seedHex, at, createdBy);
      definition.prizes.forEach((p, i) => insertPrize.run(definition.drawId, p.prizeId, i, 'instant', p.name, p.kind, p.points ?? null, p.weight, p.stock, p.stock));
      definition.secondChance.forEach((p, i) => insertPrize.run(definition.drawId, p.prizeId, i, 'second_chance', p.name, 'gift', null, 0, p.count, p.count));
    })();
    return this.requireView(definition.drawId);
  }

  async openDraw(drawId: string, at: string): Promise<DrawView> {
    writeTransaction(this.db, () => {
      const row = this.requireRow(drawId);
      if (row.status !== 'draft') throw new CodedError('DRAW_BAD_STATE', `draw ${drawId} is ${row.status}: only a draft opens`);
      this.db.prepare("UPDATE draws SET status = 'open', opened_at = ? WHERE draw_id = ?").run(at, drawId);
    })();
    return this.requireView(drawId);
  }

  async closeDraw(drawId: string, at: string): Promise<DrawView> {
    const db = this.db;
    writeTransaction(db, () => {
      const row = this.requireRow(drawId);
      if (row.status !== 'open') throw new CodedError('DRAW_BAD_STATE', `draw ${drawId} is ${row.status}: only an open draw closes`);
      const entries = db.prepare<[string], { tx_id: string; member_id: string }>('SELECT tx_id, member_id FROM draw_entries WHERE draw_id = ?').all(drawId);
      const memberOf = new Map(entries.map((e) => [e.tx_id, e.member_id]));
      const prizes = this.prizesOf.all(drawId).filter((p) => p.round === 'second_chance').map((p) => ({ prizeId: p.prize_id, count: p.stock }));
      const insertWinner = db.prepare('INSERT INTO draw_winners (draw_id, prize_id, k, entry_tx_id, member_id) VALUES (?, ?, ?, ?, ?)');
      const take = db.prepare('UPDATE draw_prizes SET stock_left = stock_left - 1 WHERE draw_id = ? AND prize_id = ?');
      for (const winner of secondChanceWinners(row.seed, [...memberOf.keys()], prizes)) {
        insertWinner.run(drawId, winner.prizeId, winner.k, winner.entryTxId, memberOf.get(winner.entryTxId)!);
        take.run(drawId, winner.prizeId);
      }
      db.prepare("UPDATE draws SET status = 'closed', closed_at = ? WHERE draw_id = ?").run(at, drawId);
    })();
    return this.requireView(drawId);
  }

  async draw(drawId: string): Promise<DrawView | null> {
    return this.view(drawId);
  }

  async listDraws(status?: DrawStatus): Promise<DrawView[]> {
    const rows = status
      ? this.db.prepare<[string], { draw_id: string }>('SELECT draw_id FROM draws WHERE status = ? ORDER BY created_at DESC, draw_id').all(status)
      : this.db.prepare<[], { draw_id: string }>('SELECT draw_id FROM draws ORDER BY created_at DESC, draw_id').all();
    return rows.map((r) => this.view(r.draw_id)).filter((v): v is DrawView => v !== null);
  }

  async drawEntries(drawId: string): Promise<DrawEntryView[]> {
    return this.entryRows(drawId).map((e) => ({
      entryNo: e.entry_no, txId: e.tx_id, memberId: e.member_id, prizeId: e.prize_id, outOfStockPrizeId: e.out_of_stock_prize_id, ticket: e.ticket, pick: e.pick, enteredAt: e.entered_at,
    }));
  }

  async drawWinners(drawId: string): Promise<DrawWinnerView[]> {
    return this.winnerRows(drawId);
  }

  async drawAuditInput(drawId: string): Promise<DrawAuditInput | null> {
    const row = this.drawRow.get(drawId);
    if (!row) return null;
    const prizes = this.prizesOf.all(drawId);
    return {
      seedHex: row.seed,
      seedSha256: row.seed_sha256,
      noPrizeWeight: row.no_prize_weight,
      prizes: prizes.filter((p) => p.round === 'instant').map((p) => ({ prizeId: p.prize_id, weight: p.weight, stock: p.stock })),
      secondChance: prizes.filter((p) => p.round === 'second_chance').map((p) => ({ prizeId: p.prize_id, count: p.stock })),
      entries: this.entryRows(drawId).map((e) => ({ txId: e.tx_id, prizeId: e.prize_id, ticket: e.ticket, pick: e.pick })),
      secondChanceWinners: this.winnerRows(drawId).map((w) => ({ prizeId: w.prizeId, k: w.k, entryTxId: w.entryTxId })),
    };
  }

  private entryRows(drawId: string): EntryRow[] {
    return this.db
      .prepare<[string], EntryRow>('SELECT entry_no, tx_id, member_id, prize_id, out_of_stock_prize_id, ticket, pick, entered_at FROM draw_entries WHERE draw_id = ? ORDER BY entry_no')
      .all(drawId);
  }

  private winnerRows(drawId: string): DrawWinnerView[] {
    return this.db
      .prepare<[string], { prize_id: string; k: number; entry_tx_id: string; member_id: string }>(
        `SELECT w.prize_id, w.k, w.entry_tx_id, w.member_id FROM draw_winners w
         JOIN draw_prizes p ON p.draw_id = w.draw_id AND p.prize_id = w.prize_id WHERE w.draw_id = ? ORDER BY p.position, w.k`,
      )
      .all(drawId)
      .map((w) => ({ prizeId: w.prize_id, k: w.k, entryTxId: w.entry_tx_id, memberId: w.member_id }));
  }

  private requireRow(drawId: string): DrawRow {
    const row = this.drawRow.get(drawId);
    if (!row) throw new CodedError('DRAW_UNKNOWN', `no draw ${drawId}`);
    return row;
  }

  private requireView(drawId: string): DrawView {
    const view = this.view(drawId);
    if (!view) throw new CodedError('DRAW_UNKNOWN', `no draw ${drawId}`);
    return view;
  }

  private view(drawId: string): DrawView | null {
    const row = this.drawRow.get(drawId);
    if (!row) return null;
    const prizes: DrawPrizeView[] = this.prizesOf.all(drawId).map((p) => ({
      prizeId: p.prize_id, name: p.name, round: p.round, kind: p.kind, points: p.points, weight: p.weight, stock: p.stock, stockLeft: p.stock_left,
    }));
    const entries = this.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM draw_entries WHERE draw_id = ?').get(drawId)?.n ?? 0;
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
}
