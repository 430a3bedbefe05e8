/**
 * The bookkeeping of replays: closed entries sent to the hub again because a TX_OUT_OF_ORDER showed it lost
 * transactions it had confirmed (its ledger restored from a backup; delivery-machine.ts, "Replay"). It holds
 * what was replayed and not answered yet, so an `applied` answer to a replay is told apart from a stray one;
 * that one replay is started per gap per round, however many answers name the gap; and that TX_REPLAYED_TO_HUB
 * is raised once per replay. Its state is touched by nothing else in the machine, so it lives here.
 */
import type { TxResult } from '../../core/wire/result.ts';
import type { DeliveryView, OutgoingEntry } from './delivery-contract.ts';

/** Closed entries sent again per TX_OUT_OF_ORDER that shows the hub lost them: a long gap heals in chunks. */
export const REPLAY_CHUNK = 500;

/**
 * The seq a refusal says the hub expects next, when it lies below the slot the entry holds (in that slot's
 * epoch): the hub lacks entries before this one, which this kiosk closed. null when the answer shows no such gap.
 */
export function expectedBelowSlot(result: TxResult, slot: { epoch: string; seq: number }): number | null {
  const expected = result.expectedSeq;
  if (expected !== undefined && expected < slot.seq && (result.epoch === undefined || result.epoch === slot.epoch)) return expected;
  return null;
}

export interface ReplayTracker {
  /**
   * The closed entries of `epoch` from `fromSeq` on to send again (at most REPLAY_CHUNK), now counted as
   * replaying; none when this round already replayed from there, or nothing closed sits there (the normal case:
   * every closed entry holds a seq the hub recorded, below what it expects).
   */
  start(round: number, epoch: string, fromSeq: number): readonly OutgoingEntry[];
  /** An answer for an entry that is not pending: whether it answers a replayed send (no longer waited for after this). */
  answered(id: string): boolean;
  /** The hub applied replayed entries: whether TX_REPLAYED_TO_HUB is still to be raised for this replay (true once). */
  alertDue(): boolean;
}

export function createReplayTracker(view: DeliveryView): ReplayTracker {
  /** Closed entries sent again and not answered yet (bounded by REPLAY_CHUNK per round). */
  const replaying = new Set<string>();
  /** The round and seq the last replay started from: one replay per gap per round, however many answers name it. */
  let lastReplay: { round: number; epoch: string; fromSeq: number } | null = null;
  /** TX_REPLAYED_TO_HUB is raised once per replay that the hub turned out to need, not per chunk of answers. */
  let alerted = false;

  return {
    start(round, epoch, fromSeq) {
      if (lastReplay && lastReplay.round === round && lastReplay.epoch === epoch && lastReplay.fromSeq === fromSeq) return [];
      const entries = view.closedFrom(epoch, fromSeq, REPLAY_CHUNK);
      if (entries.length === 0) return entries;
      lastReplay = { round, epoch, fromSeq };
      if (replaying.size === 0) alerted = false;
      if (replaying.size > REPLAY_CHUNK * 4) replaying.clear();
      for (const entry of entries) replaying.add(entry.id);
      return entries;
    },
    answered: (id) => replaying.delete(id),
    alertDue() {
      if (alerted) return false;
      alerted = true;
      return true;
    },
  };
}
