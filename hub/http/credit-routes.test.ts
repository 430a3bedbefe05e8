/**
 * Credit (赊账) over the hub's HTTPS API (real hub, real TLS, real SQLite, real logins): HQ sets a limit, a credit
 * sale is made, staff of the member's store read the statement and take a repayment; a cashier may not set a
 * limit, a store manager of another store sees nothing and can repay nothing, a card return waits until nothing
 * is owed. The journal audit after each test.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_CARDS } from '../demo/seed-demo-data.ts';
import { hubHttps } from '../testing/hub-https.ts';
import { demoStoreStaffTokens } from '../testing/staff-actor.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';
import { demoCreditSale } from '../testing/demo-credit-sale.ts';

describe('credit over the hub API (real hub over HTTPS)', () => {
  let env: TestHub;
  const call = (method: string, path: string, token: string, body?: unknown) => hubHttps(env, method, path, { token, ...(body === undefined ? {} : { body }) });
  let admin: string;
  let cashier: string;
  let manager: string;
  let otherManager: string;
  let otherRegionManager: string;

  beforeAll(async () => {
    env = await startTestHub();
    const store = env.hub.store;
    await store.saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 2, credit: { graceDays: 20, warnAtShare: '0.8', lateFeeCents: 1_000, interestBpPerMonth: 150 } });
    const staffs = await demoStoreStaffTokens(store);
    ({ admin, cashier, manager, otherManager } = staffs);
    otherRegionManager = await staffs.token('region_manager', ['store-998']);
  });
  afterAll(async () => {
    await env.dispose();
  });
  afterEach(async () => {
    expect(await env.hub.store.audit()).toEqual([]);
  });

  it('HQ sets a ¥500 limit (audited); a cashier may not, staff elsewhere do not see the member', async () => {
    expect((await call('PUT', '/api/members/M0001/credit-limit', cashier, { limitCents: 9_999_999 })).status).toBe(403);
    expect((await call('PUT', '/api/members/M0001/credit-limit', otherRegionManager, { limitCents: 9_999_999 })).status).toBe(404);
    expect((await call('PUT', '/api/members/M0001/credit-limit', admin, { limitCents: -1 })).status).toBe(400);
    const set = await call('PUT', '/api/members/M0001/credit-limit', admin, { limitCents: 50_000 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ memberId: 'M0001', offered: true, ownLimitCents: 50_000, status: { owedCents: 0, limitCents: 50_000, availableCents: 50_000, warning: null } });
    const audit = await env.hub.store.identity.auditEntries({ limit: 5, action: 'member.credit_limit' });
    expect(audit[0]).toMatchObject({ target: 'M0001', outcome: 'ok', before: { limitCents: 0 }, after: { limitCents: 50_000 } });
    expect((await call('GET', '/api/members/M0001/credit', otherManager)).status).toBe(404);
  });

  it('a ¥450 credit sale, read as near the limit; repaid ¥150 by a cashier; too much and another store refused; no card return while owed', async () => {
    const sale = await env.hub.store.applyHq(demoCreditSale('TV-32', 45_000));
    expect(sale.status).toBe('applied');
    const read = await call('GET', '/api/members/M0001/credit', manager);
    expect(read.status).toBe(200);
    expect(read.body.status).toEqual({ owedCents: 45_000, limitCents: 50_000, availableCents: 5_000, warnings: ['near_limit'], warning: 'near_limit' });
    expect((read.body.statements as unknown[])[0]).toMatchObject({ chargesCents: 45_000, closingCents: 45_000, status: 'open' });
    // The member view (the console's) and the kiosk look-up's view carry the same credit line for the screens.
    const line = { owedCents: 45_000, limitCents: 50_000, availableCents: 5_000, warning: 'near_limit' };
    expect((await call('GET', '/api/members/M0001', manager)).body.credit).toEqual(line);
    expect((await env.hub.store.memberViewByCard(DEMO_CARDS.standard))?.credit).toEqual(line);

    expect((await call('POST', '/api/members/M0001/credit-repay', otherManager, { amountCents: 100, tender: 'cash' })).status).toBe(404);
    const tooMuch = await call('POST', '/api/members/M0001/credit-repay', cashier, { amountCents: 45_001, tender: 'cash' });
    expect(tooMuch).toMatchObject({ status: 409, body: { status: 'rejected', code: 'CREDIT_REPAY_TOO_MUCH' } });
    expect((await call('POST', '/api/members/M0001/credit-repay', cashier, { amountCents: 100, tender: 'cheque' })).status).toBe(400);
    const repaid = await call('POST', '/api/members/M0001/credit-repay', cashier, { amountCents: 15_000, tender: 'cash' });
    expect(repaid).toMatchObject({ status: 200, body: { status: 'applied' } });
    // A cashier takes repayments but, as for every member read at the hub, does not read the statements.
    expect((await call('GET', '/api/members/M0001/credit', cashier)).status).toBe(403);
    expect((await call('GET', '/api/members/M0001/credit', manager)).body.status).toMatchObject({ owedCents: 30_000, warning: null });

    const returned = await call('POST', '/api/members/M0001/card-return', admin, { refundTender: 'cash' });
    expect(returned).toMatchObject({ status: 409, body: { code: 'CARD_RETURN_BALANCE_OWED' } });
    // Repaid out of stored value (the demo member holds ¥200): then nothing is owed, and the card can be returned.
    expect((await call('POST', '/api/members/M0001/credit-repay', manager, { amountCents: 20_000, tender: 'stored_value' })).body).toMatchObject({ status: 'applied' });
    expect((await call('POST', '/api/members/M0001/credit-repay', manager, { amountCents: 10_000, tender: 'bank_card' })).body).toMatchObject({ status: 'applied' });
    expect((await call('GET', '/api/members/M0001/credit', manager)).body.status).toMatchObject({ owedCents: 0, availableCents: 50_000 });
    expect((await call('POST', '/api/members/M0001/card-return', admin, { refundTender: 'cash' })).body).toMatchObject({ status: 'applied' });
  });
});
