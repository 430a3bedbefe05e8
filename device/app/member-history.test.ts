/**
 * The history use case's own decisions, with the hub played by a fake link and the reader by a settable card (the
 * real kiosk against a real hub: e2e/kiosk-hub/member-history.e2e.test.ts): what it asks, and what it never shows.
 */
import { describe, expect, it } from 'vitest';
import type { LookupRequest, LookupResponse } from '../../core/wire/lookup.ts';
import { createMemberHistory } from './member-history.ts';

const ENTRY = { txId: '01JV0000000000000000000001', kind: 'purchase', at: '2026-05-10T04:00:00.000Z', valueDeltaCents: -500, pointsDelta: 5, status: 'applied' as const };

function rig(answer: (request: LookupRequest) => Promise<LookupResponse | null>) {
  const reader = { card: 'C0FFEE01' as string | null };
  const asked: LookupRequest[] = [];
  const link = { connected: true, isConnected: () => link.connected, lookup: (request: LookupRequest) => (asked.push(request), answer(request)) };
  const history = createMemberHistory({ session: { currentCardUid: () => reader.card }, link, lookupTimeoutMs: 50 });
  return { reader, asked, link, history };
}

describe('member history at the kiosk (fake link, settable reader)', () => {
  it('asks the hub for the card on the reader, with the cursor and page size given', async () => {
    const { asked, history } = rig(async () => ({ ok: true, entries: [ENTRY], next: 'bmV4dA' }));
    await expect(history.page({ before: 'Y3Vyc29y', limit: 7 })).resolves.toEqual({ entries: [ENTRY], next: 'bmV4dA' });
    expect(asked).toEqual([{ op: 'member.history', cardUid: 'C0FFEE01', before: 'Y3Vyc29y', limit: 7 }]);
  });

  it('drops an answer that comes after the card on the reader changed: one member\'s history is never shown to the next', async () => {
    const { reader, history } = rig(async () => {
      reader.card = 'C0FFEE02';
      return { ok: true, entries: [ENTRY], next: null };
    });
    await expect(history.page({ limit: 5 })).rejects.toMatchObject({ code: 'SESSION_NO_CARD' });
  });

  it('refuses a request naming a card or member, no card on the reader, and no hub — asking nothing', async () => {
    const { reader, link, asked, history } = rig(async () => null);
    await expect(history.page({ limit: 5, cardUid: 'C0FFEE09' })).rejects.toMatchObject({ code: 'CARD_NOT_ON_READER' });
    await expect(history.page({ limit: 5, memberId: 'M0001' })).rejects.toMatchObject({ code: 'CARD_NOT_ON_READER' });
    link.connected = false;
    await expect(history.page({ limit: 5 })).rejects.toMatchObject({ code: 'HUB_REQUIRED' });
    reader.card = null;
    await expect(history.page({ limit: 5 })).rejects.toMatchObject({ code: 'SESSION_NO_CARD' });
    expect(asked).toEqual([]);
  });

  it("passes the hub's refusal on with its code, and says HUB_REQUIRED when the hub does not answer", async () => {
    const refused = rig(async () => ({ ok: false, code: 'CARD_LOST', message: 'card is lost' }));
    await expect(refused.history.page({ limit: 5 })).rejects.toMatchObject({ code: 'CARD_LOST' });
    const silent = rig(async () => null);
    await expect(silent.history.page({ limit: 5 })).rejects.toMatchObject({ code: 'HUB_REQUIRED' });
    const other = rig(async () => ({ ok: true, draws: [] }));
    await expect(other.history.page({ limit: 5 })).rejects.toMatchObject({ code: 'LOOKUP_RESPONSE_MALFORMED' });
  });
});
