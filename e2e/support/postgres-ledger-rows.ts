/** A device's transactions in a PostgreSQL ledger, read with `pg` directly (not through the hub's code). */
import pg from 'pg';
import type { LedgerTxRow } from './ledger-file.ts';

/** In the order the journal wrote them (entry_id is a BIGSERIAL: application order); refusals without entries last. */
export async function postgresLedgerRows(url: string, deviceId: string): Promise<LedgerTxRow[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ epoch: string; seq: string; tx_id: string; status: string; first_entry: string | null }>(
      `SELECT * FROM (SELECT t.epoch, t.seq, t.tx_id, t.status, (SELECT MIN(j.entry_id) FROM journal j WHERE j.tx_id = t.tx_id) AS first_entry
                        FROM transactions t WHERE t.device_id = $1) AS rows
        ORDER BY first_entry IS NULL, first_entry, epoch, seq`,
      [deviceId],
    );
    return rows.map((r) => ({ epoch: r.epoch, seq: Number(r.seq), txId: r.tx_id, status: r.status, firstEntry: r.first_entry === null ? null : Number(r.first_entry) }));
  } finally {
    await client.end();
  }
}
