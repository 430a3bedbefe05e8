/**
 * `points.grant` on a real SQLite ledger file: a manual bonus through the HQ write path with the flows' staff
 * account as the actor, exactly once per idempotency key — asked again, and after the ledger is closed and opened
 * again (a hub restart) — audited, and refused with the ledger's own code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { DEMO_CARDS, seedDemoAutomation, seedDemoData } from '../demo/seed-demo-data.ts';
import { createIdentityService } from '../identity/identity-service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { createFlowActor } from './flow-actor.ts';
import { createPointsGrant } from './grant-points.ts';
import { keyToUlid } from './key-to-ulid.ts';

const silent = pino({ level: 'silent' });

describe('points.grant', () => {
  let ledger: Ledger | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    if (ledger) expect(await ledger.audit()).toEqual([]);
    await ledger?.close();
    ledger = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  async function setUp() {
    dir = mkdtempSync(join(tmpdir(), 'mk-grant-'));
    const path = join(dir, 'ledger.sqlite');
    const open = async () => (ledger = await openLedger({ kind: 'sqlite', path, logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE }));
    const store = await open();
    await seedDemoData(store);
    const { flowStaffId } = await seedDemoAutomation(store);
    const told: TxResult[] = [];
    const grantOn = async (on: Ledger) => {
      const actor = createFlowActor({ actAs: flowStaffId, identity: createIdentityService({ store: on.identity, logger: silent }), staff: on.identity, logger: silent });
      await actor.start();
      return createPointsGrant({ ledger: on, actor, onResult: (_body, result) => told.push(result) });
    };
    return { store, open, told, flowStaffId, grant: await grantOn(store), grantOn };
  }
  const points = async (store: Ledger, memberId: string) => (await store.member(memberId))!.points;

  it('grants once per key: asked again, and after a restart, it answers already-granted and the balance moves once', async () => {
    const { store, open, told, flowStaffId, grant, grantOn } = await setUp();
    const before = await points(store, 'M0003');
    const params = { memberId: 'M0003', points: 200, reason: '生日快乐 birthday', idempotencyKey: 'birthday:M0003:2026' };
    const first = await grant(params);
    expect(first).toEqual({ status: 'granted', txId: keyToUlid('points.grant', 'birthday:M0003:2026'), points: 200 });
    expect(await grant(params)).toEqual({ ...first, status: 'already-granted' });
    expect(await points(store, 'M0003')).toBe(before + 200);
    // Only the grant itself is told as a ledger result, not the repeat.
    expect(told.map((r) => [r.id, r.status])).toEqual([[first.txId, 'applied']]);
    // Audited like a person's manual bonus: the flows' account, its session, HQ's surface.
    const [entry] = await store.identity.auditEntries({ limit: 1, action: 'tx.manual_bonus' });
    expect(entry).toMatchObject({ actorKind: 'staff', actorId: flowStaffId, surface: 'hub', target: 'M0003', outcome: 'applied', detail: { txId: first.txId, storeId: 'hq' } });

    await store.close();
    const reopened = await open();
    const again = await grantOn(reopened);
    expect(await again(params)).toEqual({ ...first, status: 'already-granted' });
    expect(await points(reopened, 'M0003')).toBe(before + 200);
    const history = (await reopened.memberViewByCard(DEMO_CARDS.gold, 50))!.history.filter((h) => h.kind === 'manual_bonus');
    expect(history).toEqual([expect.objectContaining({ txId: first.txId, pointsDelta: 200, status: 'applied' })]);
  });

  it('refuses a key already used for another member or another number of points, granting nothing', async () => {
    const { store, grant } = await setUp();
    await grant({ memberId: 'M0003', points: 200, reason: 'birthday', idempotencyKey: 'k-1' });
    const before = [await points(store, 'M0002'), await points(store, 'M0003')];
    await expect(grant({ memberId: 'M0002', points: 200, reason: 'birthday', idempotencyKey: 'k-1' })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    await expect(grant({ memberId: 'M0003', points: 300, reason: 'birthday', idempotencyKey: 'k-1' })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect([await points(store, 'M0002'), await points(store, 'M0003')]).toEqual(before);
  });

  it('refuses parameters out of bounds with FLOW_PARAMS_INVALID, and an unknown member with MEMBER_UNKNOWN, recording nothing', async () => {
    const { store, grant } = await setUp();
    const count = await store.transactionCount();
    const good = { memberId: 'M0003', points: 10, reason: 'thanks', idempotencyKey: 'k' };
    for (const bad of [
      { ...good, points: 0 },
      { ...good, points: 100_001 },
      { ...good, points: 1.5 },
      { ...good, reason: '   ' },
      { ...good, reason: 'x'.repeat(201) },
      { ...good, idempotencyKey: '' },
      { ...good, idempotencyKey: 'k'.repeat(129) },
      { ...good, memberId: undefined },
      null,
      'grant me',
    ]) {
      await expect(grant(bad)).rejects.toMatchObject({ code: 'FLOW_PARAMS_INVALID' });
    }
    await expect(grant({ ...good, memberId: 'M9999' })).rejects.toMatchObject({ code: 'MEMBER_UNKNOWN' });
    expect(await store.transactionCount()).toBe(count);
    // The bounds themselves are good.
    await expect(grant({ ...good, points: 100_000, reason: 'x'.repeat(200), idempotencyKey: 'k'.repeat(128) })).resolves.toMatchObject({ status: 'granted' });
  });

  it("throws the ledger's refusal with its code, and the same refusal for the same key later (recorded once)", async () => {
    const { store, told, grant } = await setUp();
    await store.saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 2, manualBonus: { maxPoints: 500 } });
    const before = await points(store, 'M0003');
    const params = { memberId: 'M0003', points: 600, reason: 'too generous', idempotencyKey: 'big-1' };
    await expect(grant(params)).rejects.toMatchObject({ code: 'MANUAL_BONUS_OVER_MAX' });
    const count = await store.transactionCount();
    await expect(grant(params)).rejects.toMatchObject({ code: 'MANUAL_BONUS_OVER_MAX', message: expect.stringContaining('first asked') });
    expect(await store.transactionCount()).toBe(count);
    expect(await points(store, 'M0003')).toBe(before);
    expect(told.map((r) => [r.status, r.code])).toEqual([['rejected', 'MANUAL_BONUS_OVER_MAX']]);
  });
});
