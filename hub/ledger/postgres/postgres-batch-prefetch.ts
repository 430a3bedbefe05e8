/**
 * Fetches in bulk, when a batch begins, the rows its items' steps will read one by one — the stored transactions
 * under the batch's ids, the kiosks' registry rows and sequence rows with what holds each epoch's last seq, the cards the items name, and those cards'
 * members with their balances and point lots — and primes the batch's read cache with them (sync-reads.ts), each as the answer of the
 * very read the port or the row readers make (the same SQL and parameters, the same columns and order). Without it
 * every such read is a miss: one round trip and one more run of the step each, about six per purchase; and the bulk
 * reads go in one round trip together.
 *
 * It decides nothing: a read it did not foresee still misses and is fetched, and a primed answer is dropped like any
 * cached read once a write may have changed its rows (keyed invalidation, sync-reads.ts). It runs inside the batch's
 * database transaction after the kiosks' sequence rows are locked, so it reads what the items would have read.
 */
import type pg from 'pg';
import type { ReceivedTransaction } from '../ledger-store.ts';
import { queryInOneRoundTrip, textArray, type StatementToSend } from './one-round-trip-writes.ts';
import { BALANCES_SQL, byCard, byMember, CARD_BY_UID_SQL, CARD_COLUMNS, LOT_ORDER, LOTS_SQL, MEMBER_BY_ID_SQL, MEMBER_COLUMNS, REFERRER_SQL } from './postgres-row-readers.ts';
import { DEVICE_ROW_SQL, deviceKey, LAST_EFFECTIVE_SQL, SEQUENCE_SQL, sequencesKey, SLOT_RECORD_SQL, SLOT_TX_SQL, slotKey, slotRecordKey, slotTxKey, STORED_TX_COLUMNS, STORED_TX_SQL, storedTxKey } from './postgres-write-port.ts';
import type { SyncReads } from './sync-reads.ts';

type Row = Record<string, unknown>;

/** The cards' members, by the cards' own member_id: the member reads below select by it. */
const OF_CARDS = 'member_id IN (SELECT member_id FROM cards WHERE uid = ANY($1::text[]))';

/**
 * The bulk reads, in one round trip (one-round-trip-writes.ts queryInOneRoundTrip) after `first` — the batch's
 * sequence row locks (sequence-locks.ts), so the reads come after the locks as they did in round trips of
 * their own. A write at READ COMMITTED (reads with row locks, row-locks.ts) also locks the cards' members here, in
 * member order, with its read of them, before it reads their cards, balances and lots: each statement takes its
 * snapshot when it starts, so those reads see what any earlier holder of the members' rows committed.
 */
export async function prefetchBatch(client: pg.ClientBase, reads: SyncReads, batch: readonly ReceivedTransaction[], first: StatementToSend | null = null): Promise<void> {
  const txIds = new Set<string>();
  const deviceIds = new Set<string>();
  const epochsOf = new Map<string, Set<string>>();
  const cardUids = new Set<string>();
  for (const { parsed } of batch) {
    if (parsed.ok) {
      txIds.add(parsed.tx.id);
      deviceIds.add(parsed.tx.deviceId);
      addEpoch(epochsOf, parsed.tx.deviceId, parsed.tx.epoch);
      const tx = parsed.tx as { cardUid?: unknown; newCardUid?: unknown };
      if (typeof tx.cardUid === 'string') cardUids.add(tx.cardUid);
      if (typeof tx.newCardUid === 'string') cardUids.add(tx.newCardUid);
    } else if (parsed.stage === 'body') {
      txIds.add(parsed.header.id);
      addEpoch(epochsOf, parsed.header.deviceId, parsed.header.epoch);
    }
  }

  const ids = textArray(txIds);
  const devices = textArray(deviceIds);
  const sequenceDevices = textArray(epochsOf.keys());
  const cards = textArray(cardUids);
  const locking = reads.locks !== null;
  const statements: StatementToSend[] = [
    ...(first ? [first] : []),
    { sql: `SELECT tx_id, ${STORED_TX_COLUMNS} FROM transactions WHERE tx_id = ANY($1::text[])`, params: [ids] },
    { sql: 'SELECT device_id, mode, store_id FROM devices WHERE device_id = ANY($1::text[])', params: [devices] },
    { sql: 'SELECT device_id, epoch, last_seq, closed FROM device_sequences WHERE device_id = ANY($1::text[])', params: [sequenceDevices] },
    { sql: 'SELECT device_id, max(last_effective_at) AS last_effective_at FROM device_sequences WHERE device_id = ANY($1::text[]) GROUP BY device_id', params: [sequenceDevices] },
    // What holds each kiosk epoch's last seq: its next transaction's prevId is checked against it.
    { sql: `SELECT s.device_id, s.epoch, t.tx_id, t.content_hash, t.result FROM device_sequences s JOIN transactions t ON t.device_id = s.device_id AND t.epoch = s.epoch AND t.seq = s.last_seq WHERE s.device_id = ANY($1::text[])`, params: [sequenceDevices] },
    { sql: `SELECT s.device_id, s.epoch, r.tx_id, r.content_hash, r.payload, r.result FROM device_sequences s JOIN sequence_slots r ON r.device_id = s.device_id AND r.epoch = s.epoch AND r.seq = s.last_seq WHERE s.device_id = ANY($1::text[])`, params: [sequenceDevices] },
    // The members read is their lock too when the batch locks (in member order, so two batches cannot deadlock on
    // it); the cards and the members' rows are read after it. A lock of its own cost the ingest about 7 %.
    { sql: `SELECT ${MEMBER_COLUMNS}, referrer_id FROM members WHERE ${OF_CARDS}${locking ? ' ORDER BY member_id FOR UPDATE' : ''}`, params: [cards] },
    { sql: `SELECT ${CARD_COLUMNS} FROM cards WHERE uid = ANY($1::text[])`, params: [cards] },
    { sql: `SELECT member_id, account, balance FROM accounts WHERE ${OF_CARDS}`, params: [cards] },
    { sql: `SELECT member_id, lot_id, remaining, earned_at, expires_at FROM point_lots WHERE ${OF_CARDS} AND remaining <> 0 ORDER BY member_id, ${LOT_ORDER}`, params: [cards] },
  ];
  const answers = await queryInOneRoundTrip(client, statements);
  const [storedRows, deviceRows, sequenceRows, effectiveRows, lastTxRows, lastRecordRows, memberRows, cardRows, balanceRows, lotRows] = answers.slice(first ? 1 : 0);
  if (locking) reads.locks.markMembers(memberRows!.map((row) => row.member_id as string), cardUids);

  const stored = byKey(storedRows!, 'tx_id');
  for (const id of txIds) reads.prime(STORED_TX_SQL, [id], stored.get(id) ?? [], storedTxKey(id));

  const registry = byKey(deviceRows!, 'device_id');
  for (const id of deviceIds) reads.prime(DEVICE_ROW_SQL, [id], registry.get(id) ?? [], deviceKey(id));

  // Each device epoch's row (or none), and each device's last effective time (max over no rows: one row of null).
  const sequences = byKey(sequenceRows!, 'device_id');
  const effective = byKey(effectiveRows!, 'device_id');
  const lastTxs = bySlot(lastTxRows!, sequenceRows!);
  const lastRecords = bySlot(lastRecordRows!, sequenceRows!);
  for (const [deviceId, epochs] of epochsOf) {
    for (const epoch of epochs) {
      const row = (sequences.get(deviceId) ?? []).find((r) => r.epoch === epoch);
      reads.prime(SEQUENCE_SQL, [deviceId, epoch], row ? [{ last_seq: row.last_seq, closed: row.closed }] : [], sequencesKey(deviceId));
      const lastSeq = Number(row?.last_seq ?? 0);
      if (lastSeq > 0) {
        const slot = slotKey(deviceId, epoch, lastSeq);
        reads.prime(SLOT_TX_SQL, [deviceId, epoch, lastSeq], lastTxs.get(slot) ?? [], slotTxKey(slot));
        reads.prime(SLOT_RECORD_SQL, [deviceId, epoch, lastSeq], lastRecords.get(slot) ?? [], slotRecordKey(slot));
      }
    }
    reads.prime(LAST_EFFECTIVE_SQL, [deviceId], effective.get(deviceId) ?? [{ last_effective_at: null }], sequencesKey(deviceId));
  }

  const cardsByUid = byKey(cardRows!, 'uid', false);
  for (const uid of cardUids) reads.prime(CARD_BY_UID_SQL, [uid], cardsByUid.get(uid) ?? [], byCard(uid));

  const memberIds = new Set([...cardsByUid.values()].flat().map((card) => card.member_id as string));
  const members = byKey(memberRows!, 'member_id', false);
  const balances = byKey(balanceRows!, 'member_id');
  const lots = byKey(lotRows!, 'member_id');
  for (const id of memberIds) {
    const member = members.get(id) ?? [];
    reads.prime(MEMBER_BY_ID_SQL, [id], member.map(({ referrer_id: _referrer, ...row }) => row), byMember('members', id));
    reads.prime(REFERRER_SQL, [id], member.map((row) => ({ referrer_id: row.referrer_id })), byMember('members', id));
    reads.prime(BALANCES_SQL, [id], balances.get(id) ?? [], byMember('accounts', id));
    reads.prime(LOTS_SQL, [id], lots.get(id) ?? [], byMember('point_lots', id));
  }
}

/** Rows holding each device epoch's last seq, keyed by that slot (slotKey), without the device and epoch columns. */
function bySlot(rows: readonly Row[], sequenceRows: readonly Row[]): Map<string, Row[]> {
  const lastSeqOf = new Map(sequenceRows.map((r) => [`${String(r.device_id)}\u0000${String(r.epoch)}`, Number(r.last_seq)] as const));
  const groups = new Map<string, Row[]>();
  for (const { device_id: deviceId, epoch, ...rest } of rows) {
    const lastSeq = lastSeqOf.get(`${String(deviceId)}\u0000${String(epoch)}`);
    if (lastSeq === undefined) continue;
    const slot = slotKey(String(deviceId), String(epoch), lastSeq);
    groups.set(slot, [...(groups.get(slot) ?? []), rest]);
  }
  return groups;
}

function addEpoch(epochsOf: Map<string, Set<string>>, deviceId: string, epoch: string): void {
  const epochs = epochsOf.get(deviceId);
  if (epochs) epochs.add(epoch);
  else epochsOf.set(deviceId, new Set([epoch]));
}

/**
 * Groups a bulk read's rows by `column`, in the order the query returned them; the grouping column is dropped from
 * each row (unless `drop` is false) so the rows have the single read's columns.
 */
function byKey(rows: readonly Row[], column: string, drop = true): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = row[column] as string;
    let rest = row;
    if (drop) {
      const { [column]: _key, ...others } = row;
      rest = others;
    }
    const group = groups.get(key);
    if (group) group.push(rest);
    else groups.set(key, [rest]);
  }
  return groups;
}
