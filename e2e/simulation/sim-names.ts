/**
 * Readable names for a run's transaction ids and epochs in its trace and failures: ULIDs differ from run to
 * run, the events do not, so a seed's trace reads (and compares) the same every time.
 */
import type { TxResult } from '../../core/wire/result.ts';

export interface SimNames {
  /** Names a transaction id (T1, T2… for sales, X1… for another sender's). */
  set: (id: string, name: string) => void;
  label: (id: string | null) => string;
  /** E1, E2… in the order epochs are first seen. */
  epochLabel: (epoch: string) => string;
  /** A transaction payload's slot: T3@E1/3. */
  slotOf: (payload: string) => string;
  describe: (r: TxResult) => string;
}

export function createSimNames(): SimNames {
  const labels = new Map<string, string>();
  const epochLabels = new Map<string, string>();
  const label = (id: string | null) => (id === null ? '?' : (labels.get(id) ?? `other:${id.slice(-4)}`));
  const epochLabel = (epoch: string) => {
    let name = epochLabels.get(epoch);
    if (!name) epochLabels.set(epoch, (name = `E${epochLabels.size + 1}`));
    return name;
  };
  const slotOf = (payload: string) => {
    const p = JSON.parse(payload) as { id: string; epoch: string; seq: number };
    return `${label(p.id)}@${epochLabel(p.epoch)}/${p.seq}`;
  };
  const describe = (r: TxResult) => `${label(r.id)}@${r.epoch === undefined ? '-' : epochLabel(r.epoch)}/${r.seq} ${r.status}${r.code ? ` ${r.code}` : ''}${r.status === 'exists' ? ` (${r.original})` : ''}${r.retry ? ' retry' : ''}${r.recorded === false ? ' unrecorded' : ''}`;
  const set = (id: string, name: string) => {
    labels.set(id, name);
  };
  return { set, label, epochLabel, slotOf, describe };
}
