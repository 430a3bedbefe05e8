/**
 * The first locks a kiosk batch or an HQ transaction takes (moved out of postgres-ledger-store.ts): its device
 * epochs' sequence rows, FOR UPDATE, so two writers handed the same kiosk's slots queue on its order instead of both
 * reading the same last seq. Always in key order, so two batches cannot lock them in opposite orders and deadlock.
 */
import type pg from 'pg';
import { textArray, type StatementToSend } from './one-round-trip-writes.ts';

/** Locks the existing sequence rows of these slots' device epochs, in key order (no two batches lock in opposite orders). */
export async function lockSequences(client: pg.ClientBase, slots: { deviceId: string; epoch: string }[]): Promise<void> {
  const lock = lockSequencesStatement(slots);
  if (lock) await client.query(lock.sql, [...lock.params]);
}

/** lockSequences' statement, its arrays as text[] literals (to be sent with other statements in one round trip). */
export function lockSequencesStatement(slots: { deviceId: string; epoch: string }[]): StatementToSend | null {
  const keys = [...new Map(slots.map((s) => [`${s.deviceId}\u0000${s.epoch}`, s])).values()];
  if (keys.length === 0) return null;
  return {
    sql: `SELECT 1 FROM device_sequences
     WHERE (device_id, epoch) IN (SELECT * FROM unnest($1::text[], $2::text[]))
     ORDER BY device_id, epoch FOR UPDATE`,
    params: [textArray(keys.map((k) => k.deviceId)), textArray(keys.map((k) => k.epoch))],
  };
}
