/**
 * The reports' hourly totals (schema-report-rollup.ts) for the transactions the ledger writes, summed per batch: one
 * upsert per store and hour a batch touches, written in the batch's database transaction before it commits. The
 * trigger the schema keeps counted each transaction row as it was inserted, which cost a quarter of a purchase's write
 * (three JSON parses and five sub-queries a row, and an upsert each); the ledger knows every figure it needs as it
 * writes the effect. Rows inserted by anything else (tools, fixtures, an older hub) are still counted by the trigger:
 * while a batch is under way the write port holds a marker row in schema_meta, inside its own database transaction —
 * no other connection can see it, and it is gone with the commit or the rollback — and the trigger skips rows
 * inserted while it is there.
 *
 * The figures are the trigger's, item for item (report-rollup.test.ts recounts them from the transactions):
 * - only applied transactions with a date count; one counts if it is a purchase or a top-up or moves points;
 * - the store: the transaction's storeId, else the member's home store, else '' (the points expiry sweep's: the
 *   member's home store); the hour: the first 13 characters of the date it was recorded with;
 * - purchase_cents: its purchase record's total; top_up_cents: its amountCents; points: its journal entries on
 *   `points` written before its row (issued: the credits; redeemed, or expired for the sweep: the debits).
 */
import type { Database, Statement } from 'better-sqlite3';
import type { LedgerEffect } from '../../../core/ledger/types.ts';
import type { LedgerTransaction } from '../../../core/wire/transaction.ts';
import { HOUR_COLUMNS, ROLLUP_IN_BATCH_KEY, UPSERT_TAIL } from './schema-report-rollup.ts';

interface Figures {
  purchases: number;
  purchaseCents: number;
  topUps: number;
  topUpCents: number;
  pointsIssued: number;
  pointsRedeemed: number;
  pointsExpired: number;
}

/** What writeEffect saw of one transaction, kept until its row is recorded. */
interface Captured {
  txId: string;
  storeId: string | null;
  purchaseCents: number;
  topUpCents: number;
  pointsCredited: number;
  pointsDebited: number;
}

export interface RecordedRow {
  txId: string;
  kind: string;
  status: 'applied' | 'rejected';
  /** The date the row is recorded with (created_at). */
  createdAt: string | null;
  memberId: string | null;
  /** The raw payload: read only for a row whose effect this batch did not see. */
  payload: string;
}

export class BatchReportRollup {
  /** Per `store\nhour`, in the order first touched. */
  private pending = new Map<string, Figures>();
  /** Every contribution in order, so a savepoint rolled back can take back its own (rollbackTo). */
  private log: { key: string; figures: Figures }[] = [];
  private captured: Captured | null = null;
  private readonly homeStore: Statement<[string], { home_store_id: string | null }>;
  private readonly markBatch: Statement;
  private readonly unmarkBatch: Statement;
  private readonly upsert: Statement<[string, string, number, number, number, number, number, number, number]>;

  constructor(db: Database) {
    this.homeStore = db.prepare('SELECT home_store_id FROM members WHERE member_id = ?');
    this.markBatch = db.prepare(`INSERT OR IGNORE INTO schema_meta (key, value) VALUES ('${ROLLUP_IN_BATCH_KEY}', '1')`);
    this.unmarkBatch = db.prepare(`DELETE FROM schema_meta WHERE key = '${ROLLUP_IN_BATCH_KEY}'`);
    // The trigger's own upsert (schema-report-rollup.ts), with the batch's sums as its values.
    this.upsert = db.prepare(`INSERT INTO report_hourly (store_id, hour, ${HOUR_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ${UPSERT_TAIL}`);
  }

  /** A batch's database transaction began: from here the ledger counts its own rows (the trigger skips them). */
  begin(): void {
    this.markBatch.run();
  }

  /** What a transaction's effect adds (called as the effect is written, before its row). */
  capture(tx: LedgerTransaction, effect: LedgerEffect): void {
    let credited = 0;
    let debited = 0;
    for (const posting of effect.postings) {
      if (posting.account !== 'points') continue;
      if (posting.amount > 0) credited += posting.amount;
      else debited -= posting.amount;
    }
    const body = tx as { storeId?: string; amountCents?: number };
    this.captured = {
      txId: tx.id,
      storeId: body.storeId ?? null,
      purchaseCents: effect.purchaseRecord?.totalCents ?? 0,
      topUpCents: tx.kind === 'top_up' ? (body.amountCents ?? 0) : 0,
      pointsCredited: credited,
      pointsDebited: debited,
    };
  }

  /** A transaction row was recorded: its contribution, if it counts, joins the batch's sums. */
  count(row: RecordedRow): void {
    const seen = this.captured?.txId === row.txId ? this.captured : null;
    this.captured = null;
    if (row.status !== 'applied' || row.createdAt === null) return;
    const effect = seen ?? this.fromPayload(row);
    const expiry = row.kind === 'points_expiry';
    const figures: Figures = {
      purchases: row.kind === 'purchase' ? 1 : 0,
      purchaseCents: row.kind === 'purchase' ? effect.purchaseCents : 0,
      topUps: row.kind === 'top_up' ? 1 : 0,
      topUpCents: effect.topUpCents,
      pointsIssued: effect.pointsCredited,
      pointsRedeemed: expiry ? 0 : effect.pointsDebited,
      pointsExpired: expiry ? effect.pointsDebited : 0,
    };
    if (!counts(figures)) return;
    const home = () => (row.memberId === null ? null : (this.homeStore.get(row.memberId)?.home_store_id ?? null));
    const storeId = (expiry ? home() : (effect.storeId ?? home())) ?? '';
    const key = `${storeId}\n${row.createdAt.slice(0, 13)}`;
    this.log.push({ key, figures });
    const sums = this.pending.get(key);
    if (sums) add(sums, figures, 1);
    else this.pending.set(key, { ...figures });
  }

  /** How far the batch's sums go now (a savepoint's start). */
  mark(): number {
    return this.log.length;
  }

  /** The database went back to `mark` (a savepoint rolled back; 0: the whole transaction): so do the sums. */
  rollbackTo(mark: number): void {
    for (const { key, figures } of this.log.splice(mark)) {
      const sums = this.pending.get(key);
      if (sums) add(sums, figures, -1);
    }
    this.captured = null;
  }

  /** Writes the batch's sums and takes the marker away; called last in the batch's database transaction. */
  flush(): void {
    for (const [key, f] of this.pending) {
      // A store and hour whose contributions were all rolled back (savepoints) adds nothing.
      if (!counts(f)) continue;
      const split = key.indexOf('\n');
      this.upsert.run(key.slice(0, split), key.slice(split + 1), f.purchases, f.purchaseCents, f.topUps, f.topUpCents, f.pointsIssued, f.pointsRedeemed, f.pointsExpired);
    }
    this.unmarkBatch.run();
    this.reset();
  }

  /** Forgets the batch's sums (its database transaction was rolled back). */
  reset(): void {
    this.pending = new Map();
    this.log = [];
    this.captured = null;
  }

  /** A row whose effect this batch did not see (none should be applied so): its figures read as the trigger read them. */
  private fromPayload(row: RecordedRow): Captured {
    const body = JSON.parse(row.payload) as { storeId?: unknown; amountCents?: unknown };
    return {
      txId: row.txId,
      storeId: typeof body.storeId === 'string' ? body.storeId : null,
      purchaseCents: 0,
      topUpCents: row.kind === 'top_up' && typeof body.amountCents === 'number' ? body.amountCents : 0,
      pointsCredited: 0,
      pointsDebited: 0,
    };
  }
}

/** The trigger's filter: a transaction counts if it is a purchase or a top-up or moves points. */
function counts(f: Figures): boolean {
  return f.purchases !== 0 || f.topUps !== 0 || f.pointsIssued !== 0 || f.pointsRedeemed !== 0 || f.pointsExpired !== 0;
}

function add(into: Figures, figures: Figures, sign: 1 | -1): void {
  into.purchases += sign * figures.purchases;
  into.purchaseCents += sign * figures.purchaseCents;
  into.topUps += sign * figures.topUps;
  into.topUpCents += sign * figures.topUpCents;
  into.pointsIssued += sign * figures.pointsIssued;
  into.pointsRedeemed += sign * figures.pointsRedeemed;
  into.pointsExpired += sign * figures.pointsExpired;
}
