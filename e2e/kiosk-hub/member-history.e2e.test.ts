/**
 * The member screen's full history through the kiosk API (GET /api/member/history) against a real hub: a real
 * kiosk (createDevice, real HTTP, real MQTT over TLS) and a real hub (embedded aedes, SQLite, demo data). The kiosk
 * pages the history of the card on its reader, and only that card's: with no card it refuses, a request naming
 * another card or member is refused, and without the hub it says so (the screen keeps the view's recent history).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../core/wire/lookup.ts';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { hqAdminLogin } from '../../hub/testing/staff-actor.ts';
import { postJson } from '../support/http-json.ts';
import { kioskAgainstHub } from '../support/kiosk-against-hub.ts';
import { tapMember } from '../support/kiosk-api.ts';

const DEVICE_ID = 'kiosk-e2e-history';

interface HistoryAnswer {
  entries?: HistoryEntry[];
  next?: string | null;
  error?: { code: string };
}

async function history(apiUrl: string, query = ''): Promise<{ status: number; body: HistoryAnswer }> {
  const response = await fetch(`${apiUrl}/member/history${query}`);
  return { status: response.status, body: (await response.json()) as HistoryAnswer };
}

/** Every page, `limit` at a time, from the newest. */
async function allPages(apiUrl: string, limit: number): Promise<HistoryEntry[][]> {
  const pages: HistoryEntry[][] = [];
  let next: string | null = null;
  do {
    const answer = await history(apiUrl, `?limit=${limit}${next ? `&before=${next}` : ''}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    pages.push(answer.body.entries!);
    next = answer.body.next!;
  } while (next !== null);
  return pages;
}

describe('the member history through the kiosk API against a real hub', () => {
  const rig = kioskAgainstHub('mk-e2e-history-', DEVICE_ID);
  afterEach(() => rig.dispose());

  it('pages the history of the tapped card only: none without a card, never a card or member named in the request, none without the hub', async () => {
    const { apiUrl, hub } = await rig.start();
    const { actor } = await hqAdminLogin(hub.hub.store);
    const bonus = { kind: 'manual_bonus' as const, storeId: 'hq', cardUid: DEMO_CARDS.gold, points: 5, reason: 'complaint', actor };
    for (let i = 0; i < 3; i++) expect((await hub.hub.store.applyHqBatch([bonus, bonus, bonus, bonus])).every((r) => r.status === 'applied')).toBe(true);

    // No card on the reader: no history to show.
    expect(await history(apiUrl)).toMatchObject({ status: 409, body: { error: { code: 'SESSION_NO_CARD' } } });

    await tapMember(apiUrl, DEMO_CARDS.gold);
    const pages = await allPages(apiUrl, 5);
    const gold = (await hub.hub.store.memberViewByCard(DEMO_CARDS.gold, 1000))!;
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.flat().map((e) => e.txId)).toEqual(gold.history.map((e) => e.txId));
    // The default page is 20.
    expect((await history(apiUrl)).body.entries!.map((e) => e.txId)).toEqual(gold.history.slice(0, 20).map((e) => e.txId));

    // Naming another card or member is refused, not served: the kiosk acts for the card on its reader only.
    expect(await history(apiUrl, `?cardUid=${DEMO_CARDS.silver}`)).toMatchObject({ status: 403, body: { error: { code: 'CARD_NOT_ON_READER' } } });
    expect(await history(apiUrl, `?memberId=M0002&limit=5`)).toMatchObject({ status: 403, body: { error: { code: 'CARD_NOT_ON_READER' } } });
    // A cursor is a position, not a key to anyone's history; one the hub never gave is refused.
    expect(await history(apiUrl, '?before=bm90LWEtY3Vyc29y')).toMatchObject({ status: 400, body: { error: { code: 'HISTORY_CURSOR_INVALID' } } });
    expect(await history(apiUrl, '?limit=51')).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });

    // Another member taps: their history, not the previous member's.
    await tapMember(apiUrl, DEMO_CARDS.silver);
    const silver = (await hub.hub.store.memberViewByCard(DEMO_CARDS.silver, 1000))!;
    expect((await allPages(apiUrl, 50)).flat().map((e) => e.txId)).toEqual(silver.history.map((e) => e.txId));

    // The member leaves: nothing to page.
    expect((await postJson(`${apiUrl}/session/reset`, {})).status).toBe(200);
    expect(await history(apiUrl)).toMatchObject({ status: 409, body: { error: { code: 'SESSION_NO_CARD' } } });

    // Without the hub the member is shown from the cache, but the full history is the hub's to give.
    await tapMember(apiUrl, DEMO_CARDS.gold);
    await rig.stopHubAndWaitOffline();
    expect(await history(apiUrl, '?limit=5')).toMatchObject({ status: 503, body: { error: { code: 'HUB_REQUIRED' } } });
  });
});
