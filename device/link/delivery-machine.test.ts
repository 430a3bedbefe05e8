import { describe, expect, it } from 'vitest';
import { closesOutboxEntry, type TxResult } from '../../core/wire/result.ts';
import { createDeliveryMachine, runDelivery, type DeliveryEvent, type DeliveryView, type OutgoingEntry } from './delivery-machine.ts';

/** An outbox in memory: entries in pos order, each pending or done, moved to a new epoch like the real one. */
function memoryOutbox() {
  const entries: (OutgoingEntry & { pending: boolean })[] = [];
  let epoch = 'E1';
  let epochs = 1;
  const view: DeliveryView = {
    pendingFrom: (pos, limit) => entries.filter((e) => e.pending && e.pos >= pos).slice(0, limit).map(({ pending: _p, ...e }) => e),
    closedFrom: (ofEpoch, fromSeq, limit) =>
      entries
        .filter((e) => !e.pending && e.epoch === ofEpoch && e.seq >= fromSeq)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, limit)
        .map(({ pending: _p, ...e }) => e),
    oldestPendingPos: () => entries.find((e) => e.pending)?.pos ?? null,
    nextPos: () => entries.length + 1,
    pendingSlot: (id) => {
      const e = entries.find((x) => x.id === id && x.pending);
      return e ? { epoch: e.epoch, seq: e.seq } : null;
    },
    epoch: () => epoch,
  };
  return {
    view,
    entries,
    append(n = 1) {
      for (let i = 0; i < n; i++) {
        const pos = entries.length + 1;
        const seq = entries.filter((e) => e.epoch === epoch).length + 1;
        entries.push({ pos, id: `T${pos}`, epoch, seq, payload: `{"id":"T${pos}","epoch":"${epoch}","seq":${seq}}`, pending: true });
      }
    },
    record(items: readonly { id: string; result: TxResult }[]): string[] {
      const closed: string[] = [];
      for (const { id, result } of items) {
        const e = entries.find((x) => x.id === id && x.pending);
        if (e && closesOutboxEntry(result)) {
          e.pending = false;
          closed.push(id);
        }
      }
      return closed;
    },
    moveToNewEpoch() {
      epochs += 1;
      epoch = `E${epochs}`;
      let seq = 0;
      for (const e of entries) {
        if (!e.pending) continue;
        seq += 1;
        e.epoch = epoch;
        e.seq = seq;
        e.payload = `{"id":"${e.id}","epoch":"${epoch}","seq":${seq}}`;
      }
      return { epoch, moved: seq };
    },
    get: (id: string) => entries.find((e) => e.id === id)!,
  };
}

function harness(options: { window?: number; stallResendMs?: number } = {}) {
  let time = 1_000;
  const outbox = memoryOutbox();
  const machine = createDeliveryMachine({ view: outbox.view, now: () => time, ...options });
  const published: OutgoingEntry[] = [];
  const closed: TxResult[] = [];
  const alerts: [string, Record<string, unknown>][] = [];
  const logs: Record<string, unknown>[] = [];
  let wakeAt: number | null = null;
  let failRecord = false;
  const send = (event: DeliveryEvent) =>
    runDelivery(machine, event, {
      publish: (entries) => published.push(...entries),
      record: (items) => {
        if (failRecord) throw new Error('disk full');
        return outbox.record(items);
      },
      moveToNewEpoch: () => outbox.moveToNewEpoch(),
      closed: (result) => closed.push(result),
      alert: (code, detail) => alerts.push([code, detail]),
      reportState: () => undefined,
      wake: (at) => (wakeAt = at),
      log: (level, fields, msg) => logs.push({ level, msg, ...fields }),
    });
  return {
    machine,
    outbox,
    published,
    closed,
    alerts,
    logs,
    send,
    sentSeqs: () => published.map((e) => e.seq),
    /** Advances the fake clock, handing the machine the tick it asked for when its time comes. */
    advance(ms: number) {
      const until = time + ms;
      while (wakeAt !== null && wakeAt <= until) {
        time = Math.max(time, wakeAt);
        wakeAt = null;
        send({ type: 'tick' });
      }
      time = until;
    },
    wakeAt: () => wakeAt,
    failRecord: (fail: boolean) => (failRecord = fail),
    rewinds: (reason: string) => logs.filter((l) => l.msg === 'resending from the oldest pending transaction' && l.reason === reason).length,
  };
}

const applied = (e: { id: string; epoch: string; seq: number }): TxResult => ({ id: e.id, epoch: e.epoch, seq: e.seq, status: 'applied', recorded: true });
const outOfOrder = (e: { id: string; epoch: string; seq: number }): TxResult => ({ id: e.id, epoch: e.epoch, seq: e.seq, status: 'rejected', code: 'TX_OUT_OF_ORDER', retry: true, recorded: false });
/** TX_OUT_OF_ORDER as the hub answers it now: with the seq it expects next. */
const expecting = (e: { id: string; epoch: string; seq: number }, expectedSeq: number): TxResult => ({ ...outOfOrder(e), expectedSeq });
const refused = (e: { id: string; epoch: string; seq: number }, code: string, recorded: boolean): TxResult => ({ id: e.id, epoch: e.epoch, seq: e.seq, status: 'rejected', code, recorded });

describe('delivery machine (pure, fake clock, in-memory outbox)', () => {
  it('sends nothing until connected, then at most `window` unanswered, in pos order, and more as results close entries', () => {
    const h = harness({ window: 3 });
    h.outbox.append(5);
    h.send({ type: 'appended' });
    expect(h.published).toEqual([]);
    h.send({ type: 'connected' });
    expect(h.sentSeqs()).toEqual([1, 2, 3]);
    h.send({ type: 'results', results: [applied(h.outbox.get('T1'))] });
    expect(h.sentSeqs()).toEqual([1, 2, 3, 4]);
    expect(h.closed.map((r) => r.id)).toEqual(['T1']);
    h.send({ type: 'results', results: [applied(h.outbox.get('T2')), applied(h.outbox.get('T3')), applied(h.outbox.get('T4'))] });
    expect(h.sentSeqs()).toEqual([1, 2, 3, 4, 5]);
    h.send({ type: 'results', results: [applied(h.outbox.get('T5'))] });
    expect(h.outbox.view.oldestPendingPos()).toBeNull();
    expect(h.machine.snapshot().inFlight).toBe(0);
    // Appended later: sent at once.
    h.outbox.append();
    h.send({ type: 'appended' });
    expect(h.sentSeqs().at(-1)).toBe(6);
  });

  it('rewinds once on an out-of-order answer of the current round; the earlier round’s answers are stale', () => {
    const h = harness({ window: 10 });
    h.outbox.append(6);
    h.send({ type: 'connected' });
    expect(h.sentSeqs()).toEqual([1, 2, 3, 4, 5, 6]);
    const e = (n: number) => h.outbox.get(`T${n}`);
    // seq 2 was lost: 3..6 are refused as out of order, answered in separate passes.
    h.send({ type: 'results', results: [applied(e(1))] });
    h.send({ type: 'results', results: [outOfOrder(e(3))] });
    expect(h.sentSeqs().slice(6)).toEqual([2, 3, 4, 5, 6]);
    h.send({ type: 'results', results: [outOfOrder(e(4))] });
    h.send({ type: 'results', results: [outOfOrder(e(5)), outOfOrder(e(6))] });
    expect(h.rewinds('retryable rejection')).toBe(1);
    h.send({ type: 'results', results: [2, 3, 4, 5, 6].map((n) => applied(e(n))) });
    expect(h.outbox.view.oldestPendingPos()).toBeNull();
    expect(h.closed.map((r) => r.id)).toEqual(['T1', 'T2', 'T3', 'T4', 'T5', 'T6']);
  });

  it('resends from the oldest pending entry when nothing was answered for stallResendMs', () => {
    const h = harness({ stallResendMs: 5_000 });
    h.outbox.append(2);
    h.send({ type: 'connected' });
    expect(h.wakeAt()).toBe(6_000);
    h.advance(4_999);
    expect(h.sentSeqs()).toEqual([1, 2]);
    h.advance(1);
    expect(h.sentSeqs()).toEqual([1, 2, 1, 2]);
    expect(h.logs.filter((l) => l.code === 'LINK_STALLED')).toHaveLength(1);
    // An answer is progress: the next stall is measured from it.
    h.advance(1_000);
    h.send({ type: 'results', results: [applied(h.outbox.get('T1'))] });
    h.advance(4_999);
    expect(h.sentSeqs()).toHaveLength(4);
    h.advance(1);
    expect(h.sentSeqs()).toEqual([1, 2, 1, 2, 2]);
  });

  it('waits longer at each stall in a row (5, 10, 20, 20 s): a slow hub is not flooded with resends; an answer resets it', () => {
    const h = harness({ stallResendMs: 5_000 });
    h.outbox.append(1);
    h.send({ type: 'connected' });
    const resendsAt: number[] = [];
    let sent = h.published.length;
    for (let t = 0; t < 60_000; t += 100) {
      h.advance(100);
      if (h.published.length > sent) resendsAt.push(t + 100);
      sent = h.published.length;
    }
    // From the first send: 5 s, then 10 s after that, then 20 s, 20 s.
    expect(resendsAt).toEqual([5_000, 15_000, 35_000, 55_000]);
    // The hub answers (something of this round): the next stall waits stallResendMs again.
    h.outbox.append(1);
    h.send({ type: 'appended' });
    h.send({ type: 'results', results: [applied(h.outbox.get('T1'))] });
    const before = h.published.length;
    h.advance(5_000);
    expect(h.published.length).toBe(before + 1);
    expect(h.published.at(-1)?.id).toBe('T2');
  });

  it('keeps an entry refused without a record, alerts once, and resends it after 0, 100, 200, 400 ms; a close resets the pause', () => {
    const h = harness({ stallResendMs: 60_000 });
    h.outbox.append(2);
    h.send({ type: 'connected' });
    const held = h.outbox.get('T1');
    const sendsOfHeld = () => h.published.filter((p) => p.id === 'T1').length;
    const refuse = () => h.send({ type: 'results', results: [refused(held, 'TX_DEVICE_MISMATCH', false), outOfOrder(h.outbox.get('T2'))] });
    refuse();
    expect(sendsOfHeld()).toBe(2); // the first rewind is immediate
    refuse();
    expect(sendsOfHeld()).toBe(2);
    h.advance(99);
    expect(sendsOfHeld()).toBe(2);
    h.advance(1);
    expect(sendsOfHeld()).toBe(3);
    refuse();
    h.advance(199);
    expect(sendsOfHeld()).toBe(3);
    h.advance(1);
    expect(sendsOfHeld()).toBe(4);
    refuse();
    h.advance(400);
    expect(sendsOfHeld()).toBe(5);
    expect(h.alerts).toEqual([['TX_REFUSED_UNRECORDED', expect.objectContaining({ txId: 'T1', code: 'TX_DEVICE_MISMATCH', epoch: 'E1', seq: 1 })]]);
    expect(h.outbox.get('T1').pending).toBe(true);
    // The hub takes it after all: closing resets the pause.
    h.send({ type: 'results', results: [applied(held), applied(h.outbox.get('T2'))] });
    expect(h.machine.snapshot().fruitlessRewinds).toBe(0);
  });

  it('moves every pending entry to a new epoch on TX_SEQ_REUSED for its current slot, resends at once, and ignores answers about old slots', () => {
    const h = harness();
    h.outbox.append(3);
    h.send({ type: 'connected' });
    const oldSlot2 = { ...h.outbox.get('T2') };
    h.send({ type: 'results', results: [applied(h.outbox.get('T1')), refused(oldSlot2, 'TX_SEQ_REUSED', false)] });
    expect(h.alerts).toEqual([['SEQ_EPOCH_MOVED', { epoch: 'E2', moved: 2 }]]);
    expect(h.published.slice(3).map((p) => [p.id, p.epoch, p.seq])).toEqual([['T2', 'E2', 1], ['T3', 'E2', 2]]);
    // The answer about T3's old slot (E1/3) arrives late: it changes nothing.
    h.send({ type: 'results', results: [refused({ id: 'T3', epoch: 'E1', seq: 3 }, 'TX_EPOCH_CLOSED', false)] });
    expect(h.alerts).toHaveLength(1);
    expect(h.published).toHaveLength(5);
    h.send({ type: 'results', results: [applied(h.outbox.get('T2')), applied(h.outbox.get('T3'))] });
    expect(h.outbox.view.oldestPendingPos()).toBeNull();
  });

  it('closes on a recorded refusal, and alerts when the entry could never apply', () => {
    const h = harness();
    h.outbox.append(2);
    h.send({ type: 'connected' });
    h.send({ type: 'results', results: [refused(h.outbox.get('T1'), 'INSUFFICIENT_STORED_VALUE', true), refused(h.outbox.get('T2'), 'TX_INVALID', true)] });
    expect(h.closed.map((r) => r.code)).toEqual(['INSUFFICIENT_STORED_VALUE', 'TX_INVALID']);
    expect(h.alerts).toEqual([['TX_CLOSED_BY_REFUSAL', expect.objectContaining({ txId: 'T2', code: 'TX_INVALID' })]]);
  });

  it('drops results for entries it does not hold and results without an id', () => {
    const h = harness();
    h.outbox.append();
    h.send({ type: 'connected' });
    h.send({ type: 'results', results: [{ id: 'OTHER', seq: 1, epoch: 'E1', status: 'applied', recorded: true }, { id: null, seq: null, status: 'rejected', code: 'TX_MALFORMED' }] });
    expect(h.closed).toEqual([]);
    expect(h.logs.filter((l) => l.code === 'TX_RESULT_WITHOUT_ID')).toHaveLength(1);
    expect(h.outbox.get('T1').pending).toBe(true);
  });

  it('forgets what is in flight on disconnect, resends from the oldest pending on connect, and on a live hub online only when connected', () => {
    const h = harness({ window: 2 });
    h.outbox.append(3);
    h.send({ type: 'connected' });
    h.send({ type: 'disconnected' });
    expect(h.machine.snapshot()).toMatchObject({ connected: false, inFlight: 0 });
    h.send({ type: 'hub-online' });
    h.send({ type: 'appended' });
    expect(h.sentSeqs()).toEqual([1, 2]);
    h.send({ type: 'connected' });
    expect(h.sentSeqs()).toEqual([1, 2, 1, 2]);
    h.send({ type: 'hub-online' });
    expect(h.sentSeqs()).toEqual([1, 2, 1, 2, 1, 2]);
    expect(h.rewinds('hub online')).toBe(1);
  });

  it('keeps entries pending when the outbox cannot record results, and asks again with a growing pause', () => {
    const h = harness({ stallResendMs: 60_000 });
    h.outbox.append();
    h.send({ type: 'connected' });
    h.failRecord(true);
    h.send({ type: 'results', results: [applied(h.outbox.get('T1'))] });
    expect(h.closed).toEqual([]);
    expect(h.logs.filter((l) => l.code === 'OUTBOX_WRITE_FAILED')).toHaveLength(1);
    // Asked again at once (the first rewind of a run is immediate)…
    expect(h.sentSeqs()).toEqual([1, 1]);
    h.send({ type: 'results', results: [applied(h.outbox.get('T1'))] });
    // …then after 100 ms while the disk keeps failing.
    h.advance(99);
    expect(h.sentSeqs()).toEqual([1, 1]);
    h.advance(1);
    expect(h.sentSeqs()).toEqual([1, 1, 1]);
    h.failRecord(false);
    h.send({ type: 'results', results: [applied(h.outbox.get('T1'))] });
    expect(h.closed.map((r) => r.id)).toEqual(['T1']);
  });

  it('never leaves pending entries with nothing under way: the stall check resends them', () => {
    const h = harness({ stallResendMs: 1_000 });
    h.outbox.append(2);
    h.send({ type: 'connected' });
    // An answer about a slot T1 no longer holds, matched to the current send (it happens after an epoch move):
    // it takes T1 off the window without closing it or planning a rewind.
    h.send({ type: 'results', results: [refused({ id: 'T1', epoch: 'E0', seq: 9 }, 'TX_EPOCH_CLOSED', false), refused({ id: 'T2', epoch: 'E0', seq: 10 }, 'TX_EPOCH_CLOSED', false)] });
    expect(h.machine.snapshot().inFlight).toBe(0);
    h.advance(1_000);
    expect(h.sentSeqs()).toEqual([1, 2, 1, 2]);
  });

  it('tells of a closed entry once, with the answer that closed it, when one pass brings several answers for it', () => {
    const h = harness();
    h.outbox.append(2);
    h.send({ type: 'connected' });
    const t2 = h.outbox.get('T2');
    // T2's first send came before T1 reached the hub; its resend was applied: both answers in one pass.
    h.send({ type: 'results', results: [applied(h.outbox.get('T1')), outOfOrder(t2), applied(t2), { ...applied(t2), status: 'exists', original: 'applied' }] });
    expect(h.closed.map((r) => [r.id, r.status])).toEqual([['T1', 'applied'], ['T2', 'applied']]);
  });

  it('does not close an entry on an answer about the slot it held before a move: its new slot would stay empty', () => {
    const h = harness();
    h.outbox.append(3);
    h.send({ type: 'connected' });
    const oldT2 = { ...h.outbox.get('T2') };
    const oldT3 = { ...h.outbox.get('T3') };
    h.send({ type: 'results', results: [applied(h.outbox.get('T1')), refused(oldT2, 'TX_SEQ_REUSED', false)] });
    expect(h.outbox.get('T3')).toMatchObject({ epoch: 'E2', seq: 2 });
    // T3 had been applied in E1 before the epoch was closed; that answer arrives after the move.
    h.send({ type: 'results', results: [applied(oldT3)] });
    expect(h.outbox.get('T3').pending).toBe(true);
    expect(h.closed.map((r) => r.id)).toEqual(['T1']);
    // Its send in E2/2 is answered `exists` (the hub records the duplicate in that slot) and closes it there.
    h.send({ type: 'results', results: [applied(h.outbox.get('T2')), { ...applied(h.outbox.get('T3')), status: 'exists', original: 'applied' }] });
    expect(h.closed.map((r) => [r.id, r.epoch, r.seq])).toEqual([['T1', 'E1', 1], ['T2', 'E2', 1], ['T3', 'E2', 2]]);
  });

  it('frees the window on a closing answer even when it is matched to a lost earlier send, and matches resends after a stall afresh', () => {
    const h = harness({ window: 1, stallResendMs: 1_000 });
    h.outbox.append(3);
    h.send({ type: 'connected' });
    // The first send of T1 is lost; the stall resends it.
    h.advance(1_000);
    expect(h.sentSeqs()).toEqual([1, 1]);
    h.send({ type: 'results', results: [applied(h.outbox.get('T1'))] });
    // T2 goes at once, not a stall later.
    expect(h.sentSeqs()).toEqual([1, 1, 2]);
    h.send({ type: 'results', results: [applied(h.outbox.get('T2'))] });
    expect(h.sentSeqs()).toEqual([1, 1, 2, 3]);
    expect(h.logs.filter((l) => l.code === 'LINK_STALLED')).toHaveLength(1);
  });

  it('insists that its requests are answered first', () => {
    const machine = createDeliveryMachine({ view: memoryOutbox().view, now: () => 0 });
    machine.handle({ type: 'connected' });
    const commands = machine.handle({ type: 'results', results: [{ id: 'X', seq: 1, status: 'applied', recorded: true }] });
    expect(commands).toContainEqual({ type: 'record', items: [expect.objectContaining({ id: 'X' })] });
    expect(() => machine.handle({ type: 'tick' })).toThrow(/record/);
    expect(machine.handle({ type: 'recorded', closedIds: [] }).filter((c) => c.type !== 'log')).toEqual([]);
    expect(() => machine.handle({ type: 'epoch-moved', epoch: 'E', moved: 0 })).toThrow(/answers nothing/);
  });

  describe('replay: the hub lost transactions it had confirmed (its ledger restored from a backup)', () => {
    /** Five entries sent and confirmed, two more pending; then the hub comes back from a backup holding seqs 1–2. */
    function restoredHub() {
      const h = harness({ window: 10 });
      h.outbox.append(5);
      h.send({ type: 'connected' });
      const e = (n: number) => h.outbox.get(`T${n}`);
      h.send({ type: 'results', results: [1, 2, 3, 4, 5].map((n) => applied(e(n))) });
      h.outbox.append(2);
      h.send({ type: 'appended' });
      h.published.length = 0;
      return { h, e };
    }

    it('sends the closed entries from the expected seq again, ahead of the pending ones, then the pending ones', () => {
      const { h, e } = restoredHub();
      h.send({ type: 'results', results: [expecting(e(6), 3), expecting(e(7), 3)] });
      // T3–T5 again (closed here, lost there), then the rewind resends T6–T7 behind them.
      expect(h.published.map((p) => p.id)).toEqual(['T3', 'T4', 'T5', 'T6', 'T7']);
      expect(h.published.slice(0, 3).map((p) => p.payload)).toEqual([e(3).payload, e(4).payload, e(5).payload]);
      expect(h.alerts).toEqual([]);
    });

    it('raises TX_REPLAYED_TO_HUB once when the hub applies the replays, and the pending entries then close', () => {
      const { h, e } = restoredHub();
      h.send({ type: 'results', results: [expecting(e(6), 3), expecting(e(7), 3)] });
      h.send({ type: 'results', results: [applied(e(3)), applied(e(4))] });
      h.send({ type: 'results', results: [applied(e(5)), applied(e(6)), applied(e(7))] });
      expect(h.alerts.filter(([code]) => code === 'TX_REPLAYED_TO_HUB')).toEqual([['TX_REPLAYED_TO_HUB', { applied: 2, epoch: 'E1' }]]);
      expect(h.closed.map((r) => r.id)).toEqual(['T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7']);
      expect(h.outbox.view.oldestPendingPos()).toBeNull();
    });

    it('replays nothing for an ordinary gap (the expected seq is still pending) and alerts nothing when the hub had them after all', () => {
      const { h, e } = restoredHub();
      // An ordinary gap: the hub expects 6, which is pending, not closed — a plain rewind.
      h.send({ type: 'results', results: [expecting(e(7), 6)] });
      expect(h.published.map((p) => p.id)).toEqual(['T6', 'T7']);
      // A stale expectation (another hub worker committed 5 meanwhile): 5 is sent again and answered `exists`.
      h.published.length = 0;
      h.send({ type: 'results', results: [expecting(e(6), 5), expecting(e(7), 5)] });
      expect(h.published[0]?.id).toBe('T5');
      h.send({ type: 'results', results: [{ ...applied(e(5)), status: 'exists', original: 'applied' }] });
      expect(h.alerts.filter(([code]) => code === 'TX_REPLAYED_TO_HUB')).toEqual([]);
    });

    it('replays a gap once per round however many answers name it', () => {
      const { h, e } = restoredHub();
      const t4Sends = () => h.published.filter((p) => p.id === 'T4').length;
      // Round r: the first answer replays from T4 and rewinds at once (T6, T7 again in round r+1).
      h.send({ type: 'results', results: [expecting(e(6), 4)] });
      expect(t4Sends()).toBe(1);
      // Round r+1's answers, in two passes: the rewind after the first waits (nothing closed), so the second pass
      // is the same round and must not replay the same gap a third time.
      h.send({ type: 'results', results: [expecting(e(6), 4)] });
      expect(t4Sends()).toBe(2);
      // T7's first answer is to its round-r send (stale); its second answers the round r+1 send: same round, no replay.
      h.send({ type: 'results', results: [expecting(e(7), 4)] });
      h.send({ type: 'results', results: [expecting(e(7), 4)] });
      expect(t4Sends()).toBe(2);
      // The paused rewind comes: a new round, and the gap (still there) is replayed at its next answer.
      h.advance(1_000);
      h.send({ type: 'results', results: [expecting(e(6), 4)] });
      expect(t4Sends()).toBe(3);
    });
  });
});
