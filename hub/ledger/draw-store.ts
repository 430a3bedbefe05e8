/**
 * The points-draw port (积分抽奖, core/draws/draw-outcome.ts): HQ defines a draw (a draft, with its seed's
 * commitment), opens it, and closes it (the second-chance winners are drawn and the seed revealed, in one
 * database transaction). Entries are transactions (draw_enter), applied by the ledger like any other, which
 * spends the points, records the entry and takes the prize's stock in the same database transaction.
 */
import type { DrawAuditInput, DrawDefinition } from '../../core/draws/draw-outcome.ts';
import type { DrawStatus } from '../../core/ledger/codes-and-draws.ts';

export interface DrawPrizeView {
  prizeId: string;
  name: string;
  round: 'instant' | 'second_chance';
  kind: 'gift' | 'points';
  points: number | null;
  /** Instant prizes: the weight (odds = weight / totalWeight); 0 for second-chance prizes. */
  weight: number;
  /** Instant prizes: the stock defined; second-chance prizes: how many entries win it. */
  stock: number;
  stockLeft: number;
}

export interface DrawView {
  drawId: string;
  name: string;
  status: DrawStatus;
  costPoints: number;
  closesAt: string;
  noPrizeWeight: number;
  /** noPrizeWeight + every instant prize's weight: a prize's odds are its weight over this. */
  totalWeight: number;
  /** SHA-256 of the seed, published from the start. */
  seedSha256: string;
  /** The seed (hex), revealed once the draw is closed; null before. */
  seed: string | null;
  createdAt: string;
  createdBy: string;
  openedAt: string | null;
  closedAt: string | null;
  prizes: DrawPrizeView[];
  entries: number;
}

export interface DrawEntryView {
  entryNo: number;
  txId: string;
  memberId: string;
  prizeId: string | null;
  outOfStockPrizeId: string | null;
  ticket: string;
  pick: number;
  enteredAt: string;
}

export interface DrawWinnerView {
  prizeId: string;
  k: number;
  entryTxId: string;
  memberId: string;
}

export interface DrawStore {
  /** A new draft; DRAW_EXISTS when the id is taken. `seedHex`: 32 random bytes the caller made (hub/draws/draw-admin.ts). */
  createDraw(definition: DrawDefinition & { drawId: string }, seedHex: string, createdBy: string, at: string): Promise<DrawView>;
  /** draft → open; DRAW_UNKNOWN, DRAW_BAD_STATE. */
  openDraw(drawId: string, at: string): Promise<DrawView>;
  /** open → closed: the second-chance winners drawn among the entries and the seed revealed; DRAW_UNKNOWN, DRAW_BAD_STATE. */
  closeDraw(drawId: string, at: string): Promise<DrawView>;
  draw(drawId: string): Promise<DrawView | null>;
  /** Newest first; only those in `status` when given. */
  listDraws(status?: DrawStatus): Promise<DrawView[]>;
  /** In the order the ledger applied them. */
  drawEntries(drawId: string): Promise<DrawEntryView[]>;
  drawWinners(drawId: string): Promise<DrawWinnerView[]>;
  /** Everything the audit recomputes, the seed included whatever the draw's state: for the hub's own tools (memberkiosk draws verify), never an API before the draw closed. */
  drawAuditInput(drawId: string): Promise<DrawAuditInput | null>;
}
