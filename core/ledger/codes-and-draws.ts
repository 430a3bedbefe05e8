/**
 * What the ledger reads and writes for redemption codes (兑换码) and points draws (积分抽奖): the planners'
 * view of a code or a draw (planning context) and what applying one changes (ledger effect). The rules for
 * codes are in core/codes/redemption-code.ts, for draw outcomes in core/draws/draw-outcome.ts.
 */
import type { Points } from '../money/integers.ts';

/** A redemption code as the hub holds it: found by the keyed hash of its digest, never by its text. */
export interface RedemptionCodeState {
  /** HMAC-SHA256(hub key, code digest), hex: the code's key in the hub's table. */
  codeHash: string;
  batchId: string;
  batchName: string;
  /** The product the code's label is on. */
  sku: string;
  points: Points;
  /** Redemptions from this instant on are refused (CODE_EXPIRED). */
  expiresAt: string;
  usedByTxId: string | null;
  usedAt: string | null;
}

export const DRAW_STATUSES = ['draft', 'open', 'closed'] as const;
export type DrawStatus = (typeof DRAW_STATUSES)[number];

export interface DrawPrizeState {
  prizeId: string;
  name: string;
  kind: 'gift' | 'points';
  /** For a points prize; null for a gift. */
  points: Points | null;
  weight: number;
  /** Stock left when the entry is applied. */
  stockLeft: number;
}

/** A points draw as the planner of an entry reads it. */
export interface DrawState {
  drawId: string;
  name: string;
  status: DrawStatus;
  costPoints: Points;
  closesAt: string;
  noPrizeWeight: number;
  /** The secret seed (hex): only the hub holds it until the draw closes. */
  seedHex: string;
  /** The instant prizes, in their defined order. */
  prizes: DrawPrizeState[];
}

/** The prize an entry won, as results and receipts name it. */
export interface DrawPrizeWon {
  prizeId: string;
  name: string;
  kind: 'gift' | 'points';
  points: Points | null;
}

/** What a draw entry records: its ticket and pick (for the audit) and the prize won, if any. */
export interface DrawEntryEffect {
  drawId: string;
  ticket: string;
  pick: number;
  prize: DrawPrizeWon | null;
  /** The prize the pick landed on with no stock left (nothing was won). */
  outOfStockPrizeId: string | null;
}
