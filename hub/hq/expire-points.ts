/**
 * The points expiry sweep (hourly, and once at start): reads the lots due through the sweep port, plans one
 * points_expiry transaction per member (core/ledger/plan-points-expiry.ts) and applies them as HQ transactions
 * through the ledger port — the same path as every kiosk transaction: ids, HQ seqs taken inside the database
 * transaction, journal entries per lot, the audit. Idempotent: a second run finds nothing due.
 */
import { planExpirySweep } from '../../core/ledger/plan-points-expiry.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import type { SweepStore } from '../ledger/sweep-store.ts';
import { applyHqInChunks } from './apply-hq-in-chunks.ts';

export interface ExpirySweepResult {
  /** Members whose points expired (one applied transaction each). */
  members: number;
  points: number;
}

export async function expirePoints(store: Pick<SweepStore, 'dueLots'> & Pick<LedgerStore, 'applyHqBatch'>, asOf: string): Promise<ExpirySweepResult> {
  const bodies = planExpirySweep(await store.dueLots(asOf), asOf);
  const results = await applyHqInChunks(store, bodies, asOf);
  let members = 0;
  let points = 0;
  for (const result of results) {
    if (result.status !== 'applied') continue;
    members += 1;
    points += result.outcome?.pointsSpent ?? 0;
  }
  return { members, points };
}
