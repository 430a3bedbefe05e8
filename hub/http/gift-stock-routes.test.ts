/**
 * Gift stock per store over the hub's API (Fastify inject, SQLite in memory, real logins): HQ receives stock at
 * any store, a store manager adjusts their own store's; a store manager on another store, a cashier, a technician
 * and nobody signed in are refused with nothing changed; every change is in the audit log with its actor and
 * reason; the catalogue merges the current rules' gifts with the ledger's.
 */
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { createIdentityService } from '../identity/identity-service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { staffAuthorization } from '../testing/staff-actor.ts';
import { buildApp } from './build-app.ts';

const STORE_B = 'store-b';
const STORES = [
  { storeId: DEMO_STORE_ID, name: 'Demo store' },
  { storeId: STORE_B, name: 'Store B' },
];

describe('gift stock routes (inject)', () => {
  let ledger: Ledger;
  let app: FastifyInstance;
  let hq: { authorization: string };
  let managerA: { authorization: string };
  let managerB: { authorization: string };
  let cashierA: { authorization: string };
  let technician: { authorization: string };

  const change = (headers: { authorization: string } | undefined, storeId: string, sku: string, payload: unknown) =>
    app.inject({ method: 'POST', url: `/api/gift-stock/${storeId}/${sku}`, payload: payload as object, ...(headers ? { headers } : {}) });
  const read = (headers?: { authorization: string }) => app.inject({ method: 'GET', url: '/api/gift-stock', ...(headers ? { headers } : {}) });
  const stockRows = () => ledger.giftStock.storeStock('*');
  const stockAudits = async () => (await ledger.identity.auditEntries({ limit: 100 })).filter((e) => e.action.startsWith('gifts.stock.'));

  beforeEach(async () => {
    ledger = await openLedger({ kind: 'sqlite', path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    await seedDemoData(ledger);
    // The rules list a gift the ledger also stocks (GIFT-MUG, renamed) and one it does not (a tumbler).
    await ledger.saveRulesBundle({
      ...DEFAULT_RULES_BUNDLE,
      version: 2,
      gifts: [
        { giftId: 'GIFT-MUG', name: '马克杯', points: 500 },
        { giftId: 'tumbler', name: '保温杯', points: 2_000 },
      ],
    });
    const identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }) });
    app = buildApp({
      store: ledger,
      identity,
      identityStore: ledger.identity,
      brokerUrl: 'mqtt://127.0.0.1:1883',
      giftStock: { giftStock: ledger.giftStock, ledger, rules: ledger, stores: async () => STORES },
    });
    hq = await staffAuthorization(identity, 'hq_admin', ['*']);
    managerA = await staffAuthorization(identity, 'store_manager', [DEMO_STORE_ID]);
    managerB = await staffAuthorization(identity, 'store_manager', [STORE_B]);
    cashierA = await staffAuthorization(identity, 'cashier', [DEMO_STORE_ID]);
    technician = await staffAuthorization(identity, 'technician', ['*']);
  });
  afterEach(async () => {
    await app.close();
    await ledger.close();
  });

  it('shows HQ the catalogue of the rules and the ledger with every store; a manager their stores only', async () => {
    await change(hq, STORE_B, 'tumbler', { kind: 'receive', delta: 4, reason: 'delivery' });
    const all = await read(hq);
    expect(all.statusCode).toBe(200);
    expect(all.json()).toMatchObject({
      rulesVersion: 2,
      gifts: [
        { giftId: 'GIFT-MUG', name: '马克杯', points: 500, inRules: true, chainStock: 50 },
        { giftId: 'tumbler', name: '保温杯', points: 2_000, inRules: true, chainStock: null },
        { giftId: 'GIFT-BAG', name: 'Tote bag', points: 1_200, inRules: false, chainStock: 20 },
      ],
      stores: STORES,
      stock: [{ storeId: STORE_B, sku: 'tumbler', stock: 4 }],
    });
    const mine = (await read(managerA)).json();
    expect(mine.stores).toEqual([{ storeId: DEMO_STORE_ID, name: 'Demo store' }]);
    expect(mine.stock).toEqual([]);
    expect((await read(managerB)).json().stock).toEqual([expect.objectContaining({ storeId: STORE_B, stock: 4 })]);
  });

  it('lets HQ receive at any store and a manager adjust their own, each audited with actor and reason', async () => {
    const received = await change(hq, DEMO_STORE_ID, 'GIFT-MUG', { kind: 'receive', delta: 12, reason: '到货 12 只' });
    expect(received.statusCode).toBe(200);
    expect(received.json()).toMatchObject({ storeId: DEMO_STORE_ID, sku: 'GIFT-MUG', stock: 12 });
    const adjusted = await change(managerA, DEMO_STORE_ID, 'GIFT-MUG', { kind: 'adjust', delta: -2, reason: '破损' });
    expect(adjusted.json()).toMatchObject({ stock: 10 });
    expect(await stockRows()).toEqual([expect.objectContaining({ storeId: DEMO_STORE_ID, sku: 'GIFT-MUG', stock: 10 })]);
    // The chain-wide stock is another figure, untouched.
    expect((await ledger.listGifts()).find((g) => g.sku === 'GIFT-MUG')!.stock).toBe(50);
    const audits = await stockAudits();
    expect(audits.map((a) => [a.action, a.target, a.outcome, a.before, a.after, a.detail?.reason])).toEqual(
      expect.arrayContaining([
        ['gifts.stock.receive', `${DEMO_STORE_ID}/GIFT-MUG`, 'ok', { stock: null }, { stock: 12 }, '到货 12 只'],
        ['gifts.stock.adjust', `${DEMO_STORE_ID}/GIFT-MUG`, 'ok', { stock: 12 }, { stock: 10 }, '破损'],
      ]),
    );
    expect(new Set(audits.map((a) => a.actorKind))).toEqual(new Set(['staff']));
    expect(audits.map((a) => a.actorId)).toHaveLength(2);
    expect(audits[0]!.actorId).not.toBe(audits[1]!.actorId);
  });

  it('refuses a manager of another store, a cashier, a technician and nobody, with nothing changed or audited', async () => {
    const body = { kind: 'receive', delta: 5, reason: 'delivery' };
    expect((await change(managerB, DEMO_STORE_ID, 'GIFT-MUG', body)).json()).toMatchObject({ error: { code: 'AUTH_FORBIDDEN' } });
    expect((await change(managerB, DEMO_STORE_ID, 'GIFT-MUG', body)).statusCode).toBe(403);
    expect((await change(cashierA, DEMO_STORE_ID, 'GIFT-MUG', body)).statusCode).toBe(403);
    expect((await change(technician, DEMO_STORE_ID, 'GIFT-MUG', body)).statusCode).toBe(403);
    expect((await change(undefined, DEMO_STORE_ID, 'GIFT-MUG', body)).statusCode).toBe(401);
    expect((await read(cashierA)).statusCode).toBe(403);
    expect((await read()).statusCode).toBe(401);
    expect(await stockRows()).toEqual([]);
    expect(await stockAudits()).toEqual([]);
  });

  it('refuses a bad change: below zero, a receipt that takes away, no reason, an unknown gift or store', async () => {
    await change(hq, DEMO_STORE_ID, 'GIFT-MUG', { kind: 'receive', delta: 3, reason: 'delivery' });
    const below = await change(managerA, DEMO_STORE_ID, 'GIFT-MUG', { kind: 'adjust', delta: -4, reason: 'count' });
    expect(below.statusCode).toBe(409);
    expect(below.json()).toMatchObject({ error: { code: 'GIFT_STOCK_NEGATIVE' } });
    expect((await change(hq, DEMO_STORE_ID, 'GIFT-MUG', { kind: 'receive', delta: -1, reason: 'x' })).json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect((await change(hq, DEMO_STORE_ID, 'GIFT-MUG', { kind: 'adjust', delta: 1, reason: ' ' })).statusCode).toBe(400);
    expect((await change(hq, DEMO_STORE_ID, 'GIFT-MUG', { kind: 'adjust', delta: 1.5, reason: 'x' })).statusCode).toBe(400);
    expect((await change(hq, DEMO_STORE_ID, 'no-such-gift', { kind: 'receive', delta: 1, reason: 'x' })).json()).toMatchObject({ error: { code: 'GIFT_UNKNOWN' } });
    expect((await change(hq, 'store-nowhere', 'GIFT-MUG', { kind: 'receive', delta: 1, reason: 'x' })).json()).toMatchObject({ error: { code: 'FLEET_UNKNOWN_STORE' } });
    expect(await stockRows()).toEqual([expect.objectContaining({ storeId: DEMO_STORE_ID, stock: 3 })]);
    expect(await stockAudits()).toHaveLength(1);
  });
});
