/**
 * The soak's verdict, computed from what the tills were told and what the files hold (soak-files.ts), with no
 * I/O: every accepted request applied (or recorded as refused) exactly once, nothing pending, every seq slot of
 * every epoch filled without a gap, and every balance explained by the accepted transactions.
 *
 * Terms:
 * - accepted: a logical request (one Idempotency-Key) the kiosk answered with a transaction id (200/202);
 * - applied: accepted, and its id is in the ledger with status applied; a recorded refusal (status rejected,
 *   e.g. INSUFFICIENT_STORED_VALUE) is delivered too, and counted apart;
 * - lost: an accepted id missing from the ledger or from the kiosk's outbox, or an outbox entry still pending;
 * - doubled: a key that produced more than one outbox entry or ledger transaction (found by the key in the
 *   outbox, by the answers, and by the request's own mark in the ledger's payloads), a ledger transaction of
 *   a kiosk that its outbox does not hold, or a transaction whose journal moved a multiple of its outcome.
 *
 * The requests name no card and no staff member (the kiosk takes the card from its reader and the actor from
 * its staff session), so the ledger's payload is also checked for what the kiosk added: the card the till
 * tapped, and for a top-up a format-3 actor naming a staff session the till posted it under (never a staff
 * card number).
 */
import type { ErrorCode } from '../../core/errors/codes.ts';
import type { SoakAnswer } from './load-driver.ts';
import type { LedgerFile, LedgerSnapshot, LedgerTxFileRow, OutboxFileRow } from './soak-files.ts';

export interface CheckResult {
  name: string;
  ok: boolean;
  /** Every problem found (empty when ok), one line each. */
  details: string[];
}

export interface ProblemItem {
  /** The key or the transaction id the problem is about: lost and doubled are counted by distinct subject. */
  subject: string;
  detail: string;
}

export interface EpochSeen {
  deviceId: string;
  epoch: string;
  lastSeq: number;
  closed: boolean;
}

export interface DeliveryVerdict {
  accepted: number;
  /** Accepted requests by kind (cash_purchase, top_up…). */
  acceptedByKind: Record<string, number>;
  applied: number;
  /** Stored-value spends the kiosk refused offline, past HQ's limits (nothing queued), by code. */
  offlineLimited: Record<string, number>;
  /** Accepted requests the hub recorded as refused, by code. */
  recordedRefusals: Record<string, number>;
  /** 4xx answers, by code. */
  refused: Record<string, number>;
  unanswered: number;
  lost: ProblemItem[];
  doubled: ProblemItem[];
  lostCount: number;
  doubledCount: number;
  epochs: EpochSeen[];
  checks: CheckResult[];
}

export interface DeliveryInput {
  kioskIds: readonly string[];
  answers: readonly SoakAnswer[];
  outboxes: ReadonlyMap<string, readonly OutboxFileRow[]>;
  ledger: LedgerFile;
  before: LedgerSnapshot;
}

interface StoredResult {
  status?: string;
  code?: string;
  outcome?: { memberId?: string; pointsEarned?: number; pointsSpent?: number; valueDeltaCents?: number };
}

function parseResult(row: LedgerTxFileRow): StoredResult {
  try {
    return JSON.parse(row.result) as StoredResult;
  } catch {
    return {};
  }
}

/**
 * The mark a request leaves in the transaction's payload, independent of ids: a soak purchase's first sku is
 * its Idempotency-Key, a soak top-up's amount (with the card the kiosk had on its reader) is unique in the run.
 * Null for anything else.
 */
export function requestMarkOf(kind: string, payload: string): string | null {
  let parsed: { cardUid?: unknown; amountCents?: unknown; lines?: { sku?: unknown }[] };
  try {
    parsed = JSON.parse(payload) as typeof parsed;
  } catch {
    return null;
  }
  if (kind === 'purchase') {
    const sku = parsed.lines?.[0]?.sku;
    return typeof sku === 'string' ? `purchase ${sku}` : null;
  }
  if (kind === 'top_up' && typeof parsed.amountCents === 'number') return `top_up ${String(parsed.cardUid)} ${parsed.amountCents}`;
  return null;
}

/**
 * What the kiosk added to the request, as the ledger holds it: the card the till tapped (the body named none)
 * and, for a top-up, the actor: a staff session the till posted under, no staff card number. A purchase names
 * no actor, or the clerk signed in on that kiosk when it was made (an attended counter names who served, for
 * commission): then its session must be one the till itself opened for a top-up (`tillSessions`), never another.
 */
export function payloadProblems(answer: SoakAnswer, id: string, payload: string, tillSessions: ReadonlySet<string> = new Set()): string[] {
  const { request } = answer;
  let parsed: { cardUid?: unknown; actor?: { staffId?: unknown; sessionId?: unknown }; staffCardUid?: unknown };
  try {
    parsed = JSON.parse(payload) as typeof parsed;
  } catch {
    return [`${request.key}: ${id}'s payload in the ledger is not JSON`];
  }
  const problems: string[] = [];
  if (parsed.cardUid !== request.cardUid) problems.push(`${request.key}: ${id} is for card ${String(parsed.cardUid)}, the till tapped ${request.cardUid}`);
  if (parsed.staffCardUid !== undefined) problems.push(`${request.key}: ${id} names a staff card number (${JSON.stringify(parsed.staffCardUid)})`);
  if (request.kind === 'top_up') {
    const actor = parsed.actor;
    if (typeof actor?.staffId !== 'string' || typeof actor.sessionId !== 'string') problems.push(`${request.key}: top-up ${id} names no actor {staffId, sessionId}`);
    else if (!answer.staffSessions.includes(actor.sessionId)) problems.push(`${request.key}: top-up ${id} names staff session ${actor.sessionId}, the till posted it under ${answer.staffSessions.join(', ') || 'none'}`);
  } else if (parsed.actor !== undefined && (typeof parsed.actor.sessionId !== 'string' || !tillSessions.has(parsed.actor.sessionId))) {
    problems.push(`${request.key}: purchase ${id} names an actor whose session the till never opened (${JSON.stringify(parsed.actor)})`);
  }
  return problems;
}

function markOfRequest(answer: SoakAnswer): string {
  const { request } = answer;
  return request.kind === 'top_up' ? `top_up ${request.cardUid} ${request.amountCents}` : `purchase ${request.key}`;
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function check(name: string, details: string[]): CheckResult {
  return { name, ok: details.length === 0, details };
}

export function checkDelivery(input: DeliveryInput): DeliveryVerdict {
  // Every staff session the tills opened (for top-ups): a counter sale made while one was open names its clerk.
  const tillSessions = new Set(input.answers.flatMap((answer) => answer.staffSessions));
  const kiosks = new Set(input.kioskIds);
  const txById = new Map(input.ledger.transactions.map((t) => [t.txId, t]));
  const kioskTxs = input.ledger.transactions.filter((t) => kiosks.has(t.deviceId));
  const lost: ProblemItem[] = [];
  const doubled: ProblemItem[] = [];

  // --- the kiosks' outboxes: by id and by key ---
  const outboxById = new Map<string, { kioskId: string; row: OutboxFileRow }>();
  const outboxByKey = new Map<string, OutboxFileRow[]>();
  for (const [kioskId, rows] of input.outboxes) {
    for (const row of rows) {
      outboxById.set(row.id, { kioskId, row });
      if (row.idempotencyKey !== null) outboxByKey.set(row.idempotencyKey, [...(outboxByKey.get(row.idempotencyKey) ?? []), row]);
      if (row.status !== 'done') lost.push({ subject: row.id, detail: `${kioskId} outbox entry ${row.id} (key ${row.idempotencyKey}, epoch ${row.epoch} seq ${row.seq}) is still ${row.status}` });
    }
  }
  for (const [key, rows] of outboxByKey) {
    if (rows.length > 1) doubled.push({ subject: key, detail: `key ${key} made ${rows.length} outbox entries: ${rows.map((r) => `${r.id} (epoch ${r.epoch} seq ${r.seq})`).join(', ')}` });
  }

  // --- what the tills were told ---
  let accepted = 0;
  const acceptedByKind: Record<string, number> = {};
  let applied = 0;
  let unanswered = 0;
  const recordedRefusals: Record<string, number> = {};
  const refused: Record<string, number> = {};
  const offlineLimited: Record<string, number> = {};
  const answerVsLedger: string[] = [];
  const effects: string[] = [];
  const unansweredDetails: string[] = [];
  for (const answer of input.answers) {
    const { request } = answer;
    if (answer.outcome === 'refused') {
      const code = answer.refusal?.code ?? 'UNKNOWN';
      // A kiosk without the hub refuses stored-value spends past HQ's offline limits before queueing anything
      // (core/config/offline-limits.ts): the product working, counted apart. Any other refusal is a failure.
      if (code.startsWith('OFFLINE_') && (request.kind === 'stored_value_purchase' || request.kind === 'overdraft_purchase')) increment(offlineLimited, code);
      else increment(refused, code);
      continue;
    }
    if (answer.outcome === 'unanswered') {
      unanswered += 1;
      const inOutbox = outboxByKey.get(request.key);
      unansweredDetails.push(`${request.key} (${request.kind} on ${request.kioskId}, ${answer.attempts} attempts) never answered${inOutbox ? `; the outbox holds it as ${inOutbox.map((r) => r.id).join(', ')}` : '; not in the outbox'}`);
      continue;
    }
    accepted += 1;
    increment(acceptedByKind, request.kind);
    if (answer.ids.length > 1) doubled.push({ subject: request.key, detail: `key ${request.key} was answered with ${answer.ids.length} transactions: ${answer.ids.join(', ')}` });
    if (answer.replayMismatches.length > 0) doubled.push({ subject: request.key, detail: `key ${request.key} first answered ${answer.ids[0]}, then ${answer.replayMismatches.join(', ')}` });
    const byKey = outboxByKey.get(request.key) ?? [];
    for (const row of byKey) {
      if (!answer.ids.includes(row.id)) doubled.push({ subject: request.key, detail: `key ${request.key} was answered ${answer.ids.join(', ')} but the outbox holds ${row.id} under it` });
    }
    const id = answer.ids[0];
    if (id === undefined) continue;
    const entry = outboxById.get(id);
    if (!entry) lost.push({ subject: id, detail: `${request.key}: ${id} was answered to the till but ${request.kioskId}'s outbox does not hold it` });
    else if (entry.kioskId !== request.kioskId) doubled.push({ subject: id, detail: `${request.key}: ${id} answered by ${request.kioskId} is in ${entry.kioskId}'s outbox` });
    const tx = txById.get(id);
    if (!tx) {
      lost.push({ subject: id, detail: `${request.key}: accepted as ${id} (${request.kind} on ${request.kioskId}, answer ${answer.status}) is not in the ledger` });
      continue;
    }
    const stored = parseResult(tx);
    if (tx.status === 'applied') applied += 1;
    else increment(recordedRefusals, tx.code ?? 'UNKNOWN');
    // The answer the till saw must be what the ledger holds.
    if (answer.status === 'applied' && tx.status !== 'applied') answerVsLedger.push(`${request.key}: answered applied, the ledger holds ${id} as ${tx.status} ${tx.code ?? ''}`);
    if (answer.status === 'rejected' && tx.status !== 'rejected') answerVsLedger.push(`${request.key}: answered rejected (${answer.resultCode}), the ledger holds ${id} as ${tx.status}`);
    if (tx.deviceId !== request.kioskId) answerVsLedger.push(`${request.key}: ${id} was made on ${request.kioskId}, the ledger has it from ${tx.deviceId}`);
    answerVsLedger.push(...payloadProblems(answer, id, tx.payload, tillSessions));
    if (request.kind === 'overdraft_purchase' && (tx.status !== 'rejected' || tx.code !== ('INSUFFICIENT_STORED_VALUE' satisfies ErrorCode))) {
      effects.push(`${request.key}: a stored-value purchase of ${request.amountCents} beyond every balance is ${tx.status} ${tx.code ?? ''} (${id}), not refused INSUFFICIENT_STORED_VALUE`);
    }
    // A cash sale or a top-up has no business reason to be refused (an unattended kiosk's cash, a staff session
    // the hub does not know, would be); a small stored-value purchase only for want of value.
    const mayBeRefused = request.kind === 'overdraft_purchase' || (request.kind === 'stored_value_purchase' && tx.code === ('INSUFFICIENT_STORED_VALUE' satisfies ErrorCode));
    if (tx.status !== 'applied' && !mayBeRefused) effects.push(`${request.key}: ${request.kind.replace(/_/g, ' ')} of ${request.amountCents} was refused ${tx.code ?? ''} (${id})`);
    if (tx.status !== 'applied') continue;
    const outcome = stored.outcome;
    if (!outcome) {
      effects.push(`${request.key}: applied ${id} has no outcome in its stored result`);
      continue;
    }
    if (outcome.memberId !== request.memberId) effects.push(`${request.key}: ${id} applied to member ${outcome.memberId}, asked for ${request.memberId}`);
    const delta = outcome.valueDeltaCents ?? 0;
    if (request.kind === 'stored_value_purchase' && delta !== -request.amountCents) effects.push(`${request.key}: stored-value purchase of ${request.amountCents} moved value by ${delta} (${id})`);
    if (request.kind === 'cash_purchase' && delta !== 0) effects.push(`${request.key}: cash purchase of ${request.amountCents} moved value by ${delta} (${id})`);
    if (request.kind === 'top_up' && delta < request.amountCents) effects.push(`${request.key}: top-up of ${request.amountCents} moved value by only ${delta} (${id})`);
  }

  // --- the ledger: everything a kiosk sent must be in its outbox, once per request mark ---
  const byMark = new Map<string, LedgerTxFileRow[]>();
  for (const tx of kioskTxs) {
    const entry = outboxById.get(tx.txId);
    if (!entry) doubled.push({ subject: tx.txId, detail: `ledger transaction ${tx.txId} from ${tx.deviceId} (epoch ${tx.epoch} seq ${tx.seq}, ${tx.kind} ${tx.status}) is in no kiosk's outbox` });
    else if (entry.kioskId !== tx.deviceId) doubled.push({ subject: tx.txId, detail: `ledger transaction ${tx.txId} from ${tx.deviceId} is in ${entry.kioskId}'s outbox` });
    const mark = requestMarkOf(tx.kind, tx.payload);
    if (mark !== null) byMark.set(mark, [...(byMark.get(mark) ?? []), tx]);
  }
  for (const [mark, txs] of byMark) {
    if (txs.length > 1) doubled.push({ subject: mark, detail: `one request (${mark}) is in the ledger ${txs.length} times: ${txs.map((t) => `${t.txId} ${t.deviceId} epoch ${t.epoch} seq ${t.seq} ${t.status}`).join('; ')}` });
  }
  const acceptedMarks = new Set(input.answers.filter((a) => a.outcome !== 'refused').map(markOfRequest));
  const strangers = [...byMark.keys()].filter((mark) => !acceptedMarks.has(mark)).map((mark) => `${mark} is in the ledger but no till made it`);
  const madeKeys = new Set(input.answers.map((a) => a.request.key));
  for (const [kioskId, rows] of input.outboxes) {
    for (const row of rows) {
      if (row.idempotencyKey === null || !madeKeys.has(row.idempotencyKey)) strangers.push(`${kioskId} outbox entry ${row.id} (key ${row.idempotencyKey}) answers no till's request`);
    }
  }

  // --- journal per applied kiosk transaction = its outcome (an id applied twice would move twice) ---
  const journalDetails: string[] = [];
  for (const tx of kioskTxs) {
    const moved = input.ledger.journal.get(tx.txId) ?? { valueCents: 0, points: 0 };
    if (tx.status !== 'applied') {
      if (moved.valueCents !== 0 || moved.points !== 0) journalDetails.push(`rejected ${tx.txId} moved value ${moved.valueCents}, points ${moved.points}`);
      continue;
    }
    const o = parseResult(tx).outcome;
    const value = o?.valueDeltaCents ?? 0;
    const points = (o?.pointsEarned ?? 0) - (o?.pointsSpent ?? 0);
    if (moved.valueCents === value && moved.points === points) continue;
    journalDetails.push(`${tx.txId}: journal moved value ${moved.valueCents}, points ${moved.points}; its outcome says ${value}, ${points}`);
    const multiple = value !== 0 ? moved.valueCents / value : points !== 0 ? moved.points / points : 0;
    if (Number.isInteger(multiple) && multiple >= 2) doubled.push({ subject: tx.txId, detail: `${tx.txId} was journaled ${multiple} times` });
  }

  // --- seqs: for each kiosk epoch, transactions ∪ sequence_slots fill exactly 1..last_seq ---
  const gapDetails: string[] = [];
  const epochs: EpochSeen[] = [];
  const filled = new Map<string, Map<number, string[]>>();
  const slotKey = (deviceId: string, epoch: string) => `${deviceId}\u0000${epoch}`;
  const fill = (deviceId: string, epoch: string, seq: number, what: string) => {
    const key = slotKey(deviceId, epoch);
    const seqs = filled.get(key) ?? new Map<number, string[]>();
    seqs.set(seq, [...(seqs.get(seq) ?? []), what]);
    filled.set(key, seqs);
  };
  for (const tx of kioskTxs) fill(tx.deviceId, tx.epoch, tx.seq, `transaction ${tx.txId}`);
  for (const slot of input.ledger.slots.filter((s) => kiosks.has(s.deviceId))) fill(slot.deviceId, slot.epoch, slot.seq, `${slot.kind} slot ${slot.txId}`);
  const sequenceKeys = new Set<string>();
  for (const s of input.ledger.sequences.filter((q) => kiosks.has(q.deviceId))) {
    sequenceKeys.add(slotKey(s.deviceId, s.epoch));
    epochs.push({ deviceId: s.deviceId, epoch: s.epoch, lastSeq: s.lastSeq, closed: s.closed !== 0 });
    const seqs = filled.get(slotKey(s.deviceId, s.epoch)) ?? new Map<number, string[]>();
    const missing: number[] = [];
    for (let seq = 1; seq <= s.lastSeq; seq += 1) if (!seqs.has(seq)) missing.push(seq);
    if (missing.length > 0) gapDetails.push(`${s.deviceId} epoch ${s.epoch}: last_seq ${s.lastSeq} but seqs ${summariseSeqs(missing)} are filled by nothing`);
    for (const [seq, what] of seqs) {
      if (seq < 1 || seq > s.lastSeq) gapDetails.push(`${s.deviceId} epoch ${s.epoch}: seq ${seq} (${what.join(', ')}) is beyond last_seq ${s.lastSeq}`);
      if (what.length > 1) gapDetails.push(`${s.deviceId} epoch ${s.epoch} seq ${seq} is filled twice: ${what.join(', ')}`);
    }
  }
  for (const key of filled.keys()) {
    if (!sequenceKeys.has(key)) gapDetails.push(`${key.replace('\u0000', ' epoch ')}: slots are filled but device_sequences has no row for the epoch`);
  }
  // Each closed outbox entry sits in the ledger slot the outbox says it holds.
  const slotDetails: string[] = [];
  const slotHolders = new Map<string, string>();
  for (const tx of kioskTxs) slotHolders.set(`${slotKey(tx.deviceId, tx.epoch)}\u0000${tx.seq}`, tx.txId);
  for (const slot of input.ledger.slots) slotHolders.set(`${slotKey(slot.deviceId, slot.epoch)}\u0000${slot.seq}`, slot.txId);
  for (const [kioskId, rows] of input.outboxes) {
    for (const row of rows) {
      if (row.status !== 'done') continue;
      const holder = slotHolders.get(`${slotKey(kioskId, row.epoch)}\u0000${row.seq}`);
      if (holder !== row.id) slotDetails.push(`${kioskId} outbox ${row.id} holds epoch ${row.epoch} seq ${row.seq}; the ledger has ${holder ?? 'nothing'} there`);
    }
  }

  // --- balances: final − initial = Σ of what was applied since the snapshot ---
  const expected = new Map<string, { valueCents: number; points: number; count: number }>();
  for (const tx of input.ledger.transactions) {
    if (input.before.txIds.has(tx.txId) || tx.status !== 'applied') continue;
    const o = parseResult(tx).outcome;
    const memberId = o?.memberId ?? tx.memberId;
    if (!memberId) continue;
    const sum = expected.get(memberId) ?? { valueCents: 0, points: 0, count: 0 };
    sum.valueCents += o?.valueDeltaCents ?? 0;
    sum.points += (o?.pointsEarned ?? 0) - (o?.pointsSpent ?? 0);
    sum.count += 1;
    expected.set(memberId, sum);
  }
  const balanceDetails: string[] = [];
  const members = new Set([...input.before.balances.keys(), ...input.ledger.balances.keys(), ...expected.keys()]);
  for (const memberId of [...members].sort()) {
    const was = input.before.balances.get(memberId) ?? { valueCents: 0, points: 0 };
    const is = input.ledger.balances.get(memberId) ?? { valueCents: 0, points: 0 };
    const moved = expected.get(memberId) ?? { valueCents: 0, points: 0, count: 0 };
    if (is.valueCents - was.valueCents !== moved.valueCents) balanceDetails.push(`${memberId} value: ${was.valueCents} → ${is.valueCents} (${is.valueCents - was.valueCents}), but its ${moved.count} applied transactions moved ${moved.valueCents}`);
    if (is.points - was.points !== moved.points) balanceDetails.push(`${memberId} points: ${was.points} → ${is.points} (${is.points - was.points}), but its ${moved.count} applied transactions moved ${moved.points}`);
  }

  const lostCount = new Set(lost.map((l) => l.subject)).size;
  const doubledCount = new Set(doubled.map((d) => d.subject)).size;
  const checks: CheckResult[] = [
    check('nothing lost (every accepted id in the outbox and the ledger, no entry pending)', lost.map((l) => l.detail)),
    check('nothing doubled (one outbox entry and one ledger transaction per key, no stranger)', doubled.map((d) => d.detail)),
    check('every request answered (cut-off requests retried with their key until answered)', unansweredDetails),
    check('no request refused (4xx) but stored-value spends past the offline limits', Object.entries(refused).map(([code, n]) => `${n} × ${code}`)),
    check('the answers match the ledger', answerVsLedger),
    check('nothing the tills did not ask for (in the outboxes or the ledger)', strangers),
    check('seqs gapless per epoch (transactions ∪ sequence_slots = 1..last_seq)', gapDetails),
    check('each closed outbox entry holds its ledger slot', slotDetails),
    check('journal of each kiosk transaction = its outcome', journalDetails),
    check('each request did what it asked (stored value −amount, top-up ≥ amount, cash 0, overdraft refused)', effects),
    check('balances: final − initial = Σ applied outcomes, per member', balanceDetails),
  ];
  return { accepted, acceptedByKind, applied, recordedRefusals, refused, offlineLimited, unanswered, lost, doubled, lostCount, doubledCount, epochs, checks };
}

/** 3, 4, 5, 9 → "3–5, 9" (at most 20 ranges). */
export function summariseSeqs(seqs: readonly number[]): string {
  const ranges: string[] = [];
  let start: number | undefined;
  let prev: number | undefined;
  for (const seq of [...seqs].sort((a, b) => a - b)) {
    if (start === undefined || prev === undefined || seq !== prev + 1) {
      if (start !== undefined && prev !== undefined) ranges.push(start === prev ? `${start}` : `${start}–${prev}`);
      start = seq;
    }
    prev = seq;
  }
  if (start !== undefined && prev !== undefined) ranges.push(start === prev ? `${start}` : `${start}–${prev}`);
  return ranges.length > 20 ? `${ranges.slice(0, 20).join(', ')}, … (${ranges.length} ranges)` : ranges.join(', ');
}
