/**
 * The Gifts, Card types, Code batches, Draws and Commission pages' calls to the hub (hub/http/gift-stock-routes.ts,
 * card-type-routes.ts, code-draw-routes.ts, commission-routes.ts), through the console's one request function.
 */
import { request } from '../api.ts';

export interface CatalogueGift {
  giftId: string;
  name: string;
  points: number;
  inRules: boolean;
  chainStock: number | null;
}

export interface StoreGiftStock {
  storeId: string;
  sku: string;
  stock: number;
  updatedAt: string;
}

export interface GiftStockView {
  rulesVersion: number | null;
  gifts: CatalogueGift[];
  stores: { storeId: string; name: string }[];
  stock: StoreGiftStock[];
}

export type StockChangeKind = 'receive' | 'adjust';

export interface CardTypeView {
  typeId: string;
  label: string;
  class: 'personal' | 'supplementary' | 'linked' | 'group';
  tier?: string;
  validityMonths?: number;
  extendMonths?: number;
  creditLimitCents?: number;
  limits?: { perTransactionCents?: number; perDayCents?: number; pointsPayment?: boolean };
  fees?: Partial<Record<FeeKind, number>>;
}
export const FEE_KINDS = ['issue', 'replace', 'repair', 'extend', 'annual', 'return'] as const;
export type FeeKind = (typeof FEE_KINDS)[number];

export interface CodeBatch {
  batchId: string;
  name: string;
  sku: string;
  points: number;
  expiresAt: string;
  createdAt: string;
  createdBy: string;
  count: number;
  used: number;
}

export interface NewCodeBatch {
  name: string;
  sku: string;
  points: number;
  count: number;
  /** YYYY-MM-DD (good through that day, UTC) or a UTC instant. */
  expiresAt: string;
}

export interface DrawPrize {
  prizeId: string;
  name: string;
  round: 'instant' | 'second_chance';
  kind: 'gift' | 'points';
  points: number | null;
  weight: number;
  stock: number;
  stockLeft: number;
}

export interface Draw {
  drawId: string;
  name: string;
  status: 'draft' | 'open' | 'closed';
  costPoints: number;
  closesAt: string;
  noPrizeWeight: number;
  totalWeight: number;
  seedSha256: string;
  seed: string | null;
  createdAt: string;
  openedAt: string | null;
  closedAt: string | null;
  prizes: DrawPrize[];
  entries: number;
}

export interface NewDraw {
  name: string;
  costPoints: number;
  closesAt: string;
  noPrizeWeight: number;
  prizes: { prizeId: string; name: string; kind: 'gift' | 'points'; points?: number; weight: number; stock: number }[];
  secondChance: { prizeId: string; name: string; count: number }[];
}

export interface DrawEntries {
  entries: { entryNo: number; txId: string; memberId: string; prizeId: string | null; enteredAt: string }[];
  winners: { prizeId: string; k: number; entryTxId: string; memberId: string }[];
}

/** Per staff level, per consumption code: a share of the amount and/or a fixed amount per count. */
export type CommissionSchedule = { levels: Record<string, Record<string, { rate?: string; perCountCents?: number }>> };

const seg = encodeURIComponent;

export const orgPagesApi = {
  giftStock: () => request<GiftStockView>('GET', '/api/gift-stock'),
  changeGiftStock: (storeId: string, sku: string, body: { kind: StockChangeKind; delta: number; reason: string }) =>
    request<StoreGiftStock>('POST', `/api/gift-stock/${seg(storeId)}/${seg(sku)}`, body),

  cardTypes: () => request<{ rulesVersion: number | null; default: string | null; types: CardTypeView[] }>('GET', '/api/card-types'),

  codeBatches: () => request<{ batches: CodeBatch[] }>('GET', '/api/code-batches'),
  createCodeBatch: (body: NewCodeBatch) => request<{ batch: CodeBatch; codes: string[] }>('POST', '/api/code-batches', body),

  draws: () => request<{ draws: Draw[] }>('GET', '/api/draws'),
  createDraw: (body: NewDraw) => request<Draw>('POST', '/api/draws', body),
  drawAction: (drawId: string, action: 'open' | 'close') => request<Draw>('POST', `/api/draws/${seg(drawId)}/${action}`),
  drawEntries: (drawId: string) => request<DrawEntries>('GET', `/api/draws/${seg(drawId)}/entries`),

  commissionSchedule: () => request<{ rulesVersion: number | null; commission: CommissionSchedule | null }>('GET', '/api/commission/schedule'),
  setLevel: (staffId: string, level: string | null) => request<{ staffId: string; level: string | null }>('PUT', `/api/staff/${seg(staffId)}/level`, { level }),
};

/** The printable list as the hub's CSV answer has it (code-batches.ts codeBatchCsv): made here from the one answer. */
export function codeBatchCsv(batch: CodeBatch, codes: readonly string[]): string {
  const field = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = codes.map((code) => [code, batch.name, batch.sku, String(batch.points), batch.expiresAt].map(field).join(','));
  return `code,batch,sku,points,expires_at\n${rows.join('\n')}\n`;
}
