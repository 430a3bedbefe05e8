/** What the hub tells the writer thread with a batch: exactly the write port's questions, and nothing is guessed. */
import { describe, expect, it } from 'vitest';
import { TX_FORMAT } from '../../../core/wire/transaction.ts';
import { parseLedgerTransaction } from '../ledger-parse.ts';
import type { ReceivedTransaction } from '../ledger-store.ts';
import { factsForBatch, factsForHq, lookupsFromFacts } from './batch-fleet-facts.ts';

function item(deviceId: string, storeId: string, bundleVersion: number, snapshotVersion?: number): ReceivedTransaction {
  const tx = {
    v: TX_FORMAT, id: '01JBATCHFACTS0000000000000', deviceId, epoch: 'E1', seq: 1, createdAt: '2026-12-01T00:00:00.000Z', storeId, bundleVersion,
    ...(snapshotVersion === undefined ? {} : { snapshotVersion }),
    kind: 'purchase', cardUid: '04A1B2C3D4E5F6', lines: [{ lineNo: 1, sku: 'MILK', category: 'grocery', qty: 1, unitPriceCents: 100 }], payments: [{ method: 'cash', amountCents: 100 }],
  };
  return { topicDeviceId: deviceId, parsed: parseLedgerTransaction(JSON.stringify(tx)) };
}

describe('batch fleet facts', () => {
  it('answers each store region and each snapshot question the write port asks, once each', () => {
    const asked: string[] = [];
    const facts = factsForBatch(
      [item('k1', 's1', 3, 7), item('k1', 's1', 3, 7), item('k2', 's2', 0), item('k3', 's1', 5)],
      {
        regionOf: (storeId) => (asked.push(`region ${storeId}`), storeId === 's1' ? 'east' : undefined),
        // k1's snapshot 7 carries rules 4, not the 3 it names: the port then asks for its newest too.
        snapshotRules: (deviceId, version) => (asked.push(`${deviceId} ${version}`), deviceId === 'k1' && version === 7 ? 4 : 9),
      },
    );
    expect(asked).toEqual(['region s1', 'k1 7', 'k1 newest', 'region s2', 'k2 newest']);
    const lookups = lookupsFromFacts(() => facts);
    expect(lookups.regionOf('s1')).toBe('east');
    expect(lookups.regionOf('s2')).toBeUndefined();
    expect(lookups.snapshotRules('k1', 7)).toBe(4);
    expect(lookups.snapshotRules('k2', 'newest')).toBe(9);
    // Not asked on the hub's thread, so not answered on the writer thread: a defect that must show, not a "none".
    expect(() => lookups.regionOf('s3')).toThrow(/no region for store 's3'/);
    expect(() => lookups.snapshotRules('k3', 'newest')).toThrow(/no snapshot rules for k3/);
  });

  it('asks nothing of snapshots where the hub keeps none, and only regions for HQ', () => {
    expect(factsForBatch([item('k1', 's1', 3, 7)], { regionOf: () => 'west' })).toEqual({ regions: { s1: 'west' }, snapshots: null });
    const hq = factsForHq([{ kind: 'top_up', storeId: 's1', cardUid: '04A1B2C3D4E5F6', amountCents: 100, tender: 'cash', actor: { kind: 'hq', staffId: 'S1', sessionId: 'x' } } as never], {
      regionOf: () => 'west',
      snapshotRules: () => {
        throw new Error('HQ asks no snapshot');
      },
    });
    expect(hq).toEqual({ regions: { s1: 'west' }, snapshots: {} });
  });
});
