/**
 * What the fee features read from the ledger (docs/ACCOUNTS.md "Fees"): the cards an annual fee may fall on,
 * and the fees charged in a period for the fee report. Writes go through the ledger's one write path only.
 */

/** A card an annual fee may fall on: not cancelled, with what its lineage (cards it replaced) was charged. */
export interface AnnualFeeCard {
  uid: string;
  memberId: string;
  /** The card type (null: the rules' default type). */
  cardType: string | null;
  /**
   * When the first card of its lineage was issued: a replacement card keeps its predecessor's month, so a
   * lost card never moves the member's fee month (nor charges a year twice).
   */
  firstIssuedAt: string;
  /** Fee years already charged on this card or a card it replaced. */
  chargedYears: number[];
}

export interface FeeReportRow {
  feeKind: string;
  tender: string;
  count: number;
  cents: number;
}

export interface FeeReportQuery {
  /** ISO instants, `from` inclusive, `to` exclusive. */
  from: string;
  to: string;
  /** Stores whose transactions count ('*': every store, HQ's own fees included). */
  storeIds: readonly string[] | '*';
}

export interface CardFeeStore {
  annualFeeCards(): Promise<AnnualFeeCard[]>;
  feeReport(query: FeeReportQuery): Promise<FeeReportRow[]>;
}
