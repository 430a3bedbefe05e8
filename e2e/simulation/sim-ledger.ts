/**
 * The hub's ledger as the simulation uses it: the real exactly-once decision (hub/ledger/apply-received.ts)
 * writing through the real SQLite write port, one database transaction per batch, on an in-memory database
 * that stands for the hub's disk. The ledger store's own batch method is not used on purpose: its port is
 * being made asynchronous, and this needs the synchronous core only (applyReceived + SqliteWritePort inside
 * one `db.transaction`). A hub crash drops the process (the port and its caches, whatever was queued, the
 * batch not yet committed); the database handle (the disk) keeps what was committed.
 *
 * Every database starts as a copy of one template: schema, the members the kiosk sells to, a store manager
 * signed in on the kiosk (a staff session the hub itself opened, card + PIN, at the simulation's start: its
 * top-ups name it as their actor), and the kiosk set up as an attended counter kiosk (it takes cash).
 *
 * The template is made once, when this module loads: signing in goes through the real identity service, which
 * is asynchronous (scrypt), while the simulation itself runs synchronously.
 */
import Database, { type Database as DatabaseHandle, type Statement } from 'better-sqlite3';
import pino from 'pino';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { StaffActor } from '../../core/wire/transaction.ts';
import { parseTransaction } from '../../core/wire/parse-transaction.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { applyReceived } from '../../hub/ledger/apply-received.ts';
import type { ReceivedTransaction } from '../../hub/ledger/ledger-store.ts';
import { createIdentityService } from '../../hub/identity/identity-service.ts';
import { auditJournal } from '../../hub/ledger/sqlite/audit-journal.ts';
import { migrateSchema } from '../../hub/ledger/sqlite/migrate-schema.ts';
import { createRowReaders } from '../../hub/ledger/sqlite/row-readers.ts';
import { SqliteIdentityStore } from '../../hub/ledger/sqlite/sqlite-identity-store.ts';
import { SqliteWritePort } from '../../hub/ledger/sqlite/sqlite-write-port.ts';

export const SIM_STORE_ID = 'store-sim';
/** The simulated kiosk's device id (the other sender clones it). */
export const SIM_DEVICE_ID = 'kiosk-sim';
/** Every transaction of a run is dated from here (simulated time); the staff session opens at this instant. */
export const SIM_BASE_TIME = Date.parse('2026-03-01T00:00:00.000Z');
export const SIM_STAFF_CARD = 'A5AFF0000001';
const SIM_STAFF_PIN = '2468';
/** The members the kiosk sells to, and the one the other sender tops up. */
export const SIM_MEMBERS = [
  { memberId: 'SIM-M1', card: '0A000001', tier: 'standard' },
  { memberId: 'SIM-M2', card: '0B000002', tier: 'silver' },
  { memberId: 'SIM-M3', card: '0C000003', tier: 'gold' },
] as const;
export const ROGUE_MEMBER = { memberId: 'SIM-ROGUE', card: 'EE000099', tier: 'standard' } as const;

async function ledgerTemplate(): Promise<{ template: Buffer; actor: StaffActor }> {
  const db = new Database(':memory:');
  const logger = pino({ level: 'silent' });
  migrateSchema(db, logger);
  const at = new Date(SIM_BASE_TIME - 86_400_000).toISOString();
  const insertMember = db.prepare('INSERT INTO members (member_id, name, phone, tier, referrer_id, credit_limit_cents, created_at) VALUES (?, ?, ?, ?, NULL, 0, ?)');
  const insertCard = db.prepare("INSERT INTO cards (uid, member_id, status, valid_from, valid_until, issued_at) VALUES (?, ?, 'active', NULL, NULL, ?)");
  [...SIM_MEMBERS, ROGUE_MEMBER].forEach((m, i) => {
    insertMember.run(m.memberId, `Sim Member ${i + 1}`, `1380000000${i}`, m.tier, at);
    insertCard.run(m.card, m.memberId, at);
  });
  db.prepare('INSERT INTO rules_bundles (version, bundle, saved_at) VALUES (?, ?, ?)').run(DEFAULT_RULES_BUNDLE.version, JSON.stringify(DEFAULT_RULES_BUNDLE), at);
  const store = new SqliteIdentityStore(db);
  // A counter kiosk: the plan pays and tops up in cash (an unattended kiosk's cash is refused TENDER_NOT_ALLOWED).
  await store.setDeviceMode(SIM_DEVICE_ID, 'attended');
  // The session lasts 10 minutes from the start of the run; a run's sales are all made within ~5 minutes.
  const identity = createIdentityService({ store, logger, now: () => SIM_BASE_TIME });
  await identity.addStaff({ name: 'Sim Manager', role: 'store_manager', storeIds: [SIM_STORE_ID], cardUid: SIM_STAFF_CARD, pin: SIM_STAFF_PIN }, { kind: 'system', id: 'sim-seed', surface: 'hub' });
  const { session } = await identity.signInWithCard(SIM_DEVICE_ID, SIM_STAFF_CARD, SIM_STAFF_PIN);
  const template = db.serialize();
  db.close();
  return { template, actor: { staffId: session.staffId, sessionId: session.sessionId } };
}

const prepared = await ledgerTemplate();
/** The store manager's staff session on the simulated kiosk: the actor of its top-ups. */
export const SIM_STAFF_ACTOR: StaffActor = prepared.actor;

export interface AppliedRecord {
  id: string;
  deviceId: string;
  epoch: string;
  seq: number;
  status: 'applied' | 'rejected';
  code: string | null;
}

/** The hub's disk: a ledger database that outlives hub crashes. */
export class SimLedger {
  readonly db: DatabaseHandle;
  /** Every first application (a transaction row written), in commit order: what the ledger did, in order. */
  readonly applied: AppliedRecord[] = [];
  defects = 0;

  constructor() {
    this.db = new Database(prepared.template);
    this.db.pragma('foreign_keys = ON');
  }

  /** A hub process's view of the disk: a fresh write port (fresh caches), one database transaction per batch. */
  openProcess(): (batch: readonly { topicDeviceId: string; payload: string; receivedAt: string }[], appliedAt: string) => TxResult[] {
    const port = new SqliteWritePort(this.db, createRowReaders(this.db), () => DEFAULT_RULES_BUNDLE);
    const onError = () => {
      this.defects += 1;
    };
    const applyBatch = this.db.transaction((items: ReceivedTransaction[], appliedAt: string) => {
      port.appliedAt = appliedAt;
      return items.map((item) => applyReceived(port, item, onError));
    });
    return (batch, appliedAt) => {
      const items: ReceivedTransaction[] = batch.map((b) => ({ topicDeviceId: b.topicDeviceId, parsed: parseTransaction(b.payload), receivedAt: b.receivedAt }));
      const results = applyBatch(items, appliedAt);
      // Committed: note the first applications in order (an `exists` is not one; nor is an unrecorded refusal).
      results.forEach((result, i) => {
        const parsed = items[i]!.parsed;
        if (!parsed.ok || result.id === null || result.seq === null || result.status === 'exists' || result.recorded !== true) return;
        this.applied.push({ id: result.id, deviceId: parsed.tx.deviceId, epoch: parsed.tx.epoch, seq: result.seq, status: result.status === 'applied' ? 'applied' : 'rejected', code: result.code ?? null });
      });
      return results;
    };
  }

  /** Balances per member and account, for the members the kiosk sells to. */
  balances(): Map<string, number> {
    const rows = this.db.prepare<[], { member_id: string; account: string; balance: number }>('SELECT member_id, account, balance FROM accounts ORDER BY member_id, account').all();
    const kiosk = new Set<string>(SIM_MEMBERS.map((m) => m.memberId));
    return new Map(rows.filter((r) => kiosk.has(r.member_id)).map((r) => [`${r.member_id}/${r.account}`, r.balance]));
  }

  audit(): unknown[] {
    return auditJournal(this.db);
  }

  /** Every slot of every epoch of the device filled exactly once, 1..last_seq, by a transaction or a slot record. */
  slotGaps(deviceId: string): string[] {
    const problems: string[] = [];
    const sequences = this.db.prepare<[string], { epoch: string; last_seq: number }>('SELECT epoch, last_seq FROM device_sequences WHERE device_id = ?').all(deviceId);
    for (const { epoch, last_seq: lastSeq } of sequences) {
      const seqs = [
        ...this.db.prepare<[string, string], { seq: number }>('SELECT seq FROM transactions WHERE device_id = ? AND epoch = ?').all(deviceId, epoch),
        ...this.db.prepare<[string, string], { seq: number }>('SELECT seq FROM sequence_slots WHERE device_id = ? AND epoch = ?').all(deviceId, epoch),
      ].map((r) => r.seq);
      const distinct = new Set(seqs);
      if (distinct.size !== seqs.length) problems.push(`epoch ${epoch}: a slot filled twice`);
      for (let s = 1; s <= lastSeq; s++) if (!distinct.has(s)) problems.push(`epoch ${epoch}: slot ${s} empty below last_seq ${lastSeq}`);
      for (const s of distinct) if (s > lastSeq) problems.push(`epoch ${epoch}: slot ${s} filled above last_seq ${lastSeq}`);
    }
    return problems;
  }

  private statements: {
    txAt: Statement<[string, string, number], { tx_id: string }>;
    slotAt: Statement<[string, string, number], { tx_id: string }>;
    row: Statement<[string], { status: string; code: string | null; device_id: string }>;
    lastSeq: Statement<[string, string], { last_seq: number }>;
  } | null = null;

  private prepared() {
    this.statements ??= {
      txAt: this.db.prepare('SELECT tx_id FROM transactions WHERE device_id = ? AND epoch = ? AND seq = ?'),
      slotAt: this.db.prepare('SELECT tx_id FROM sequence_slots WHERE device_id = ? AND epoch = ? AND seq = ?'),
      row: this.db.prepare('SELECT status, code, device_id FROM transactions WHERE tx_id = ?'),
      lastSeq: this.db.prepare('SELECT last_seq FROM device_sequences WHERE device_id = ? AND epoch = ?'),
    };
    return this.statements;
  }

  /** The id that fills a slot (a transaction, or a slot record), or null. */
  slotHolder(deviceId: string, epoch: string, seq: number): string | null {
    const { txAt, slotAt } = this.prepared();
    return txAt.get(deviceId, epoch, seq)?.tx_id ?? slotAt.get(deviceId, epoch, seq)?.tx_id ?? null;
  }

  /** The last seq filled in one epoch of a device, as committed. */
  lastSeq(deviceId: string, epoch: string): number {
    return this.prepared().lastSeq.get(deviceId, epoch)?.last_seq ?? 0;
  }

  transactionRow(id: string): { status: string; code: string | null; device_id: string } | undefined {
    return this.prepared().row.get(id);
  }

  close(): void {
    this.db.close();
  }
}

/**
 * The planned effects: the same payloads applied once each, in the kiosk's order, on a fresh ledger with no
 * network in between. What the simulated run must end equal to.
 */
export function applyInOrder(payloads: readonly { payload: string; createdAt: string }[], deviceId: string): { ledger: SimLedger; results: TxResult[] } {
  const ledger = new SimLedger();
  const apply = ledger.openProcess();
  // One epoch, seqs 1, 2, 3…: the sales as the kiosk made them, whatever slots the run moved them to.
  const inOrder = payloads.map((p, i) => ({ topicDeviceId: deviceId, payload: JSON.stringify({ ...(JSON.parse(p.payload) as object), epoch: 'INORDER', seq: i + 1 }), receivedAt: p.createdAt }));
  const results = apply(inOrder, payloads.at(-1)?.createdAt ?? '2026-01-01T00:00:00.000Z');
  return { ledger, results };
}
