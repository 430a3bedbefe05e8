/**
 * Reads what the soak checks straight from the files, read-only with better-sqlite3, never through the hub's
 * or the kiosk's code: the kiosk's outbox (DIR/device.sqlite) and the hub's ledger (DIR/ledger.sqlite).
 * WAL mode lets the balance snapshot be read while the hub runs; the final read happens after every process
 * has stopped.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface OutboxFileRow {
  pos: number;
  id: string;
  kind: string;
  epoch: string;
  seq: number;
  status: string;
  idempotencyKey: string | null;
  payload: string;
}

export interface LedgerTxFileRow {
  txId: string;
  deviceId: string;
  epoch: string;
  seq: number;
  kind: string;
  payload: string;
  status: string;
  code: string | null;
  memberId: string | null;
  /** The stored result JSON: {status, code?, outcome?: {balances, pointsEarned, pointsSpent, valueDeltaCents}}. */
  result: string;
}

export interface SequenceFileRow {
  deviceId: string;
  epoch: string;
  lastSeq: number;
  closed: number;
}

export interface SlotFileRow {
  deviceId: string;
  epoch: string;
  seq: number;
  txId: string;
  kind: string;
}

/** Value = stored_value + bonus_value (cents); points = the points account. */
export interface MemberBalance {
  valueCents: number;
  points: number;
}

/** What the journal moved for one transaction, on the same two figures. */
export interface JournalMovement {
  valueCents: number;
  points: number;
}

export interface LedgerFile {
  transactions: LedgerTxFileRow[];
  sequences: SequenceFileRow[];
  slots: SlotFileRow[];
  journal: Map<string, JournalMovement>;
  balances: Map<string, MemberBalance>;
  /** device_alerts counted by "device CODE". */
  alerts: Record<string, number>;
}

/** The balances and the transactions already there before the load: the starting point of the balance check. */
export interface LedgerSnapshot {
  balances: Map<string, MemberBalance>;
  txIds: Set<string>;
}

const VALUE_ACCOUNTS = `('stored_value', 'bonus_value')`;

function open(path: string): Database.Database {
  return new Database(path, { readonly: true, fileMustExist: true });
}

export function readOutbox(kioskDataDir: string): OutboxFileRow[] {
  const db = open(join(kioskDataDir, 'device.sqlite'));
  try {
    return db
      .prepare<[], OutboxFileRow>(
        `SELECT pos, id, kind, epoch, seq, status, idempotency_key AS idempotencyKey, payload FROM outbox ORDER BY pos`,
      )
      .all();
  } finally {
    db.close();
  }
}

function readBalances(db: Database.Database): Map<string, MemberBalance> {
  const rows = db
    .prepare<[], { memberId: string; valueCents: number; points: number }>(
      `SELECT member_id AS memberId,
              COALESCE(SUM(CASE WHEN account IN ${VALUE_ACCOUNTS} THEN balance END), 0) AS valueCents,
              COALESCE(SUM(CASE WHEN account = 'points' THEN balance END), 0) AS points
         FROM accounts GROUP BY member_id`,
    )
    .all();
  return new Map(rows.map((r) => [r.memberId, { valueCents: r.valueCents, points: r.points }]));
}

export function readLedgerSnapshot(hubDataDir: string): LedgerSnapshot {
  const db = open(join(hubDataDir, 'ledger.sqlite'));
  try {
    const txIds = db.prepare<[], { txId: string }>(`SELECT tx_id AS txId FROM transactions`).all();
    return { balances: readBalances(db), txIds: new Set(txIds.map((r) => r.txId)) };
  } finally {
    db.close();
  }
}

export function readLedger(hubDataDir: string): LedgerFile {
  const db = open(join(hubDataDir, 'ledger.sqlite'));
  try {
    const transactions = db
      .prepare<[], LedgerTxFileRow>(
        `SELECT tx_id AS txId, device_id AS deviceId, epoch, seq, kind, payload, status, code, member_id AS memberId, result
           FROM transactions ORDER BY device_id, epoch, seq`,
      )
      .all();
    const sequences = db
      .prepare<[], SequenceFileRow>(`SELECT device_id AS deviceId, epoch, last_seq AS lastSeq, closed FROM device_sequences ORDER BY device_id, epoch`)
      .all();
    const slots = db
      .prepare<[], SlotFileRow>(`SELECT device_id AS deviceId, epoch, seq, tx_id AS txId, kind FROM sequence_slots ORDER BY device_id, epoch, seq`)
      .all();
    const journalRows = db
      .prepare<[], { txId: string; valueCents: number; points: number }>(
        `SELECT tx_id AS txId,
                COALESCE(SUM(CASE WHEN account IN ${VALUE_ACCOUNTS} THEN amount END), 0) AS valueCents,
                COALESCE(SUM(CASE WHEN account = 'points' THEN amount END), 0) AS points
           FROM journal GROUP BY tx_id`,
      )
      .all();
    const journal = new Map(journalRows.map((r) => [r.txId, { valueCents: r.valueCents, points: r.points }]));
    const alertRows = db
      .prepare<[], { deviceId: string; code: string; n: number }>(`SELECT device_id AS deviceId, code, COUNT(*) AS n FROM device_alerts GROUP BY device_id, code`)
      .all();
    const alerts = Object.fromEntries(alertRows.map((r) => [`hub:${r.deviceId} ${r.code}`, r.n]));
    return { transactions, sequences, slots, journal, balances: readBalances(db), alerts };
  } finally {
    db.close();
  }
}
