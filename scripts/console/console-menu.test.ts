/**
 * The organisation pages' menu entries (console/src/menu.ts) against the hub's own role checks: a role the menu
 * shows a page to must be one the page's API lets in, and a write the page offers only to HQ is HQ's at the hub.
 * Asked of a real app (Fastify inject, SQLite in memory) so the hub's checks, not a copy of them, decide.
 */
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mayOpen, menuFor, type PageKey } from '../../console/src/menu.ts';
import type { StaffRole } from '../../core/ledger/types.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_STORE_ID, seedDemoData } from '../../hub/demo/seed-demo-data.ts';
import { buildApp } from '../../hub/http/build-app.ts';
import { createIdentityService } from '../../hub/identity/identity-service.ts';
import type { Ledger } from '../../hub/ledger/ledger.ts';
import { openLedger } from '../../hub/ledger/open-ledger.ts';
import { staffAuthorization } from '../../hub/testing/staff-actor.ts';

const ROLES: readonly StaffRole[] = ['hq_admin', 'region_manager', 'store_manager', 'cashier', 'technician'];
/** The call each page makes first: the page is useless to a role this refuses. */
const PAGE_READS: Partial<Record<PageKey, string>> = {
  gifts: '/api/gift-stock',
  'card-types': '/api/card-types',
  'code-batches': '/api/code-batches',
  draws: '/api/draws',
  commission: '/api/commission/schedule',
  settings: '/api/settings/retention',
  messages: '/api/messaging/messages',
};

describe('organisation pages in the menu, matched to the hub', () => {
  let ledger: Ledger;
  let app: FastifyInstance;
  const headers = new Map<StaffRole, { authorization: string }>();

  beforeAll(async () => {
    ledger = await openLedger({ kind: 'sqlite', path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    await seedDemoData(ledger);
    const identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }) });
    app = buildApp({
      store: ledger,
      identity,
      identityStore: ledger.identity,
      brokerUrl: 'mqtt://127.0.0.1:1883',
      giftStock: { giftStock: ledger.giftStock, ledger, rules: ledger },
      cardTypes: { store: ledger, cardFees: ledger.cardFees, rules: ledger },
      codesAndDraws: { codes: ledger.codes, draws: ledger.draws },
      commission: { reads: ledger.commission, rules: ledger },
      retention: { retention: ledger.retention, timezone: async () => 'Asia/Shanghai' },
      receipts: { fleet: { device: () => Promise.resolve(null) }, receipts: ledger.receipts, logger: pino({ level: 'silent' }) },
      messaging: { messages: ledger.messaging, inboundToken: null },
    });
    for (const role of ROLES) headers.set(role, await staffAuthorization(identity, role, role === 'hq_admin' || role === 'region_manager' ? ['*'] : [DEMO_STORE_ID]));
  });
  afterAll(async () => {
    await app.close();
    await ledger.close();
  });

  it('lists the new pages for HQ, the managers who may read them, and no kiosk role', () => {
    expect(menuFor('hq_admin').map((i) => i.key)).toEqual(expect.arrayContaining(['gifts', 'card-types', 'code-batches', 'draws', 'commission']));
    expect(menuFor('store_manager').map((i) => i.key)).toEqual(expect.arrayContaining(['gifts', 'card-types', 'draws']));
    for (const role of ['store_manager', 'region_manager'] as const) {
      expect(mayOpen(role, 'code-batches')).toBe(false);
      expect(mayOpen(role, 'commission')).toBe(false);
    }
    for (const role of ['cashier', 'technician'] as const) for (const page of Object.keys(PAGE_READS) as PageKey[]) expect(mayOpen(role, page)).toBe(false);
  });

  it('shows Privacy & settings to HQ admins only, whom alone the hub lets read and change the rules', async () => {
    expect(ROLES.filter((role) => mayOpen(role, 'settings'))).toEqual(['hq_admin']);
    expect(menuFor('hq_admin').map((i) => i.key)).toContain('settings');
    for (const role of ROLES.filter((r) => r !== 'hq_admin')) {
      expect((await app.inject({ method: 'GET', url: '/api/settings/retention', headers: headers.get(role)! })).statusCode).toBe(403);
    }
  });

  it('shows a page only to roles its API lets in', async () => {
    for (const [page, url] of Object.entries(PAGE_READS) as [PageKey, string][]) {
      for (const role of ROLES) {
        const status = (await app.inject({ method: 'GET', url, headers: headers.get(role)! })).statusCode;
        if (mayOpen(role, page)) expect({ page, role, status }).toEqual({ page, role, status: 200 });
      }
    }
  });

  it('shows Messages, the page and the member page’s section, to exactly the roles the hub lets read them', async () => {
    for (const role of ROLES) {
      for (const url of ['/api/messaging/messages', '/api/messaging/messages?memberId=M0001']) {
        const status = (await app.inject({ method: 'GET', url, headers: headers.get(role)! })).statusCode;
        expect({ role, url, status }).toEqual({ role, url, status: mayOpen(role, 'messages') ? 200 : 403 });
      }
    }
    expect(ROLES.filter((role) => mayOpen(role, 'messages'))).toEqual(['hq_admin', 'region_manager']);
  });

  it('shows Verify receipt to every role the hub lets check a receipt', async () => {
    for (const role of ROLES) {
      const answer = await app.inject({ method: 'POST', url: '/api/receipts/verify', headers: headers.get(role)!, payload: { qr: 'not a receipt code' } });
      // Let in (the code is then refused for what it is), or kept out: the menu must say the same.
      expect({ role, code: answer.json<{ error: { code: string } }>().error.code }).toEqual({ role, code: mayOpen(role, 'receipts') ? 'RECEIPT_QR_MALFORMED' : 'AUTH_FORBIDDEN' });
    }
    expect(ROLES.filter((role) => mayOpen(role, 'receipts'))).toEqual(ROLES);
  });

  it('keeps the writes the pages offer to HQ only HQ’s at the hub', async () => {
    const manager = headers.get('store_manager')!;
    expect((await app.inject({ method: 'POST', url: '/api/code-batches', headers: manager, payload: {} })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/draws', headers: manager, payload: {} })).statusCode).toBe(403);
    expect((await app.inject({ method: 'PUT', url: '/api/staff/anyone/level', headers: manager, payload: { level: 'A' } })).statusCode).toBe(403);
  });
});
