/**
 * The soak's file checks on small outbox and ledger files built here with the real schemas (the outbox's own
 * migration, the ledger's SCHEMA_SQL), read back through soak-files.ts exactly as after a soak: a clean run
 * passes, and a lost entry, a doubled request, an id applied twice, a seq gap and an unexplained balance
 * each make a check fail.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { migrateOutbox } from '../../device/outbox/migrate-outbox.ts';
import { SCHEMA_SQL } from '../../hub/ledger/sqlite/schema.ts';
import { checkDelivery, summariseSeqs, type DeliveryVerdict } from './check-delivery.ts';
import type { SoakAnswer, SoakRequest } from './load-driver.ts';
import { readLedger, readLedgerSnapshot, readOutbox, type LedgerSnapshot } from './soak-files.ts';

const KIOSK = 'soak-kiosk-1';
const GOLD = { memberId: 'M0003', cardUid: '04C1B2C3D4E5F6' };
/** The kiosk's staff session a soak top-up was posted under: the kiosk names it as the actor. */
const SESSION = 'staff-session-1';
const ACTOR = { staffId: 'staff-0001', sessionId: SESSION };

/** One request the tills made, as the load driver records it. */
function request(key: string, kind: SoakRequest['kind'], amountCents: number): SoakRequest {
  const { memberId, cardUid } = GOLD;
  if (kind === 'top_up') {
    return { key, index: 0, kind, kioskId: KIOSK, path: '/tx/top-up', memberId, cardUid, amountCents, body: { amountCents, tender: 'cash' } };
  }
  const method = kind === 'stored_value_purchase' ? 'stored_value' : 'cash';
  return {
    key, index: 0, kind, kioskId: KIOSK, path: '/tx/purchase', memberId, cardUid, amountCents,
    body: { lines: [{ sku: key, category: 'grocery', qty: 1, unitPriceCents: amountCents }], payments: [{ method, amountCents }] },
  };
}

function accepted(req: SoakRequest, id: string, status = 'applied'): SoakAnswer {
  return {
    request: req, outcome: 'accepted', ids: [id], httpStatus: 200, status, resultCode: null, refusal: null, attempts: 1, cutOff: 0, replayed: false, replayMismatches: [], repeated: false, answerMs: 5,
    staffSessions: req.kind === 'top_up' ? [SESSION] : [], staffWaits: 0, recoveredByKey: false, tapMisses: 0, log: [],
  };
}

/** What a transaction did: value (stored + bonus) and points, as its stored outcome and its journal say. */
interface Effect {
  value: number;
  points: number;
}

function effectOf(req: SoakRequest): Effect {
  if (req.kind === 'top_up') return { value: req.amountCents, points: 0 };
  // gold earns 1.5 points per yuan
  return { value: req.kind === 'stored_value_purchase' ? -req.amountCents : 0, points: Math.floor((req.amountCents / 100) * 1.5) };
}

/** The payload as the kiosk makes it: the request's body, the card on its reader and, for a top-up, the actor. */
/** A top-up names the till's staff session (ACTOR unless given); a purchase names an actor only when one is given. */
function payloadOf(req: SoakRequest, id: string, epoch: string, seq: number, actor?: typeof ACTOR): string {
  const kind = req.kind === 'top_up' ? 'top_up' : 'purchase';
  const named = kind === 'top_up' ? (actor ?? ACTOR) : actor;
  return JSON.stringify({ v: 3, id, deviceId: KIOSK, epoch, seq, kind, createdAt: '2026-01-01T00:00:00.000Z', storeId: 'store-001', bundleVersion: 1, ...req.body, cardUid: req.cardUid, ...(named ? { actor: named } : {}) });
}

class Files {
  readonly outbox: Database.Database;
  readonly ledger: Database.Database;
  private pos = 0;

  constructor(
    readonly kioskDir: string,
    readonly hubDir: string,
  ) {
    this.outbox = new Database(join(kioskDir, 'device.sqlite'));
    migrateOutbox(this.outbox, { deviceId: KIOSK, newEpoch: () => 'E1', logger: pino({ level: 'silent' }) });
    this.ledger = new Database(join(hubDir, 'ledger.sqlite'));
    this.ledger.exec(SCHEMA_SQL);
    this.setBalance(GOLD.memberId, { value: 20_000, points: 1_200 });
  }

  close(): void {
    this.outbox.close();
    this.ledger.close();
  }

  setBalance(memberId: string, balance: Effect): void {
    const upsert = this.ledger.prepare(`INSERT INTO accounts (member_id, account, balance) VALUES (?, ?, ?) ON CONFLICT (member_id, account) DO UPDATE SET balance = excluded.balance`);
    upsert.run(memberId, 'stored_value', balance.value);
    upsert.run(memberId, 'bonus_value', 0);
    upsert.run(memberId, 'points', balance.points);
  }

  balance(memberId: string): Effect {
    const rows = this.ledger.prepare<[string], { account: string; balance: number }>(`SELECT account, balance FROM accounts WHERE member_id = ?`).all(memberId);
    return {
      value: rows.filter((r) => r.account !== 'points').reduce((n, r) => n + r.balance, 0),
      points: rows.find((r) => r.account === 'points')?.balance ?? 0,
    };
  }

  /** The kiosk's outbox entry: done (closed on a recorded outcome) unless said otherwise. */
  outboxEntry(req: SoakRequest, id: string, slot: { epoch: string; seq: number }, opts: { status?: 'pending' | 'done'; key?: string | null } = {}): void {
    this.pos += 1;
    this.outbox
      .prepare(`INSERT INTO outbox (pos, id, kind, epoch, seq, payload, status, created_at, idempotency_key, request_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(this.pos, id, req.kind === 'top_up' ? 'top_up' : 'purchase', slot.epoch, slot.seq, payloadOf(req, id, slot.epoch, slot.seq), opts.status ?? 'done', '2026-01-01T00:00:00.000Z', opts.key === undefined ? req.key : opts.key, 'hash');
  }

  /** The hub applying it: transaction row, its journal (`journalTimes` copies of it), the balance, the device's seq. */
  apply(req: SoakRequest, id: string, slot: { epoch: string; seq: number }, opts: { journalTimes?: number; actor?: typeof ACTOR } = {}): void {
    const effect = effectOf(req);
    const outcome = { kind: req.kind === 'top_up' ? 'top_up' : 'purchase', memberId: req.memberId, cardUid: req.cardUid, tier: 'gold', balances: { storedValueCents: 0, bonusValueCents: 0, points: 0 }, pointsEarned: effect.points, pointsSpent: 0, valueDeltaCents: effect.value, trace: [] };
    this.ledger
      .prepare(`INSERT INTO transactions (tx_id, device_id, seq, epoch, kind, content_hash, payload, status, member_id, applied_at, result) VALUES (?, ?, ?, ?, ?, 'h', ?, 'applied', ?, '2026-01-01T00:00:01.000Z', ?)`)
      .run(id, KIOSK, slot.seq, slot.epoch, outcome.kind, payloadOf(req, id, slot.epoch, slot.seq, opts.actor), req.memberId, JSON.stringify({ id, seq: slot.seq, epoch: slot.epoch, status: 'applied', recorded: true, outcome }));
    const times = opts.journalTimes ?? 1;
    const journal = this.ledger.prepare(`INSERT INTO journal (tx_id, member_id, account, amount) VALUES (?, ?, ?, ?)`);
    for (let i = 0; i < times; i += 1) {
      if (effect.value !== 0) journal.run(id, req.memberId, 'stored_value', effect.value);
      if (effect.points !== 0) journal.run(id, req.memberId, 'points', effect.points);
    }
    const was = this.balance(req.memberId);
    this.setBalance(req.memberId, { value: was.value + times * effect.value, points: was.points + times * effect.points });
    this.consumeSeq(slot);
  }

  /** The hub recording a business refusal: the slot is filled, nothing moves. */
  reject(req: SoakRequest, id: string, slot: { epoch: string; seq: number }, code: string): void {
    this.ledger
      .prepare(`INSERT INTO transactions (tx_id, device_id, seq, epoch, kind, content_hash, payload, status, code, member_id, applied_at, result) VALUES (?, ?, ?, ?, 'purchase', 'h', ?, 'rejected', ?, ?, '2026-01-01T00:00:01.000Z', ?)`)
      .run(id, KIOSK, slot.seq, slot.epoch, payloadOf(req, id, slot.epoch, slot.seq), code, req.memberId, JSON.stringify({ id, seq: slot.seq, epoch: slot.epoch, status: 'rejected', code, recorded: true }));
    this.consumeSeq(slot);
  }

  /** A slot filled by something other than a first application (a resend of an applied transaction from a new epoch). */
  duplicateSlot(id: string, slot: { epoch: string; seq: number }): void {
    this.ledger
      .prepare(`INSERT INTO sequence_slots (device_id, epoch, seq, tx_id, kind, content_hash, payload, result, recorded_at) VALUES (?, ?, ?, ?, 'duplicate', 'h', '{}', '{}', '2026-01-01T00:00:02.000Z')`)
      .run(KIOSK, slot.epoch, slot.seq, id);
    this.consumeSeq(slot);
  }

  consumeSeq(slot: { epoch: string; seq: number }): void {
    this.ledger
      .prepare(`INSERT INTO device_sequences (device_id, epoch, last_seq) VALUES (?, ?, ?) ON CONFLICT (device_id, epoch) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq)`)
      .run(KIOSK, slot.epoch, slot.seq);
  }
}

describe('the soak file checks', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let files: Files;
  let before: LedgerSnapshot;

  beforeEach(() => {
    temp = makeTempDir('mk-soak-check-');
    files = new Files(temp.dir, temp.dir);
    before = readLedgerSnapshot(temp.dir);
  });

  afterEach(() => {
    files.close();
    temp.cleanup();
  });

  function verdict(answers: SoakAnswer[]): DeliveryVerdict {
    return checkDelivery({ kioskIds: [KIOSK], answers, outboxes: new Map([[KIOSK, readOutbox(temp.dir)]]), ledger: readLedger(temp.dir), before });
  }

  const failed = (v: DeliveryVerdict) => v.checks.filter((c) => !c.ok).map((c) => c.name);

  /** Three requests, each in the outbox once and applied once in seq order. */
  function cleanRun(): SoakAnswer[] {
    const reqs = [request('soak-k-0', 'cash_purchase', 2_000), request('soak-k-1', 'stored_value_purchase', 300), request('soak-k-2', 'top_up', 1_002)];
    return reqs.map((req, i) => {
      const id = `01TX${i}`;
      files.outboxEntry(req, id, { epoch: 'E1', seq: i + 1 });
      files.apply(req, id, { epoch: 'E1', seq: i + 1 });
      return accepted(req, id);
    });
  }

  it('passes a run where every accepted request was applied exactly once', () => {
    const v = verdict(cleanRun());
    expect(failed(v)).toEqual([]);
    expect({ accepted: v.accepted, applied: v.applied, lost: v.lostCount, doubled: v.doubledCount }).toEqual({ accepted: 3, applied: 3, lost: 0, doubled: 0 });
    expect(v.epochs).toEqual([{ deviceId: KIOSK, epoch: 'E1', lastSeq: 3, closed: false }]);
  });

  it('passes an entry moved to a new epoch whose resend filled a duplicate slot (applied once)', () => {
    const answers = cleanRun();
    const req = request('soak-k-3', 'cash_purchase', 1_000);
    // Applied in E1 seq 4, the result lost; the kiosk moved it to E2 seq 1 and the hub answered `exists` there.
    files.apply(req, '01TX3', { epoch: 'E1', seq: 4 });
    files.outboxEntry(req, '01TX3', { epoch: 'E2', seq: 1 });
    files.duplicateSlot('01TX3', { epoch: 'E2', seq: 1 });
    const v = verdict([...answers, accepted(req, '01TX3', 'queued')]);
    expect(failed(v)).toEqual([]);
    expect(v.epochs.map((e) => [e.epoch, e.lastSeq])).toEqual([['E1', 4], ['E2', 1]]);
  });

  it('counts a recorded refusal as delivered, apart from the applied ones, and fails an overdraft that was applied', () => {
    const answers = cleanRun();
    const refused = request('soak-k-3', 'overdraft_purchase', 100_000_000);
    files.outboxEntry(refused, '01TXNO', { epoch: 'E1', seq: 4 });
    files.reject(refused, '01TXNO', { epoch: 'E1', seq: 4 }, 'INSUFFICIENT_STORED_VALUE');
    const told = [...answers, { ...accepted(refused, '01TXNO', 'rejected'), resultCode: 'INSUFFICIENT_STORED_VALUE' }];
    const v = verdict(told);
    expect(failed(v)).toEqual([]);
    expect({ accepted: v.accepted, applied: v.applied, refusals: v.recordedRefusals }).toEqual({ accepted: 4, applied: 3, refusals: { INSUFFICIENT_STORED_VALUE: 1 } });

    const overdraft = request('soak-k-4', 'overdraft_purchase', 100_000_000);
    files.outboxEntry(overdraft, '01TXYES', { epoch: 'E1', seq: 5 });
    files.apply({ ...overdraft, kind: 'stored_value_purchase' }, '01TXYES', { epoch: 'E1', seq: 5 });
    const wrong = verdict([...told, accepted(overdraft, '01TXYES')]);
    expect(failed(wrong)).toEqual(['each request did what it asked (stored value −amount, top-up ≥ amount, cash 0, overdraft refused)']);
  });

  it('catches a lost transaction: accepted, closed in the outbox, missing from the ledger (a gap), and a pending entry', () => {
    const answers = cleanRun();
    const gone = request('soak-k-3', 'cash_purchase', 1_000);
    files.outboxEntry(gone, '01TXLOST', { epoch: 'E1', seq: 4 });
    // The hub's sequence says seq 4 was consumed, but nothing fills it.
    files.consumeSeq({ epoch: 'E1', seq: 4 });
    const stuck = request('soak-k-4', 'top_up', 1_004);
    files.outboxEntry(stuck, '01TXPEND', { epoch: 'E1', seq: 5 }, { status: 'pending' });
    const v = verdict([...answers, accepted(gone, '01TXLOST'), accepted(stuck, '01TXPEND', 'queued')]);
    expect(v.lostCount).toBe(2);
    expect(v.lost.map((l) => l.detail).join('\n')).toMatch(/01TXLOST .*is not in the ledger[\s\S]*01TXPEND/);
    expect(failed(v)).toEqual(expect.arrayContaining([
      'nothing lost (every accepted id in the outbox and the ledger, no entry pending)',
      'seqs gapless per epoch (transactions ∪ sequence_slots = 1..last_seq)',
      'each closed outbox entry holds its ledger slot',
    ]));
    expect(v.checks.find((c) => c.name.startsWith('seqs gapless'))?.details).toEqual([`${KIOSK} epoch E1: last_seq 4 but seqs 4 are filled by nothing`]);
  });

  it('catches a doubled request: one key applied under two transactions (the repeat not found by its key)', () => {
    const answers = cleanRun();
    const req = request('soak-k-3', 'cash_purchase', 1_000);
    files.outboxEntry(req, '01TXA', { epoch: 'E1', seq: 4 });
    files.apply(req, '01TXA', { epoch: 'E1', seq: 4 });
    // The retry after a kill made a second transaction of the same request, without the key.
    files.outboxEntry(req, '01TXB', { epoch: 'E1', seq: 5 }, { key: null });
    files.apply(req, '01TXB', { epoch: 'E1', seq: 5 });
    const v = verdict([...answers, accepted(req, '01TXA')]);
    expect(v.doubledCount).toBeGreaterThanOrEqual(1);
    expect(v.doubled.map((d) => d.detail).join('\n')).toContain('one request (purchase soak-k-3) is in the ledger 2 times: 01TXA');
    expect(failed(v)).toEqual(expect.arrayContaining([
      'nothing doubled (one outbox entry and one ledger transaction per key, no stranger)',
      'nothing the tills did not ask for (in the outboxes or the ledger)',
    ]));
    // The balances are consistent with what the ledger holds: the doubling is caught by the requests, not the sums.
    expect(failed(v)).not.toContain('balances: final − initial = Σ applied outcomes, per member');
  });

  it('catches a transaction in the ledger that no outbox holds, and an id journaled twice', () => {
    const answers = cleanRun();
    const req = request('soak-k-3', 'stored_value_purchase', 500);
    files.outboxEntry(req, '01TXTWICE', { epoch: 'E1', seq: 4 });
    files.apply(req, '01TXTWICE', { epoch: 'E1', seq: 4 }, { journalTimes: 2 });
    const phantom = request('soak-k-9', 'cash_purchase', 700);
    files.apply(phantom, '01TXPHANTOM', { epoch: 'E1', seq: 5 });
    const v = verdict([...answers, accepted(req, '01TXTWICE')]);
    const doubled = v.doubled.map((d) => d.detail).join('\n');
    expect(doubled).toContain('01TXTWICE was journaled 2 times');
    expect(doubled).toContain('ledger transaction 01TXPHANTOM');
    expect(v.doubledCount).toBe(2);
    expect(failed(v)).toEqual(expect.arrayContaining([
      'journal of each kiosk transaction = its outcome',
      'balances: final − initial = Σ applied outcomes, per member',
      'nothing the tills did not ask for (in the outboxes or the ledger)',
    ]));
  });

  it('catches a balance the applied transactions do not explain', () => {
    const answers = cleanRun();
    const was = files.balance(GOLD.memberId);
    files.setBalance(GOLD.memberId, { value: was.value + 1, points: was.points });
    const v = verdict(answers);
    expect(failed(v)).toEqual(['balances: final − initial = Σ applied outcomes, per member']);
    expect(v.checks.find((c) => !c.ok)?.details[0]).toMatch(/^M0003 value: 20000 → \d+ \(\d+\), but its 3 applied transactions moved \d+$/);
  });

  it('checks what the kiosk added to the request: the tapped card, and a top-up\'s actor from the till\'s staff session', () => {
    const answers = cleanRun();
    const req = request('soak-k-3', 'top_up', 1_003);
    files.outboxEntry(req, '01TXSTAFF', { epoch: 'E1', seq: 4 });
    files.apply(req, '01TXSTAFF', { epoch: 'E1', seq: 4 }, { actor: { staffId: 'staff-0001', sessionId: 'someone-else' } });
    const v = verdict([...answers, accepted(req, '01TXSTAFF')]);
    expect(failed(v)).toEqual(['the answers match the ledger']);
    expect(v.checks.find((c) => !c.ok)?.details).toEqual(['soak-k-3: top-up 01TXSTAFF names staff session someone-else, the till posted it under staff-session-1']);

    const otherCard = verdict([...answers.slice(0, 2), { ...answers[2]!, request: { ...answers[2]!.request, cardUid: '04D1B2C3D4E5F6' } }]);
    expect(otherCard.checks.find((c) => c.name === 'the answers match the ledger')?.details).toEqual(['soak-k-2: 01TX2 is for card 04C1B2C3D4E5F6, the till tapped 04D1B2C3D4E5F6']);
  });

  it('lets a counter sale name the clerk whose session the till opened, and catches one naming any other session', () => {
    const answers = cleanRun();
    const topUp = request('soak-k-3', 'top_up', 1_003);
    files.outboxEntry(topUp, '01TXSTAFF', { epoch: 'E1', seq: 4 });
    files.apply(topUp, '01TXSTAFF', { epoch: 'E1', seq: 4 }, { actor: { staffId: 'staff-0001', sessionId: SESSION } });
    const served = request('soak-k-4', 'cash_purchase', 1_004);
    files.outboxEntry(served, '01TXSERVED', { epoch: 'E1', seq: 5 });
    files.apply(served, '01TXSERVED', { epoch: 'E1', seq: 5 }, { actor: { staffId: 'staff-0001', sessionId: SESSION } });
    expect(failed(verdict([...answers, accepted(topUp, '01TXSTAFF'), accepted(served, '01TXSERVED')]))).toEqual([]);

    const forged = request('soak-k-5', 'cash_purchase', 1_005);
    files.outboxEntry(forged, '01TXFORGED', { epoch: 'E1', seq: 6 });
    files.apply(forged, '01TXFORGED', { epoch: 'E1', seq: 6 }, { actor: { staffId: 'staff-0001', sessionId: 'someone-else' } });
    const v = verdict([...answers, accepted(topUp, '01TXSTAFF'), accepted(served, '01TXSERVED'), accepted(forged, '01TXFORGED')]);
    expect(v.checks.find((c) => !c.ok)?.details).toEqual([
      'soak-k-5: purchase 01TXFORGED names an actor whose session the till never opened ({"staffId":"staff-0001","sessionId":"someone-else"})',
    ]);
  });

  it('fails a cash purchase or a top-up the hub refused (an unattended kiosk\'s cash, an unknown staff session)', () => {
    const answers = cleanRun();
    const cash = request('soak-k-3', 'cash_purchase', 1_000);
    files.outboxEntry(cash, '01TXCASH', { epoch: 'E1', seq: 4 });
    files.reject(cash, '01TXCASH', { epoch: 'E1', seq: 4 }, 'TENDER_NOT_ALLOWED');
    const v = verdict([...answers, { ...accepted(cash, '01TXCASH', 'rejected'), resultCode: 'TENDER_NOT_ALLOWED' }]);
    expect(failed(v)).toEqual(['each request did what it asked (stored value −amount, top-up ≥ amount, cash 0, overdraft refused)']);
    expect(v.recordedRefusals).toEqual({ TENDER_NOT_ALLOWED: 1 });
  });

  it('counts stored-value spends the kiosk refused past its offline limits apart, and fails any other refusal', () => {
    const answers = cleanRun();
    const refusedAs = (req: SoakRequest, code: string): SoakAnswer => ({ ...accepted(req, ''), outcome: 'refused', ids: [], httpStatus: 409, status: null, refusal: { code, message: code } });
    const limited = verdict([...answers, refusedAs(request('soak-k-3', 'stored_value_purchase', 500), 'OFFLINE_CARD_SPENDS')]);
    expect(failed(limited)).toEqual([]);
    expect(limited.offlineLimited).toEqual({ OFFLINE_CARD_SPENDS: 1 });
    // A cash sale has no offline limit: its refusal is a failure, whatever the code says.
    const cash = verdict([...answers, refusedAs(request('soak-k-4', 'cash_purchase', 500), 'OFFLINE_CARD_SPENDS')]);
    expect(failed(cash)).toEqual(['no request refused (4xx) but stored-value spends past the offline limits']);
  });

  it('catches an answer that named another transaction than the outbox holds for the key', () => {
    const answers = cleanRun();
    const first = answers[0]!;
    const v = verdict([{ ...first, replayMismatches: ['01TXOTHER'] }, ...answers.slice(1)]);
    expect(v.doubled.map((d) => d.subject)).toEqual(['soak-k-0']);
  });
});

describe('summariseSeqs', () => {
  it('folds runs of seqs into ranges', () => {
    expect(summariseSeqs([9, 3, 4, 5, 12])).toBe('3–5, 9, 12');
    expect(summariseSeqs([])).toBe('');
  });
});
