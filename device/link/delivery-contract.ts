/**
 * What passes between the delivery machine (delivery-machine.ts) and whoever runs it: the events it is handed,
 * the commands it gives back, and the read-only view of the outbox it reads. Apart from the machine's rules so
 * that its runners (runDelivery, hub-link.ts, the simulation) and the view over the real outbox (outbox-view.ts)
 * can be read, and typed, against this contract alone.
 */
import type { AlertCode } from '../../core/wire/alerts.ts';
import type { TxResult } from '../../core/wire/result.ts';

/** An outbox entry as it goes on the wire. */
export interface OutgoingEntry {
  pos: number;
  id: string;
  epoch: string;
  seq: number;
  payload: string;
}

/** What the machine may read of the outbox. Reads only: every write is a command. */
export interface DeliveryView {
  /** Pending entries from local position `pos` on, in order, at most `limit`. */
  pendingFrom(pos: number, limit: number): readonly OutgoingEntry[];
  /** Closed entries of `epoch` from seq `fromSeq` on, in seq order, at most `limit` (sent again when the hub lost them). */
  closedFrom(epoch: string, fromSeq: number, limit: number): readonly OutgoingEntry[];
  /** The local position of the oldest pending entry, or null when nothing is pending. */
  oldestPendingPos(): number | null;
  /** The local position the next append will get. */
  nextPos(): number;
  /** The slot a pending entry holds now; null when the entry is unknown or already closed. */
  pendingSlot(id: string): { epoch: string; seq: number } | null;
  /** The epoch every pending entry holds its slot in (new appends go there too). */
  epoch(): string;
}

export interface RecordItem {
  id: string;
  result: TxResult;
}

export type DeliveryEvent =
  /** The broker granted the subscriptions: results can reach us. */
  | { type: 'connected' }
  | { type: 'disconnected' }
  /** A live (not retained) `online` on the hub's availability topic: what it had not committed is lost. */
  | { type: 'hub-online' }
  /** Something was appended to the outbox. */
  | { type: 'appended' }
  /** The results that arrived in one pass (one commit on the outbox), in arrival order. */
  | { type: 'results'; results: readonly TxResult[] }
  /** Answer to `record`: the ids the outbox closed. */
  | { type: 'recorded'; closedIds: readonly string[] }
  | { type: 'record-failed'; error: unknown }
  /** Answer to `move-epoch`. */
  | { type: 'epoch-moved'; epoch: string; moved: number }
  | { type: 'epoch-move-failed'; error: unknown }
  /** Time passed (the wake-up asked for came, or any other moment): due rewinds and stall checks run. */
  | { type: 'tick' };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type DeliveryCommand =
  /** Publish these payloads to the hub, QoS 1, in this order. */
  | { type: 'publish'; entries: readonly OutgoingEntry[] }
  /** Record these results on the outbox in one commit (recorded ones close their entry); answer `recorded`. */
  | { type: 'record'; items: readonly RecordItem[] }
  /** Give every pending entry a new slot in a new epoch; answer `epoch-moved`. */
  | { type: 'move-epoch' }
  /** An entry closed on this result (after the commit): tell whoever waits for it. */
  | { type: 'closed'; result: TxResult }
  | { type: 'alert'; code: AlertCode; detail: Record<string, unknown> }
  /** Entries closed: the retained state report is worth refreshing. */
  | { type: 'report-state' }
  /** Hand the machine a `tick` at (or after) this time; replaces any earlier wake-up asked for. */
  | { type: 'wake'; at: number }
  | { type: 'log'; level: LogLevel; fields: Record<string, unknown>; msg: string };

/** What the machine holds right now, for tests and the simulation's invariants. */
export interface DeliverySnapshot {
  connected: boolean;
  round: number;
  cursor: number;
  inFlight: number;
  fruitlessRewinds: number;
  /** When a paused rewind is due, or null. */
  rewindAt: number | null;
  /** The wake-up asked for and not yet given, or null. */
  wakeAt: number | null;
  /** A request whose answer the machine waits for. */
  awaiting: 'record' | 'move-epoch' | null;
}

export interface DeliveryMachine {
  handle(event: DeliveryEvent): DeliveryCommand[];
  snapshot(): DeliverySnapshot;
}
