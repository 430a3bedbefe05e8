/**
 * Redemption codes and points draws over the hub's API, on the real SQLite ledger with real logins: who may do
 * what (generate and define: HQ admins; check a code: any signed-in staff; redeem: staff, member in scope), the
 * journey of a code generated, checked, redeemed once and refused after, and a draw defined, opened, closed
 * and verified. The journal audit runs after each test.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRedemptionCode } from '../../core/codes/redemption-code.ts';
import type { StaffRole } from '../../core/ledger/types.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { seedDemoData } from '../demo/seed-demo-data.ts';
import { createIdentityService, type IdentityService } from '../identity/identity-service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { staffAuthorization } from '../testing/staff-actor.ts';
import { buildApp } from './build-app.ts';

const FUTURE_DAY = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

describe('codes and draws over the hub API (real SQLite, real logins)', () => {
  let ledger: Ledger;
  let identity: IdentityService;
  let app: ReturnType<typeof buildApp>;

  const signedIn = (role: StaffRole, storeIds: string[]) => staffAuthorization(identity, role, storeIds);
  const pointsOf = async (memberId: string) => (await ledger.memberViewById(memberId))!.balances.points;

  beforeEach(async () => {
    ledger = await openLedger({ kind: 'sqlite', path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    await seedDemoData(ledger);
    identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }) });
    app = buildApp({ store: ledger, identity, identityStore: ledger.identity, brokerUrl: 'mqtt://127.0.0.1:1883', codesAndDraws: { codes: ledger.codes, draws: ledger.draws } });
  });

  afterEach(async () => {
    expect(await ledger.audit()).toEqual([]);
    await ledger.close();
  });

  it('a code: generated once by an HQ admin (audited, no code in the log), checked, redeemed once for a member in scope, refused after', async () => {
    const admin = await signedIn('hq_admin', ['*']);
    const cashier = await signedIn('cashier', ['store-001']);
    const elsewhere = await signedIn('store_manager', ['store-999']);
    const body = { name: 'label-tea', sku: 'TEA-500G', points: 100, count: 2, expiresAt: FUTURE_DAY };
    expect((await app.inject({ method: 'POST', url: '/api/code-batches', payload: body })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/code-batches', payload: body, headers: cashier })).json()).toMatchObject({ error: { code: 'AUTH_FORBIDDEN' } });
    const made = await app.inject({ method: 'POST', url: '/api/code-batches', payload: body, headers: admin });
    expect(made.statusCode).toBe(201);
    const { batch, codes } = made.json<{ batch: { batchId: string; expiresAt: string }; codes: string[] }>();
    expect(codes).toHaveLength(2);
    expect(batch.expiresAt).toBe(new Date(Date.parse(`${FUTURE_DAY}T00:00:00.000Z`) + 86_400_000).toISOString());
    expect((await app.inject({ method: 'POST', url: '/api/code-batches', payload: body, headers: admin })).json()).toMatchObject({ error: { code: 'CODE_BATCH_EXISTS' } });
    const log = await ledger.identity.auditEntries({ limit: 100, action: 'codes.generate' });
    expect(log).toEqual([expect.objectContaining({ action: 'codes.generate', target: batch.batchId, detail: expect.objectContaining({ count: 2, points: 100 }) as unknown })]);
    expect(JSON.stringify(log)).not.toContain(codes[0]!.slice(0, 9));
    // The printable list is the CSV the same request gives with Accept: text/csv.
    const csv = await app.inject({ method: 'POST', url: '/api/code-batches', payload: { ...body, name: 'label-tea-csv' }, headers: { ...admin, accept: 'text/csv' } });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toBe('code,batch,sku,points,expires_at');
    expect(csv.body.trim().split('\n')).toHaveLength(3);

    // Any signed-in staff checks a code; nothing is used.
    const verify = (code: string, headers?: { authorization: string }) => app.inject({ method: 'GET', url: `/api/codes/verify?code=${encodeURIComponent(code)}`, ...(headers ? { headers } : {}) });
    expect((await verify(codes[0]!)).statusCode).toBe(401);
    expect((await verify(codes[0]!, cashier)).json()).toMatchObject({ status: 'genuine', batch: { sku: 'TEA-500G', points: 100 } });
    const typo = codes[0]!.slice(0, -1) + (codes[0]!.endsWith('0') ? '1' : '0');
    expect((await verify(typo, cashier)).json()).toMatchObject({ error: { code: 'CODE_CHECK_DIGIT' } });

    // Redeem for a member: a typo never reaches the ledger; a member outside the caller's scope is unknown.
    const redeem = (memberId: string, code: string, headers: { authorization: string }) => app.inject({ method: 'POST', url: `/api/members/${memberId}/code-redeem`, payload: { code }, headers });
    const count = await ledger.transactionCount();
    expect((await redeem('M0003', typo, cashier)).json()).toMatchObject({ error: { code: 'CODE_CHECK_DIGIT' } });
    expect((await redeem('M0003', codes[0]!, elsewhere)).json()).toMatchObject({ error: { code: 'MEMBER_UNKNOWN' } });
    expect(await ledger.transactionCount()).toBe(count);
    const before = await pointsOf('M0003');
    const applied = await redeem('M0003', codes[0]!.toLowerCase(), cashier);
    expect(applied.statusCode).toBe(200);
    expect(applied.json()).toMatchObject({ status: 'applied', outcome: { kind: 'code_redeem', pointsEarned: 100 } });
    expect(await pointsOf('M0003')).toBe(before + 100);
    const used = await redeem('M0001', codes[0]!, admin);
    expect(used.statusCode).toBe(409);
    expect(used.json()).toMatchObject({ status: 'rejected', code: 'CODE_USED' });
    expect((await verify(codes[0]!, cashier)).json()).toMatchObject({ status: 'used' });
    // Staff redemptions are staff transactions: in the audit log with who, where and the balances.
    expect(await ledger.identity.auditEntries({ limit: 10, action: 'tx.code_redeem' })).toHaveLength(2);
    expect(readRedemptionCode(codes[1]!).ok).toBe(true);
  });

  it('a draw: defined and opened by an HQ admin, read by any staff (odds, commitment, no seed), closed with the seed revealed and verified', async () => {
    const admin = await signedIn('hq_admin', ['*']);
    const manager = await signedIn('store_manager', ['store-001']);
    const definition = {
      drawId: 'summer',
      name: 'Summer draw',
      costPoints: 100,
      closesAt: new Date(Date.now() + 86_400_000).toISOString(),
      noPrizeWeight: 60,
      prizes: [{ prizeId: 'mug', name: 'Coffee mug', kind: 'gift', weight: 40, stock: 5 }],
      secondChance: [{ prizeId: 'tv', name: 'Television', count: 1 }],
    };
    expect((await app.inject({ method: 'POST', url: '/api/draws', payload: definition, headers: manager })).json()).toMatchObject({ error: { code: 'AUTH_FORBIDDEN' } });
    expect((await app.inject({ method: 'POST', url: '/api/draws', payload: { ...definition, costPoints: 0 }, headers: admin })).json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    const created = await app.inject({ method: 'POST', url: '/api/draws', payload: definition, headers: admin });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ drawId: 'summer', status: 'draft', totalWeight: 100, seed: null, seedSha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown });
    expect((await app.inject({ method: 'POST', url: '/api/draws/summer/close', headers: admin })).json()).toMatchObject({ error: { code: 'DRAW_BAD_STATE' } });
    expect((await app.inject({ method: 'POST', url: '/api/draws/summer/open', headers: admin })).json()).toMatchObject({ status: 'open' });
    const read = await app.inject({ method: 'GET', url: '/api/draws?status=open', headers: manager });
    expect(read.json()).toMatchObject({ draws: [{ drawId: 'summer', seed: null }] });
    expect((await app.inject({ method: 'GET', url: '/api/draws/summer/entries', headers: manager })).json()).toMatchObject({ error: { code: 'AUTH_FORBIDDEN' } });
    expect((await app.inject({ method: 'GET', url: '/api/draws/summer/verify', headers: admin })).json()).toMatchObject({ error: { code: 'DRAW_BAD_STATE' } });
    const commitment = created.json<{ seedSha256: string }>().seedSha256;
    const closed = await app.inject({ method: 'POST', url: '/api/draws/summer/close', headers: admin });
    expect(closed.json()).toMatchObject({ status: 'closed', seedSha256: commitment, seed: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown });
    expect((await app.inject({ method: 'GET', url: '/api/draws/summer/verify', headers: admin })).json()).toMatchObject({ drawId: 'summer', ok: true, commitmentHolds: true, entriesChecked: 0 });
    expect((await app.inject({ method: 'GET', url: '/api/draws/summer/entries', headers: admin })).json()).toMatchObject({ entries: [], winners: [] });
    const actions = (await ledger.identity.auditEntries({ limit: 20 })).filter((e) => e.action.startsWith('draws.')).map((e) => e.action);
    expect(actions.sort()).toEqual(['draws.close', 'draws.create', 'draws.open']);
    expect((await app.inject({ method: 'GET', url: '/api/draws/nope', headers: manager })).json()).toMatchObject({ error: { code: 'DRAW_UNKNOWN' } });
  });
});
