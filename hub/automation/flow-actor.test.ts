/**
 * The flows' staff account on a real SQLite ledger with the real identity service: checked at start, its API-token
 * session opened (audited as the system, surface node-red), renewed before it ends and when it was ended, and
 * refused — before anything reaches the ledger — once the account may no longer act.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { seedDemoAutomation, seedDemoData } from '../demo/seed-demo-data.ts';
import { createIdentityService } from '../identity/identity-service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { createFlowActor, FLOW_SESSION_MS, RENEW_BEFORE_MS } from './flow-actor.ts';

const silent = pino({ level: 'silent' });
const system = { kind: 'system', id: 'test', surface: 'cli' } as const;

describe('the flows\' staff account (flow actor)', () => {
  let ledger: Ledger | null = null;
  afterEach(async () => {
    await ledger?.close();
    ledger = null;
  });

  async function setUp(start = Date.parse('2026-03-10T01:00:00.000Z')) {
    ledger = await openLedger({ kind: 'sqlite', path: ':memory:', logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE });
    await seedDemoData(ledger);
    const { flowStaffId } = await seedDemoAutomation(ledger);
    const clock = { now: start };
    const now = () => clock.now;
    const identity = createIdentityService({ store: ledger.identity, logger: silent, now });
    const actorOf = (actAs: string) => createFlowActor({ actAs, identity, staff: ledger!.identity, logger: silent, now });
    return { ledger, clock, identity, flowStaffId, actorOf };
  }

  it('opens an API-token session for the account at start, audited as the system on node-red, and acts with it', async () => {
    const { ledger, flowStaffId, actorOf } = await setUp();
    const actor = actorOf(flowStaffId);
    await actor.start();
    const first = await actor.current();
    expect(first.staffId).toBe(flowStaffId);
    const session = await ledger.identity.sessionById(first.sessionId);
    expect(session).toMatchObject({ staffId: flowStaffId, deviceId: 'hq', kind: 'api_token', endedAt: null });
    const audit = await ledger.identity.auditEntries({ limit: 10, action: 'staff.api_token' });
    expect(audit).toEqual([expect.objectContaining({ actorKind: 'system', actorId: 'node-red', surface: 'node-red', target: flowStaffId, outcome: 'ok' })]);
    // Used again while it is good: the same session, no new token.
    expect(await actor.current()).toEqual(first);
    expect(await ledger.identity.auditEntries({ limit: 10, action: 'staff.api_token' })).toHaveLength(1);
  });

  it('refuses at start an account that is unknown, inactive, of a role that may not give bonuses, or not in every store', async () => {
    const { identity, flowStaffId, actorOf } = await setUp();
    const cashier = await identity.addStaff({ name: 'cashier', role: 'cashier', storeIds: ['*'] }, system);
    const storeBound = await identity.addStaff({ name: 'region of one store', role: 'region_manager', storeIds: ['store-001'] }, system);
    const admin = await identity.addStaff({ name: 'admin', role: 'hq_admin', storeIds: ['*'] }, system);
    for (const actAs of ['S-NOBODY', cashier.staffId, storeBound.staffId]) {
      await expect(actorOf(actAs).start()).rejects.toMatchObject({ code: 'FLOW_ACTOR_INVALID' });
    }
    await identity.setActive(flowStaffId, false, system);
    await expect(actorOf(flowStaffId).start()).rejects.toMatchObject({ code: 'FLOW_ACTOR_INVALID' });
    await expect(actorOf(flowStaffId).current()).rejects.toMatchObject({ code: 'FLOW_ACTOR_INVALID' });
    // An HQ admin of every store may.
    await expect(actorOf(admin.staffId).start()).resolves.toBeUndefined();
  });

  it('renews the session before it ends, and when it was ended (a password set ends every session of an account)', async () => {
    const { ledger, clock, identity, flowStaffId, actorOf } = await setUp();
    const actor = actorOf(flowStaffId);
    await actor.start();
    const first = await actor.current();
    clock.now += FLOW_SESSION_MS - RENEW_BEFORE_MS - 60_000;
    expect(await actor.current()).toEqual(first);
    clock.now += 120_000;
    const second = await actor.current();
    expect(second.sessionId).not.toBe(first.sessionId);
    const renewed = (await ledger.identity.sessionById(second.sessionId))!;
    expect(Date.parse(renewed.expiresAt)).toBe(clock.now + FLOW_SESSION_MS);
    await identity.setSecret(flowStaffId, { password: 'a-long-password-1' }, system);
    const third = await actor.current();
    expect(third.sessionId).not.toBe(second.sessionId);
    expect((await ledger.identity.sessionById(third.sessionId))!.endedAt).toBeNull();
  });

  it('opens one session for calls that arrive together', async () => {
    const { ledger, flowStaffId, actorOf } = await setUp();
    const actor = actorOf(flowStaffId);
    const actors = await Promise.all([actor.current(), actor.current(), actor.current()]);
    expect(new Set(actors.map((a) => a.sessionId)).size).toBe(1);
    expect(await ledger.identity.auditEntries({ limit: 10, action: 'staff.api_token' })).toHaveLength(1);
  });

  it('refuses to act once the account was switched off or its role changed, instead of handing the ledger a session it would refuse', async () => {
    const { identity, flowStaffId, actorOf } = await setUp();
    const actor = actorOf(flowStaffId);
    await actor.start();
    await identity.changeStaff(flowStaffId, { role: 'store_manager' }, system);
    await expect(actor.current()).rejects.toMatchObject({ code: 'FLOW_ACTOR_INVALID' });
    await identity.changeStaff(flowStaffId, { role: 'region_manager' }, system);
    await expect(actor.current()).resolves.toMatchObject({ staffId: flowStaffId });
    await identity.setActive(flowStaffId, false, system);
    await expect(actor.current()).rejects.toMatchObject({ code: 'FLOW_ACTOR_INVALID' });
  });
});
