/**
 * Makes a kiosk transaction from the body a use case asks for: fills in the header (format `v`, a ULID made
 * here, the device, the store, `createdAt` on the kiosk's clock, the rules bundle version the kiosk holds and
 * the signed configuration snapshot it runs under, the clock offset the hub last measured) and validates the whole with the transaction schema. What it cannot know
 * is the transaction's slot (epoch + seq): only the outbox assigns it, inside the write transaction that stores
 * it, so a failed write never leaves a gap. So the factory hands out a *draft*, and the outbox calls
 * `draft.place(slot)` in that write transaction: placing serialises the final payload once (the bytes stored
 * and resent) and checks it against the envelope limit (core/wire/limits.ts). A draft that does not fit throws
 * TX_TOO_LARGE there and the outbox rolls the whole append back.
 *
 *   use case ── factory.draft(body) ──▶ TxDraft ── outbox.append(draft) ─┬─ BEGIN
 *              TX_UNKNOWN_KIND, TX_INVALID                               ├─ slot = (epoch, lastSeq + 1)
 *                                                                        ├─ draft.place(slot) → payload; TX_TOO_LARGE
 *                                                                        └─ INSERT … COMMIT; then lastSeq advances
 *
 * The payload is serialised once, when placed (not also at draft time: the append path is hot, and the slot
 * changes the bytes anyway). Pure apart from the clock and the random bits of the id: nothing is written,
 * nothing is kept.
 */
import { randomBytes } from 'node:crypto';
import { CodedError } from '../../core/errors/coded-error.ts';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { MAX_TX_BYTES } from '../../core/wire/limits.ts';
import { EPOCH_PATTERN, TX_FORMAT, isTxKind, transactionSchemas, type Transaction, type TransactionInput, type TxHeader, type TxKind } from '../../core/wire/transaction.ts';

/** What a use case supplies for a transaction: the kind and its body. The factory fills in the header. */
export type TxBodyInput = DistributiveOmit<TransactionInput, Exclude<keyof TxHeader, 'kind'>>;
export type TxBodyOf<K extends TxBodyInput['kind']> = Extract<TxBodyInput, { kind: K }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Where a transaction sits in its device's order at the hub; assigned by the outbox. */
export interface TxSlotAssignment {
  epoch: string;
  seq: number;
  /** The id at seq − 1 of the same epoch; absent at seq 1. */
  prevId?: string;
}

/** A transaction in its slot and the exact JSON to store and send. */
export interface PlacedTransaction {
  tx: Transaction;
  payload: string;
}

/** A checked transaction waiting for its slot. */
export interface TxDraft {
  readonly id: string;
  readonly kind: TxKind;
  readonly deviceId: string;
  /** The body as the use case asked for it, before the header: what an Idempotency-Key stands for. */
  readonly request: TxBodyInput;
  /**
   * The transaction in `slot` and its payload, serialised once. Throws TX_TOO_LARGE when the payload is over
   * MAX_TX_BYTES. Placing keeps nothing, so the outbox may call it inside a write transaction that fails.
   */
  place(slot: TxSlotAssignment): PlacedTransaction;
}

export interface TransactionFactory {
  readonly deviceId: string;
  /** Throws CodedError TX_UNKNOWN_KIND or TX_INVALID (the body breaks the schema); the size is checked when placed. */
  draft(body: TxBodyInput): TxDraft;
}

export interface TransactionFactoryOptions {
  deviceId: string;
  storeId: string;
  /** The kiosk's clock (ms); dates `createdAt` and the id. */
  now?: () => number;
  /** The rules bundle version the kiosk evaluates with right now; read at every draft. */
  bundleVersion?: () => number;
  /** The signed configuration snapshot the kiosk runs under (undefined: none held yet); read at every draft. */
  snapshotVersion?: () => number | undefined;
  /** hub − kiosk clock offset as last measured (undefined: never measured); read at every draft. */
  clockOffsetMs?: () => number | undefined;
}

/** The slot a draft is validated with; place() puts the real one in. */
const PROBE_SLOT: TxSlotAssignment = { epoch: '', seq: 1 };

export function createTransactionFactory(opts: TransactionFactoryOptions): TransactionFactory {
  const now = opts.now ?? Date.now;
  const bundleVersion = opts.bundleVersion ?? (() => 0);
  const clockOffsetMs = opts.clockOffsetMs ?? (() => undefined);
  const snapshotVersion = opts.snapshotVersion ?? (() => undefined);
  const newUlid = createUlidFactory(now, (size) => randomBytes(size));

  return {
    deviceId: opts.deviceId,
    draft(body) {
      const kind: string = body.kind;
      if (!isTxKind(kind)) throw new CodedError('TX_UNKNOWN_KIND', `unknown transaction kind '${kind}'`);
      const offset = clockOffsetMs();
      const snapshot = snapshotVersion();
      // Never a spread with fields after it (`{ ...body, v, … }`) on this path: Node 20's V8 keeps such objects —
      // and all they point to, the basket's lines included — alive through the next young-generation GC, which then
      // copies them to the old generation (measured: three times the bytes surviving each scavenge, and a slower
      // pause inside some sale's confirmation; docs/ARCHITECTURE.md, Performance). Object.assign onto a fresh object
      // gives the same fields in the same order. A body with an own `__proto__` would set the prototype there, so it
      // is refused (the kiosk API's JSON parser refuses one already).
      if (Object.hasOwn(body, '__proto__')) throw new CodedError('TX_INVALID', 'a transaction body may not carry __proto__');
      const candidate = Object.assign({}, body, {
        v: TX_FORMAT,
        id: newUlid(),
        deviceId: opts.deviceId,
        ...PROBE_SLOT,
        kind,
        createdAt: new Date(now()).toISOString(),
        storeId: opts.storeId,
        bundleVersion: bundleVersion(),
        ...(snapshot === undefined ? {} : { snapshotVersion: snapshot }),
        ...(offset === undefined ? {} : { clockOffsetMs: offset }),
      });
      const parsed = transactionSchemas[kind].safeParse(candidate);
      if (!parsed.success) {
        const message = parsed.error.issues
          .slice(0, 5)
          .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
          .join('; ');
        throw new CodedError('TX_INVALID', message);
      }
      const checked = parsed.data;
      const draft: TxDraft = {
        id: checked.id,
        kind,
        deviceId: opts.deviceId,
        request: body,
        place(slot) {
          assertSlot(slot);
          // Over the checked object: epoch and seq keep their places, so the bytes are what a transaction made in
          // one step would have been. Object.assign, not a spread, for the reason given at `candidate`.
          const tx: Transaction = Object.assign({}, checked, { epoch: slot.epoch, seq: slot.seq }, slot.prevId === undefined ? {} : { prevId: slot.prevId });
          const payload = JSON.stringify(tx);
          assertFits(payload);
          return { tx, payload };
        },
      };
      return draft;
    },
  };
}

/** Whether `item` is a draft rather than a body (a body never has `place`). */
export function isTxDraft(item: TxDraft | TxBodyInput): item is TxDraft {
  return typeof (item as Partial<TxDraft>).place === 'function';
}

function assertSlot(slot: TxSlotAssignment): void {
  if (!Number.isSafeInteger(slot.seq) || slot.seq < 1 || !EPOCH_PATTERN.test(slot.epoch)) {
    throw new CodedError('TX_INVALID', `not a slot: epoch '${slot.epoch}', seq ${slot.seq}`);
  }
}

/** The envelope limit, on the exact bytes that will be stored and sent. */
function assertFits(payload: string): void {
  const bytes = Buffer.byteLength(payload);
  if (bytes > MAX_TX_BYTES) throw new CodedError('TX_TOO_LARGE', `the transaction would be ${bytes} bytes; the limit is ${MAX_TX_BYTES}`, { bytes, limit: MAX_TX_BYTES });
}
