/**
 * Fetches in bulk, when a batch begins, the rows its items' steps will read one by one — the stored transactions
 * under the batch's ids, the kiosks' registry rows, the cards the items name, and those cards' members with their
 * balances and point lots — and primes the batch's read cache with them (sync-reads.ts), each as the answer of the
 * very read the port or the row readers make (the same SQL and parameters, the same columns and order). Without it
 * every such read is a miss: one round trip and one more run of the step each, about six per purchase.
 *
 * It decides nothing: a read it did not foresee still misses and is fetched, and a primed answer is dropped like any
 * cached read once a write may have changed its rows (keyed invalidation, sync-reads.ts). It runs inside the batch's
 * database transaction after the kiosks' sequence rows are locked, so it reads what the items would have read.
 */
import type pg from 'pg';
import type { ReceivedTransaction } from '../ledger-store.ts';
import { BALANCES_SQL, byCard, byMember, CARD_BY_UID_SQL, CARD_COLUMNS, LOT_ORDER, LOTS_SQL, MEMBER_BY_ID_SQL, MEMBER_COLUMNS, REFERRER_SQL } from './postgres-row-readers.ts';
import { DEVICE_ROW_SQL, deviceKey, STORED_TX_COLUMNS, STORED_TX_SQL, storedTxKey } from './postgres-write-port.ts';
import type { SyncReads } from './sync-reads.ts';

type Row = Record<string, unknown>;

export async function prefetchBatch(client: pg.ClientBase, reads: SyncReads, batch: readonly ReceivedTransaction[]): Promise<void> {
  const txIds = new Set<string>();
  const deviceIds = new Set<string>();
  const cardUids = new Set<string>();
  for (const { parsed } of batch) {
    if (parsed.ok) {
      txIds.add(parsed.tx.id);
      deviceIds.add(parsed.tx.deviceId);
      const tx = parsed.tx as { cardUid?: unknown; newCardUid?: unknown };
      if (typeof tx.cardUid === 'string') cardUids.add(tx.cardUid);
      if (typeof tx.newCardUid === 'string') cardUids.add(tx.newCardUid);
    } else if (parsed.stage === 'body') txIds.add(parsed.header.id);
  }

  const stored = await byKey(client, `SELECT tx_id, ${STORED_TX_COLUMNS} FROM transactions WHERE tx_id = ANY($1::text[])`, txIds, 'tx_id');
  for (const id of txIds) reads.prime(STORED_TX_SQL, [id], stored.get(id) ?? [], storedTxKey(id));

  const devices = await byKey(client, 'SELECT device_id, mode, store_id FROM devices WHERE device_id = ANY($1::text[])', deviceIds, 'device_id');
  for (const id of deviceIds) reads.prime(DEVICE_ROW_SQL, [id], devices.get(id) ?? [], deviceKey(id));

  const cards = await byKey(client, `SELECT ${CARD_COLUMNS} FROM cards WHERE uid = ANY($1::text[])`, cardUids, 'uid', false);
  for (const uid of cardUids) reads.prime(CARD_BY_UID_SQL, [uid], cards.get(uid) ?? [], byCard(uid));

  const memberIds = new Set([...cards.values()].flat().map((card) => card.member_id as string));
  if (memberIds.size === 0) return;
  const members = await byKey(client, `SELECT ${MEMBER_COLUMNS}, referrer_id FROM members WHERE member_id = ANY($1::text[])`, memberIds, 'member_id', false);
  const balances = await byKey(client, 'SELECT member_id, account, balance FROM accounts WHERE member_id = ANY($1::text[])', memberIds, 'member_id');
  const lots = await byKey(
    client,
    `SELECT member_id, lot_id, remaining, earned_at, expires_at FROM point_lots WHERE member_id = ANY($1::text[]) AND remaining <> 0 ORDER BY member_id, ${LOT_ORDER}`,
    memberIds,
    'member_id',
  );
  for (const id of memberIds) {
    const member = members.get(id) ?? [];
    reads.prime(MEMBER_BY_ID_SQL, [id], member.map(({ referrer_id: _referrer, ...row }) => row), byMember('members', id));
    reads.prime(REFERRER_SQL, [id], member.map((row) => ({ referrer_id: row.referrer_id })), byMember('members', id));
    reads.prime(BALANCES_SQL, [id], balances.get(id) ?? [], byMember('accounts', id));
    reads.prime(LOTS_SQL, [id], lots.get(id) ?? [], byMember('point_lots', id));
  }
}

/**
 * Runs a bulk read and groups its rows by `column`, in the order the query returned them; the grouping column is
 * dropped from each row (unless `drop` is false) so the rows have the single read's columns.
 */
async function byKey(client: pg.ClientBase, sql: string, keys: ReadonlySet<string>, column: string, drop = true): Promise<Map<string, Row[]>> {
  const groups = new Map<string, Row[]>();
  if (keys.size === 0) return groups;
  const { rows } = await client.query<Row>(sql, [[...keys]]);
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
