/**
 * Faults a ledger back end injects on request, for the contract suite only (ledger-store-contract.ts): a
 * write that fails inside a batch is the one case no payload can produce on purpose, and the suite must show
 * what a back end does with it. Production code never passes any.
 */
export interface LedgerFaults {
  /** Fail while writing this transaction's effect, after part of it was written: the database transaction must roll back. */
  failEffectWrite?(tx: { id: string; deviceId: string; kind: string }): boolean;
  /** Fail while recording this transaction as INTERNAL after its write failed: nothing of the batch may be applied. */
  failDefectRecord?(txId: string): boolean;
}
