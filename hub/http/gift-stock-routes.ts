/**
 * Gifts and their stock per store (门店礼品库存) over the hub's API, the console's Gifts page:
 *
 * | route | who |
 * |---|---|
 * | `GET /api/gift-stock` — the gift catalogue (the current rules' gifts and the ledger's), the chain-wide stock, and each of the caller's stores' stock | HQ admin (every store), region and store managers (their stores) |
 * | `POST /api/gift-stock/:storeId/:sku` `{kind: receive \| adjust, delta, reason}` — a delivery received (delta > 0) or a correction (delta ≠ 0); audited with the actor and reason | HQ admin (any store), region and store managers (their stores) |
 *
 * A store's first change makes its stock row, and from then on a redemption at that store takes from its own
 * stock (GIFT_OUT_OF_STOCK at 0); a store with no row redeems from the chain-wide stock as before (docs/ARCHITECTURE.md, schema 8).
 * A store outside the caller's is AUTH_FORBIDDEN (stores are not secret, unlike members); below zero is
 * GIFT_STOCK_NEGATIVE; a gift neither the rules nor the ledger know is GIFT_UNKNOWN.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import type { StaffRole } from '../../core/ledger/types.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import type { GiftStockStore } from '../ledger/gift-stock-store.ts';
import type { LedgerAdmin } from '../ledger/ledger-admin.ts';
import type { RulesStore } from '../ledger/rules-store.ts';
import { requireStaff } from './require-staff.ts';

export interface GiftStockRoutesDeps {
  identity: IdentityService;
  identityStore: Pick<IdentityStore, 'appendAudit'>;
  giftStock: GiftStockStore;
  ledger: Pick<LedgerAdmin, 'listGifts'>;
  /** The catalogue's rules: the hub's latest. */
  rules: Pick<RulesStore, 'latestRulesBundle'>;
  /** The fleet's stores (names, and which exist); absent: the stores named by staff and stock rows, unnamed. */
  stores?: () => Promise<{ storeId: string; name: string }[]>;
}

/** console/src/menu.ts PAGE_ROLES.gifts reads this list. */
export const GIFT_STOCK_STAFF: readonly StaffRole[] = ['hq_admin', 'region_manager', 'store_manager'];

export interface CatalogueGift {
  giftId: string;
  name: string;
  /** Points price: the rules' (what kiosks show), else the ledger's. */
  points: number;
  /** Whether the current rules list it (a gift only the ledger knows can still be redeemed by its SKU). */
  inRules: boolean;
  /** The ledger's chain-wide stock (stores without a row of their own); null: the ledger does not stock it. */
  chainStock: number | null;
}

const changeBody = z
  .object({
    kind: z.enum(['receive', 'adjust']),
    delta: z.number().int().min(-1_000_000).max(1_000_000).refine((d) => d !== 0, 'delta is not 0'),
    reason: z.string().trim().min(1).max(200),
  })
  .refine((b) => b.kind === 'adjust' || b.delta > 0, 'a delivery received adds stock (delta > 0)');

export function registerGiftStockRoutes(app: FastifyInstance, deps: GiftStockRoutesDeps): void {
  async function catalogue(): Promise<{ rulesVersion: number | null; gifts: CatalogueGift[] }> {
    const [bundle, ledgerGifts] = await Promise.all([deps.rules.latestRulesBundle(), deps.ledger.listGifts()]);
    const chain = new Map(ledgerGifts.map((g) => [g.sku, g]));
    const gifts: CatalogueGift[] = (bundle?.gifts ?? []).map((g) => ({ giftId: g.giftId, name: g.name, points: g.points, inRules: true, chainStock: chain.get(g.giftId)?.stock ?? null }));
    const listed = new Set(gifts.map((g) => g.giftId));
    for (const g of ledgerGifts) if (!listed.has(g.sku)) gifts.push({ giftId: g.sku, name: g.name, points: g.pointsPrice, inRules: false, chainStock: g.stock });
    return { rulesVersion: bundle?.version ?? null, gifts };
  }

  app.get('/api/gift-stock', async (request) => {
    const { staff } = await requireStaff(deps.identity, request, GIFT_STOCK_STAFF);
    const everyStore = staff.storeIds.includes('*');
    const fleet = deps.stores ? await deps.stores() : [];
    const names = new Map(fleet.map((s) => [s.storeId, s.name]));
    const storeIds = everyStore ? fleet.map((s) => s.storeId) : [...staff.storeIds];
    const stock = await deps.giftStock.storeStock(everyStore ? '*' : storeIds);
    // A stock row of a store the fleet no longer lists is still shown to HQ: its stock is still counted.
    for (const row of stock) if (!storeIds.includes(row.storeId)) storeIds.push(row.storeId);
    return { ...(await catalogue()), stores: storeIds.map((storeId) => ({ storeId, name: names.get(storeId) ?? storeId })), stock };
  });

  app.post<{ Params: { storeId: string; sku: string } }>('/api/gift-stock/:storeId/:sku', async (request) => {
    const { staff } = await requireStaff(deps.identity, request, GIFT_STOCK_STAFF);
    const { storeId, sku } = request.params;
    if (!staff.storeIds.includes('*') && !staff.storeIds.includes(storeId)) throw new CodedError('AUTH_FORBIDDEN', `store ${storeId} is not one of yours`);
    const body = parseRequest(changeBody, request.body);
    if (deps.stores && !(await deps.stores()).some((s) => s.storeId === storeId)) throw new CodedError('FLEET_UNKNOWN_STORE', `no store ${storeId}`);
    const gift = (await catalogue()).gifts.find((g) => g.giftId === sku);
    if (!gift) throw new CodedError('GIFT_UNKNOWN', `no gift ${sku} in the rules or the ledger`);
    const at = new Date().toISOString();
    const { before, after } = await deps.giftStock.changeStoreStock({ storeId, sku, delta: body.delta, at });
    await deps.identityStore.appendAudit({
      at,
      actorKind: 'staff',
      actorId: staff.staffId,
      surface: 'hub',
      action: `gifts.stock.${body.kind}`,
      target: `${storeId}/${sku}`,
      outcome: 'ok',
      before: { stock: before },
      after: { stock: after },
      detail: { storeId, sku, delta: body.delta, reason: body.reason },
    });
    return { storeId, sku, stock: after, updatedAt: at };
  });
}
