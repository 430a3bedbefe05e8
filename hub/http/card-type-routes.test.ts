/**
 * Card types and fees over the hub's HTTPS API (real hub, real TLS, real SQLite, real logins): the types of the
 * hub's rules, a gold card (金卡) issued on a member's accounts by a cashier of the member's store, its validity
 * extended and a repair paid in cash, the fee report per store; attackers (another store's manager, a technician,
 * a forged or missing token, a made-up fee) get nothing. The journal audit after each test.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleWithCardTypes } from '../../core/ledger/test-support/card-types-bundle.ts';
import { DEMO_CARDS } from '../demo/seed-demo-data.ts';
import { hubHttps } from '../testing/hub-https.ts';
import { demoStoreStaffTokens } from '../testing/staff-actor.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

const GOLD_UID = '0C0FFEE00011';

describe('card types and fees over the hub API (real hub over HTTPS)', () => {
  let env: TestHub;
  const call = (method: string, path: string, token: string | undefined, body?: unknown) => hubHttps(env, method, path, { ...(token ? { token } : {}), ...(body === undefined ? {} : { body }) });
  let admin: string;
  let cashier: string;
  let manager: string;
  let otherManager: string;
  let technician: string;
  const startedAt = new Date(Date.now() - 60_000).toISOString();

  beforeAll(async () => {
    env = await startTestHub();
    const store = env.hub.store;
    await store.saveRulesBundle({ ...bundleWithCardTypes(), version: 2 });
    const staffs = await demoStoreStaffTokens(store);
    ({ admin, cashier, manager, otherManager } = staffs);
    technician = await staffs.token('technician', ['*']);
  });
  afterAll(async () => {
    await env.dispose();
  });
  afterEach(async () => {
    expect(await env.hub.store.audit()).toEqual([]);
  });

  it('lists the card types of the hub’s rules to staff; nobody else', async () => {
    const listed = await call('GET', '/api/card-types', cashier);
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ rulesVersion: 2, default: 'plain' });
    expect((listed.body.types as { typeId: string; label: string }[]).map((t) => [t.typeId, t.label])).toEqual([
      ['plain', '普通卡'],
      ['gold', '金卡'],
      ['supp', '附属卡'],
    ]);
    expect((await call('GET', '/api/card-types', undefined)).status).toBe(401);
    expect((await call('GET', '/api/card-types', 'forged-token-0000000000000000')).status).toBe(401);
    expect((await call('GET', '/api/card-types', technician)).status).toBe(403);
  });

  it('a cashier issues Li Wei a gold card for the schedule’s ¥70; a made-up fee, another store and a technician are refused', async () => {
    const issue = (token: string | undefined, body: Record<string, unknown>) => call('POST', '/api/members/M0001/cards', token, body);
    const made_up = await issue(cashier, { newCardUid: GOLD_UID, cardTypeId: 'gold', feeCents: 2_000 });
    expect(made_up).toMatchObject({ status: 409, body: { status: 'rejected', code: 'FEE_MISMATCH', recorded: true } });
    expect((await issue(otherManager, { newCardUid: GOLD_UID, cardTypeId: 'gold' })).status).toBe(404);
    expect((await issue(technician, { newCardUid: GOLD_UID, cardTypeId: 'gold' })).status).toBe(403);
    expect((await issue(undefined, { newCardUid: GOLD_UID, cardTypeId: 'gold' })).status).toBe(401);
    expect((await issue(cashier, { newCardUid: GOLD_UID, cardTypeId: 'platinum' })).body).toMatchObject({ code: 'CARD_TYPE_UNKNOWN' });
    expect((await issue(cashier, { newCardUid: GOLD_UID, cardTypeId: 'gold', feeTender: 'cheque' })).status).toBe(400);

    const issued = await issue(cashier, { newCardUid: GOLD_UID, cardTypeId: 'gold', feeTender: 'stored_value', feeCents: 7_000, actor: { staffId: 'someone-else', sessionId: 'forged-session-000' } });
    expect(issued).toMatchObject({ status: 200, body: { status: 'applied' } });
    const view = (await env.hub.store.memberViewByCard(GOLD_UID))!;
    // ¥200 principal − ¥20 issue − ¥50 first annual fee; the gold type lifts Li Wei to gold.
    expect(view.balances.storedValueCents).toBe(13_000);
    expect(view.tier).toBe('gold');
    expect(view.card).toMatchObject({ uid: GOLD_UID, status: 'active', cardType: 'gold', cardTypeLabel: '金卡', holderName: null });
    // Every card on her accounts: the demo card (the default type, 普通卡) and the new gold card.
    expect(view.cards?.map((c) => [c.uid, c.cardTypeLabel])).toEqual([
      [DEMO_CARDS.standard, '普通卡'],
      [GOLD_UID, '金卡'],
    ]);
    expect(view.card.validUntil).not.toBeNull();
    // The same UID again is refused.
    expect((await issue(cashier, { newCardUid: GOLD_UID, cardTypeId: 'gold' })).body).toMatchObject({ code: 'CARD_ALREADY_EXISTS' });
  });

  it('extends and repairs the gold card for the schedule’s fees; another store’s manager finds no such card', async () => {
    const before = (await env.hub.store.card(GOLD_UID))!;
    const extended = await call('POST', `/api/cards/${GOLD_UID}/service`, manager, { service: 'extend', feeCents: 3_000 });
    expect(extended).toMatchObject({ status: 200, body: { status: 'applied' } });
    const after = (await env.hub.store.card(GOLD_UID))!;
    expect(after.validUntil! > before.validUntil!).toBe(true);
    expect(Date.parse(after.validUntil!) - Date.parse(before.validUntil!)).toBeGreaterThan(364 * 86_400_000);
    const repaired = await call('POST', `/api/cards/${GOLD_UID}/service`, cashier, { service: 'repair', feeTender: 'cash' });
    expect(repaired).toMatchObject({ status: 200, body: { status: 'applied' } });
    expect(await call('POST', `/api/cards/${GOLD_UID}/service`, otherManager, { service: 'repair', feeTender: 'cash' })).toMatchObject({ status: 404, body: { error: { code: 'CARD_UNKNOWN' } } });
    expect((await call('POST', '/api/cards/0C0FFEE0FFFF/service', admin, { service: 'repair' })).status).toBe(404);
    expect((await call('POST', `/api/cards/${GOLD_UID}/service`, cashier, { service: 'polish' })).status).toBe(400);
    expect((await env.hub.store.memberViewById('M0001'))!.balances.storedValueCents).toBe(10_000);
  });

  it('reports the fees per fee and tender to the store’s manager and HQ; another store sees none, a cashier may not read it', async () => {
    const to = new Date(Date.now() + 60_000).toISOString();
    const path = `/api/reports/fees?from=${startedAt}&to=${to}`;
    const expected = [
      { feeKind: 'annual', tender: 'stored_value', count: 1, cents: 5_000 },
      { feeKind: 'extend', tender: 'stored_value', count: 1, cents: 3_000 },
      { feeKind: 'issue', tender: 'stored_value', count: 1, cents: 2_000 },
      { feeKind: 'repair', tender: 'cash', count: 1, cents: 500 },
    ];
    expect(await call('GET', path, manager)).toMatchObject({ status: 200, body: { rows: expected, totalCents: 10_500 } });
    expect((await call('GET', path, admin)).body).toMatchObject({ rows: expected, totalCents: 10_500 });
    expect((await call('GET', path, otherManager)).body).toMatchObject({ rows: [], totalCents: 0 });
    expect((await call('GET', path, cashier)).status).toBe(403);
    expect((await call('GET', '/api/reports/fees?from=yesterday', manager)).status).toBe(400);
  });
});
