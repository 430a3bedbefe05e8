/**
 * Redemption codes and points draws end to end: a real kiosk (createDevice, real HTTP, real MQTT over TLS)
 * against a real hub (embedded aedes, SQLite, demo data). The member on screen checks a label's code, mistypes
 * it, redeems it once and is refused the second time; enters a points draw and gets the prize the seed gives for
 * that transaction id; and once the hub is gone, the kiosk refuses both (HUB_REQUIRED) with nothing queued.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { instantOutcome } from '../../core/draws/draw-outcome.ts';
import { generateCodeBatch } from '../../hub/codes/code-batches.ts';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { createDraw, verifyDraw } from '../../hub/draws/draw-admin.ts';
import { getJson, postJson } from '../support/http-json.ts';
import { kioskAgainstHub } from '../support/kiosk-against-hub.ts';
import { tapMember } from '../support/kiosk-api.ts';

const DEVICE_ID = 'kiosk-e2e-codes';
const SEED = '5eed'.repeat(16);

interface TxAnswer {
  id: string;
  status: string;
  result?: { status: string; code?: string; outcome?: { pointsEarned: number; pointsSpent: number; balances: { points: number }; trace: string[]; draw?: { drawId: string; prize: { prizeId: string } | null } } };
}
interface ErrorBody {
  error: { code: string };
}

describe('codes and draws through the kiosk API against a real hub', () => {
  const rig = kioskAgainstHub('mk-e2e-codes-', DEVICE_ID);
  afterEach(() => rig.dispose());

  it('a label code: checked as genuine, a typo refused on the kiosk, redeemed once for 100 points, refused after; offline nothing is queued', async () => {
    const { apiUrl, hub } = await rig.start();
    // The seeds' product bonus: 购买该产品…额外赠送100积分 — 100 points on the label of a tea.
    const { codes } = await generateCodeBatch(hub.hub.store.codes, { name: 'label-tea', sku: 'TEA-500G', points: 100, count: 2, expiresAt: new Date(Date.now() + 86_400_000).toISOString() }, 'test');
    const [code, spare] = codes as [string, string];
    const before = await tapMember(apiUrl, DEMO_CARDS.gold);

    const checked = await postJson<{ code: { status: string; sku: string; points: number } }>(`${apiUrl}/codes/verify`, { code });
    expect(checked).toMatchObject({ status: 200, body: { code: { status: 'genuine', sku: 'TEA-500G', points: 100 } } });

    const typo = code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');
    const refused = await postJson<ErrorBody>(`${apiUrl}/tx/code-redeem`, { code: typo });
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 'CODE_CHECK_DIGIT' } } });
    const named = await postJson<ErrorBody>(`${apiUrl}/tx/code-redeem`, { code, cardUid: DEMO_CARDS.silver });
    expect(named).toMatchObject({ status: 403, body: { error: { code: 'CARD_NOT_ON_READER' } } });
    expect(await getJson(`${apiUrl}/state`)).toMatchObject({ outboxDepth: 0 });
    expect(await hub.hub.store.consumedSeqs(DEVICE_ID)).toBe(0);

    const redeemed = await postJson<TxAnswer>(`${apiUrl}/tx/code-redeem`, { code: code.toLowerCase().replace(/-/g, ' ') });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body).toMatchObject({ status: 'applied', result: { outcome: { pointsEarned: 100, trace: ['code TEA-500G (label-tea): +100'] } } });
    expect(redeemed.body.result!.outcome!.balances.points).toBe(before.member!.balances.points! + 100);
    const again = await postJson<TxAnswer>(`${apiUrl}/tx/code-redeem`, { code });
    expect(again.body).toMatchObject({ status: 'rejected', result: { code: 'CODE_USED' } });
    expect((await postJson(`${apiUrl}/codes/verify`, { code })).body).toMatchObject({ code: { status: 'used' } });
    expect((await hub.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances.points).toBe(before.member!.balances.points! + 100);
    expect(await getJson(`${apiUrl}/state`)).toMatchObject({ outboxDepth: 0 });

    // The hub goes away: the member is still on screen, but codes are decided at the hub only.
    expect(await hub.hub.store.audit()).toEqual([]);
    await rig.stopHubAndWaitOffline();
    expect(await postJson<ErrorBody>(`${apiUrl}/tx/code-redeem`, { code: spare })).toMatchObject({ status: 503, body: { error: { code: 'HUB_REQUIRED' } } });
    expect(await postJson<ErrorBody>(`${apiUrl}/codes/verify`, { code: spare })).toMatchObject({ status: 503, body: { error: { code: 'HUB_REQUIRED' } } });
    expect(await getJson(`${apiUrl}/state`)).toMatchObject({ outboxDepth: 0 });
  });

  it('a points draw: listed with its odds, entered for the cost, won as the seed says for that transaction id; offline not offered', async () => {
    const { apiUrl, hub } = await rig.start();
    const draws = hub.hub.store.draws;
    await createDraw(draws, {
      drawId: 'spring',
      name: 'Spring draw 春季抽奖',
      costPoints: 100,
      closesAt: new Date(Date.now() + 86_400_000).toISOString(),
      noPrizeWeight: 60,
      prizes: [
        { prizeId: 'mug', name: 'Coffee mug', kind: 'gift', weight: 10, stock: 5 },
        { prizeId: 'p50', name: '50 points', kind: 'points', points: 50, weight: 30, stock: 100 },
      ],
      secondChance: [{ prizeId: 'tv', name: 'Television', count: 1 }],
    }, 'test', { seedHex: SEED });
    await tapMember(apiUrl, DEMO_CARDS.gold);
    expect(await getJson<{ draws: unknown[] }>(`${apiUrl}/draws`)).toEqual({ draws: [] });
    await draws.openDraw('spring', new Date().toISOString());
    const offered = await getJson<{ draws: { drawId: string; costPoints: number; totalWeight: number; prizes: { prizeId: string; weight: number; stockLeft: number }[] }[] }>(`${apiUrl}/draws`);
    expect(offered.draws).toEqual([expect.objectContaining({ drawId: 'spring', costPoints: 100, totalWeight: 100 })]);

    const stock = new Map([['mug', 5], ['p50', 100]]);
    for (let i = 0; i < 3; i++) {
      const before = (await hub.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances.points;
      const entered = await postJson<TxAnswer>(`${apiUrl}/tx/draw-enter`, { drawId: 'spring' });
      expect(entered.status).toBe(200);
      expect(entered.body).toMatchObject({ status: 'applied', result: { outcome: { pointsSpent: 100 } } });
      const expected = instantOutcome(SEED, entered.body.id, [...stock].map(([prizeId, left]) => ({ prizeId, weight: prizeId === 'mug' ? 10 : 30, stockLeft: left })), 60);
      if (expected.prizeId) stock.set(expected.prizeId, stock.get(expected.prizeId)! - 1);
      expect(entered.body.result!.outcome!.draw).toEqual({ drawId: 'spring', prize: expected.prizeId === null ? null : expect.objectContaining({ prizeId: expected.prizeId }) });
      const won = expected.prizeId === 'p50' ? 50 : 0;
      expect((await hub.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances.points).toBe(before - 100 + won);
    }
    await draws.closeDraw('spring', new Date().toISOString());
    expect(await verifyDraw(draws, 'spring')).toMatchObject({ ok: true, entriesChecked: 3 });
    expect((await postJson<TxAnswer>(`${apiUrl}/tx/draw-enter`, { drawId: 'spring' })).body).toMatchObject({ status: 'rejected', result: { code: 'DRAW_CLOSED' } });

    expect(await hub.hub.store.audit()).toEqual([]);
    await rig.stopHubAndWaitOffline();
    expect(await postJson<ErrorBody>(`${apiUrl}/tx/draw-enter`, { drawId: 'spring' })).toMatchObject({ status: 503, body: { error: { code: 'HUB_REQUIRED' } } });
    const list = await fetch(`${apiUrl}/draws`);
    expect(list.status).toBe(503);
    expect(await getJson(`${apiUrl}/state`)).toMatchObject({ outboxDepth: 0 });
  });
});
