/**
 * The migration's proof, through the ledgers' own reads rather than the copied rows: the SQLite ledger (the
 * snapshot that was copied) and the PostgreSQL one must answer alike — the journal audit empty on both and equal,
 * the same number of transactions, every member's state (balances, points, tier, cumulative figures) equal, every
 * device's last seq in every epoch equal (so each kiosk's next transaction finds its slot where it left it).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Ledger } from '../ledger.ts';

export interface CheckRow {
  check: string;
  sqlite: string;
  postgres: string;
  equal: boolean;
  /** What differs, when something does (the first few). */
  detail?: string;
}

/** Members' states are read this many at a time on PostgreSQL (each read is a snapshot on a pooled connection). */
const MEMBER_READS_AT_ONCE = 8;
const SHOWN_DIFFERENCES = 5;

export async function compareLedgers(sqlite: Ledger, postgres: Ledger, sequences: readonly { deviceId: string; epoch: string }[]): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];

  const [auditS, auditP] = [await sqlite.audit(), await postgres.audit()];
  rows.push({
    check: 'journal audit (differences)',
    sqlite: String(auditS.length),
    postgres: String(auditP.length),
    equal: auditS.length === 0 && auditP.length === 0,
    ...(auditS.length || auditP.length ? { detail: JSON.stringify({ sqlite: auditS.slice(0, SHOWN_DIFFERENCES), postgres: auditP.slice(0, SHOWN_DIFFERENCES) }) } : {}),
  });

  const [countS, countP] = [await sqlite.transactionCount(), await postgres.transactionCount()];
  rows.push({ check: 'transactions', sqlite: String(countS), postgres: String(countP), equal: countS === countP });

  const [idsS, idsP] = [await sqlite.listMemberIds(Number.MAX_SAFE_INTEGER), await postgres.listMemberIds(Number.MAX_SAFE_INTEGER)];
  const differing: string[] = [];
  for (let i = 0; i < idsS.length; i += MEMBER_READS_AT_ONCE) {
    const ids = idsS.slice(i, i + MEMBER_READS_AT_ONCE);
    const states = await Promise.all(ids.map(async (id) => [await sqlite.member(id), await postgres.member(id)] as const));
    states.forEach(([s, p], j) => {
      if (!isDeepStrictEqual(s, p)) differing.push(ids[j]!);
    });
  }
  const sameIds = isDeepStrictEqual(idsS, idsP);
  rows.push({
    check: "members' balances, points, tier",
    sqlite: `${idsS.length} members`,
    postgres: `${idsP.length} members${differing.length ? `, ${differing.length} differ` : ''}`,
    equal: sameIds && differing.length === 0,
    ...(differing.length || !sameIds ? { detail: `differ: ${differing.slice(0, SHOWN_DIFFERENCES).join(', ')}${sameIds ? '' : '; the member ids differ'}` } : {}),
  });

  const seqDiffers: string[] = [];
  let lastSeqSum = 0;
  for (const { deviceId, epoch } of sequences) {
    const [s, p] = [await sqlite.lastSeq(deviceId, epoch), await postgres.lastSeq(deviceId, epoch)];
    lastSeqSum += s;
    if (s !== p) seqDiffers.push(`${deviceId}/${epoch || '-'}: ${s} vs ${p}`);
  }
  rows.push({
    check: "devices' last seq per epoch",
    sqlite: `${sequences.length} device epochs`,
    postgres: seqDiffers.length ? `${seqDiffers.length} differ` : `all ${sequences.length} equal (Σ ${lastSeqSum})`,
    equal: seqDiffers.length === 0,
    ...(seqDiffers.length ? { detail: seqDiffers.slice(0, SHOWN_DIFFERENCES).join('; ') } : {}),
  });
  return rows;
}
