/**
 * The member screen's data from the hub (issue 13): the member view's next points expiry and tier progress, and the
 * full history page by page (look-up member.history), over a real hub (embedded aedes, SQLite ledger).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { HistoryEntry, LookupResponse, MemberView } from '../../core/wire/lookup.ts';
import type { StaffActor } from '../../core/wire/transaction.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { hqAdminLogin } from '../testing/staff-actor.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

const DEVICE = 'kiosk-history';
const CARD = 'C0FFEE01';
const MEMBER = 'H0001';
const DAY_MS = 86_400_000;

type Page = { entries: HistoryEntry[]; next: string | null };

function pageOf(answer: LookupResponse): Page {
  if (!answer.ok || !('entries' in answer)) throw new Error(`not a history page: ${JSON.stringify(answer)}`);
  return { entries: answer.entries, next: answer.next };
}

/** Newest first: each entry strictly below the one before it by (date, transaction id). */
function expectNewestFirst(entries: HistoryEntry[]): void {
  for (let i = 1; i < entries.length; i++) {
    const [above, below] = [entries[i - 1]!, entries[i]!];
    expect(below.at < above.at || (below.at === above.at && below.txId < above.txId), `${below.at} ${below.txId} below ${above.at} ${above.txId}`).toBe(true);
  }
}

describe('member.history and the member view\'s expiry and tier progress (real aedes, real SQLite)', () => {
  let env: TestHub;
  let device: RawDeviceClient;
  let actor: StaffActor;

  beforeEach(async () => {
    env = await startTestHub();
    device = await RawDeviceClient.connect(env.brokerUrl, DEVICE, await enrolForTest(env, DEVICE, { mode: 'attended' }));
    await env.hub.store.createMember({ memberId: MEMBER, name: '历史', phone: '13900001111', tier: 'standard', homeStoreId: DEMO_STORE_ID, cards: [{ uid: CARD }] });
    actor = (await hqAdminLogin(env.hub.store)).actor;
  });

  afterEach(async () => {
    await device.close();
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  /** HQ bonuses for the member, `size` to a batch: a batch's transactions share one date, so pages must break ties. */
  async function bonuses(size: number, points = 10): Promise<string[]> {
    const results = await env.hub.store.applyHqBatch(Array.from({ length: size }, () => ({ kind: 'manual_bonus' as const, storeId: 'hq', cardUid: CARD, points, reason: 'complaint', actor })));
    for (const result of results) expect(result.status).toBe('applied');
    return results.map((r) => r.id!);
  }

  /** Every transaction the ledger holds for the member, read straight from the file. */
  function ledgerTxIds(): string[] {
    const db = new Database(join(env.dataDir, 'ledger.sqlite'), { readonly: true });
    try {
      return db.prepare<[string], { tx_id: string }>('SELECT tx_id FROM transactions WHERE member_id = ?').all(MEMBER).map((r) => r.tx_id);
    } finally {
      db.close();
    }
  }

  async function page(limit: number, before?: string | null): Promise<Page> {
    return pageOf(await device.lookup({ op: 'member.history', cardUid: CARD, limit, ...(before ? { before } : {}) }));
  }

  it('pages through more than three pages: every transaction exactly once, newest first, ties on one instant kept apart', async () => {
    for (const size of [5, 1, 5, 1, 5]) await bonuses(size);
    const pages: Page[] = [];
    let next: string | null | undefined;
    do {
      pages.push(await page(4, next));
      next = pages.at(-1)!.next;
    } while (next !== null);

    expect(pages.length).toBe(5);
    for (const p of pages) expect(p.entries.length).toBeLessThanOrEqual(4);
    const entries = pages.flatMap((p) => p.entries);
    const ids = entries.map((e) => e.txId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ledgerTxIds().sort());
    expect(ids.length).toBe(17);
    expectNewestFirst(entries);
    expect(entries[0]).toMatchObject({ kind: 'manual_bonus', status: 'applied', pointsDelta: 10, valueDeltaCents: 0, storeId: 'hq' });

    // The member view's recent history is the first page, and its cursor carries on where it stops.
    const viewed = await device.lookup({ op: 'member.byCard', cardUid: CARD });
    const view = (viewed as { member: MemberView }).member;
    expect(view.history.map((e) => e.txId)).toEqual(ids.slice(0, 10));
    expect((await page(5, view.historyNext)).entries.map((e) => e.txId)).toEqual(ids.slice(10, 15));
  });

  it('stays whole when transactions arrive between pages: a newer one is not repeated, a late offline sale dated further back shows once', async () => {
    const started = Date.now();
    for (let i = 0; i < 12; i++) await bonuses(1);
    const first = await page(4);
    const second = await page(4, first.next);

    // Between pages: HQ credits the member now, and a kiosk's offline sale arrives, dated before everything so far.
    const newer = await bonuses(1);
    const late = await device.send(
      device.make(
        { kind: 'purchase', cardUid: CARD, lines: [{ lineNo: 1, sku: 'TEA', category: 'grocery', qty: 1, unitPriceCents: 1_500 }], payments: [{ method: 'cash', amountCents: 1_500 }] },
        { createdAt: new Date(started - 60_000).toISOString() },
      ),
    );
    expect(late.status).toBe('applied');

    const rest: HistoryEntry[] = [];
    let next = second.next;
    while (next !== null) {
      const p = await page(4, next);
      rest.push(...p.entries);
      next = p.next;
    }
    const seen = [...first.entries, ...second.entries, ...rest];
    const ids = seen.map((e) => e.txId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain(newer[0]);
    expect(ids.filter((id) => id === late.id)).toHaveLength(1);
    expect(seen.at(-1)).toMatchObject({ txId: late.id, kind: 'purchase', storeId: DEMO_STORE_ID });
    expectNewestFirst(seen);
    // Everything the ledger holds, but the one newer than the first page: that is the next first page's news.
    expect([...ids, newer[0]].sort()).toEqual(ledgerTxIds().sort());
    expect((await page(1)).entries[0]!.txId).toBe(newer[0]);
  });

  it('answers only for the card\'s own member, refuses a card the member look-up refuses, a cursor it never gave and a page size out of range', async () => {
    await bonuses(3);
    // A member id slipped into the request names nobody: the page is the card's member's.
    const named = pageOf(await device.lookup({ op: 'member.history', cardUid: CARD, limit: 10, memberId: 'M0003' } as never));
    expect([...named.entries.map((e) => e.txId)].sort()).toEqual(ledgerTxIds().sort());
    // A cursor names a position only: another member's entries below it are not this member's.
    const gold = pageOf(await device.lookup({ op: 'member.history', cardUid: DEMO_CARDS.gold, limit: 50 }));
    for (const entry of gold.entries) expect(ledgerTxIds()).not.toContain(entry.txId);

    await expect(device.lookup({ op: 'member.history', cardUid: CARD, limit: 5, before: 'bm90LWEtY3Vyc29y' })).resolves.toMatchObject({ ok: false, code: 'HISTORY_CURSOR_INVALID' });
    await expect(device.lookup({ op: 'member.history', cardUid: CARD, limit: 0 })).resolves.toMatchObject({ ok: false, code: 'REQUEST_MALFORMED' });
    await expect(device.lookup({ op: 'member.history', cardUid: CARD, limit: 51 })).resolves.toMatchObject({ ok: false, code: 'REQUEST_MALFORMED' });
    await expect(device.lookup({ op: 'member.history', cardUid: 'FFFF0000', limit: 5 })).resolves.toMatchObject({ ok: false, code: 'CARD_UNKNOWN' });

    expect((await device.send(device.make({ kind: 'card_report_loss', cardUid: CARD }))).status).toBe('applied');
    await expect(device.lookup({ op: 'member.byCard', cardUid: CARD })).resolves.toMatchObject({ ok: false, code: 'CARD_LOST' });
    await expect(device.lookup({ op: 'member.history', cardUid: CARD, limit: 5 })).resolves.toEqual({ ok: false, code: 'CARD_LOST', message: 'card is lost' });
  });

  it('the member view names the next points expiry and the progress to the next tier, with the figures it came from', async () => {
    const before = Date.now();
    await bonuses(1, 300);
    await bonuses(1, 40);
    const viewed = await device.lookup({ op: 'member.byCard', cardUid: CARD });
    const view = (viewed as { member: MemberView }).member;
    // The default rules: points expire 365 days after earning; both lots expire on the same local day (Shanghai)
    // unless the test ran across local midnight, when the first lot's day holds only its own points.
    const nextAt = Date.parse(view.pointsExpiry!.nextAt);
    expect(nextAt).toBeGreaterThanOrEqual(before + 365 * DAY_MS);
    expect(nextAt).toBeLessThanOrEqual(Date.now() + 365 * DAY_MS);
    expect([340, 300]).toContain(view.pointsExpiry!.points);
    expect(view.tierProgress).toEqual({ current: 'standard', next: 'silver', metric: 'points', have: 340, need: 1000, by: null, periodHave: null });
    expect(view.tierFigures).toEqual({ pointsEarned: 340, spendCents: 0, visits: 0, period: null });

    // No points: nothing expires.
    await env.hub.store.createMember({ memberId: 'H0002', name: '空', phone: '13900002222', tier: 'standard', cards: [{ uid: 'C0FFEE02' }] });
    const empty = (await device.lookup({ op: 'member.byCard', cardUid: 'C0FFEE02' })) as { member: MemberView };
    expect(empty.member.pointsExpiry).toBeNull();
    expect(empty.member.historyNext).toBeNull();
  });
});

describe('the member view\'s tier progress follows the rules the ledger applies to the asking kiosk (real SQLite)', () => {
  it("the kiosk's newest signed snapshot's rules; the hub's newest for a kiosk without one and for HQ's own reads", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mk-history-rules-'));
    const ledger = await openLedger({
      kind: 'sqlite',
      path: join(dir, 'ledger.sqlite'),
      logger: pino({ level: 'silent' }),
      fallbackBundle: DEFAULT_RULES_BUNDLE,
      snapshotRules: (deviceId) => (deviceId === 'kiosk-on-v1' ? 1 : null),
    });
    try {
      await ledger.saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 2, tiers: { ...DEFAULT_RULES_BUNDLE.tiers!, ladder: [{ tier: 'standard', from: 0 }, { tier: 'silver', from: 500 }] } });
      await ledger.createMember({ memberId: 'T1', name: 'T', phone: '13900003333', tier: 'standard', cards: [{ uid: 'C0FFEE03' }] });
      expect((await ledger.memberViewByCard('C0FFEE03', 10, 'kiosk-on-v1'))!.tierProgress).toMatchObject({ next: 'silver', need: 1000 });
      expect((await ledger.memberViewByCard('C0FFEE03', 10, 'kiosk-without-snapshot'))!.tierProgress).toMatchObject({ next: 'silver', need: 500 });
      expect((await ledger.memberViewById('T1'))!.tierProgress).toMatchObject({ need: 500 });
    } finally {
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
