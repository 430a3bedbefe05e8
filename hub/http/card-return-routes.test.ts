/**
 * Card return (退卡) through the hub API over the real SQLite ledger and real logins: scope, role, the return
 * itself and the card dead afterwards; the journal audit after each test.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StaffRole } from '../../core/ledger/types.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { createIdentityService, type IdentityService } from '../identity/identity-service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { staffAuthorization } from '../testing/staff-actor.ts';
import { buildApp } from './build-app.ts';

describe('POST /api/members/:memberId/card-return (real SQLite, real logins)', () => {
  let ledger: Ledger;
  let identity: IdentityService;
  let app: ReturnType<typeof buildApp>;

  const signedIn = (role: StaffRole, storeIds: string[]) => staffAuthorization(identity, role, storeIds);
  const cardReturn = (memberId: string, headers: { authorization: string }, payload: Record<string, string> = { refundTender: 'cash' }) =>
    app.inject({ method: 'POST', url: `/api/members/${memberId}/card-return`, headers, payload });

  beforeEach(async () => {
    ledger = await openLedger({ kind: 'sqlite', path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    await seedDemoData(ledger);
    identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }) });
    app = buildApp({ store: ledger, identity, identityStore: ledger.identity, brokerUrl: 'mqtt://127.0.0.1:1883' });
  });

  afterEach(async () => {
    expect(await ledger.audit()).toEqual([]);
    await app.close();
    await ledger.close();
  });

  it('HQ returns Wang Fang\'s card: ¥500 paid back in cash, points kept, the card then refused', async () => {
    const admin = { authorization: `Bearer ${(await identity.login(DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, 'hub')).token}` };
    const before = (await ledger.memberViewById('M0002'))!;
    expect(before.balances).toMatchObject({ storedValueCents: 50_000, bonusValueCents: 0 });

    const res = await cardReturn('M0002', admin);
    expect(res.statusCode).toBe(200);
    const result = res.json<TxResult>();
    expect(result.status).toBe('applied');
    expect(result.outcome?.trace).toEqual(['card returned: 50000 cents paid back by cash', `points kept: ${before.balances.points}`]);
    const after = (await ledger.memberViewById('M0002'))!;
    expect(after.balances).toEqual({ storedValueCents: 0, bonusValueCents: 0, points: before.balances.points });
    expect(after.card.status).toBe('cancelled');

    const again = await cardReturn('M0002', admin);
    expect(again.statusCode).toBe(409);
    expect(again.json<TxResult>()).toMatchObject({ status: 'rejected', code: 'CARD_BAD_STATE', recorded: true });
  });

  it('a cashier may not (recorded refusal); staff of another store do not see the member; a bad tender is TX_INVALID', async () => {
    const cashier = await signedIn('cashier', [DEMO_STORE_ID]);
    const refused = await cardReturn('M0001', cashier);
    expect(refused.json<TxResult>()).toMatchObject({ status: 'rejected', code: 'STAFF_UNAUTHORIZED', recorded: true });
    expect(refused.statusCode).toBe(403);

    const otherManager = await signedIn('store_manager', ['store-999']);
    const hidden = await cardReturn('M0001', otherManager);
    expect(hidden.statusCode).toBe(404);

    const manager = await signedIn('store_manager', [DEMO_STORE_ID]);
    expect((await cardReturn('M0001', manager, { refundTender: 'cheque' })).statusCode).toBe(400);
    expect((await ledger.memberViewById('M0001'))!.card.status).toBe('active');

    const byManager = await cardReturn('M0001', manager, { refundTender: 'bank_transfer' });
    expect(byManager.json<TxResult>()).toMatchObject({ status: 'applied' });
    expect((await ledger.memberViewById('M0001'))!.balances.storedValueCents).toBe(0);
  });
});
