/**
 * The soak's tills against a small fake kiosk API (the real one is exercised by `npm run soak`): a top-up waits,
 * unsent, while nobody can sign in; it is posted after a tap, without a card, under the kiosk's staff session;
 * and after a kiosk restart cut it off, the till asks by key instead of posting it under the new session.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_MEMBERS, DEMO_STAFF_CARD } from '../../hub/demo/seed-demo-data.ts';
import { LoadDriver } from './load-driver.ts';
import type { Random } from './random.ts';

/** Every request a top-up: roll 0.1 < 0.2, the first demo member, no double taps, the shortest pauses. */
const topUpsOnly: Random = { next: () => 0.1, int: (min) => min, between: (min) => min, pick: <T>(items: readonly T[]) => items[0] as T };

interface FakeKiosk {
  connected: boolean;
  staffSession: string | null;
  sessions: number;
  starts: number;
  shown: string | null;
  /** Cut off the first post of a transaction after storing it, as a kill mid-request would, and "restart". */
  killAfterFirstPost: boolean;
  byKey: Map<string, { id: string; body: string }>;
  posts: { key: string; body: Record<string, unknown> }[];
}

function fakeKiosk(kiosk: FakeKiosk): Server {
  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const url = req.url ?? '';
      if (url === '/api/state') return json(res, 200, { connected: kiosk.connected, staff: kiosk.staffSession ? { sessionId: kiosk.staffSession, expiresAt: new Date(Date.now() + 600_000).toISOString() } : null });
      if (url === '/api/sim/tap') {
        const member = DEMO_MEMBERS.find((m) => m.card === body.uid);
        kiosk.shown = typeof body.uid === 'string' ? body.uid : null;
        if (body.uid === DEMO_STAFF_CARD) return json(res, 200, { session: kiosk.connected ? { name: 'error', code: 'CARD_IS_STAFF' } : { name: 'error', code: 'CARD_UNKNOWN', offline: true } });
        return json(res, 200, { session: member ? { name: 'member', member: { memberId: member.memberId } } : { name: 'error', code: 'CARD_UNKNOWN' } });
      }
      if (url === '/api/staff/sign-in') {
        if (!kiosk.connected || kiosk.shown !== DEMO_STAFF_CARD) return json(res, 503, { error: { code: 'HUB_UNREACHABLE' } });
        kiosk.sessions += 1;
        kiosk.staffSession = `session-${kiosk.sessions}`;
        return json(res, 200, { staff: { sessionId: kiosk.staffSession } });
      }
      if (url.startsWith('/api/tx/by-key/')) {
        const found = kiosk.byKey.get(decodeURIComponent(url.slice('/api/tx/by-key/'.length)));
        return found ? json(res, 200, { id: found.id, status: 'pending', result: null }) : json(res, 404, { error: { code: 'TX_NOT_FOUND' } });
      }
      if (url === '/api/tx/top-up') {
        const key = String(req.headers['idempotency-key']);
        kiosk.posts.push({ key, body });
        if ('cardUid' in body || 'staffCardUid' in body) return json(res, 403, { error: { code: 'CARD_NOT_ON_READER' } });
        if (!kiosk.staffSession) return json(res, 401, { error: { code: 'STAFF_SESSION_REQUIRED' } });
        // What the real kiosk's key stands for: the body with the card and the actor it adds.
        const request = JSON.stringify({ ...body, cardUid: kiosk.shown, actor: kiosk.staffSession });
        const earlier = kiosk.byKey.get(key);
        if (earlier) return earlier.body === request ? json(res, 202, { id: earlier.id, status: 'queued', replayed: true }) : json(res, 409, { error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
        const id = `TX${kiosk.byKey.size + 1}`;
        kiosk.byKey.set(key, { id, body: request });
        if (kiosk.killAfterFirstPost) {
          kiosk.killAfterFirstPost = false;
          kiosk.starts += 1;
          kiosk.staffSession = null;
          req.socket.destroy();
          return;
        }
        return json(res, 202, { id, status: 'queued' });
      }
      return json(res, 404, { error: { code: 'NOT_FOUND' } });
    });
  });
}

describe('the soak load driver', () => {
  let server: Server | null = null;

  afterEach(async () => {
    await new Promise((r) => server?.close(r) ?? r(undefined));
    server = null;
  });

  async function drive(kiosk: FakeKiosk, untilAnswered: number, whileWaiting?: () => void) {
    server = fakeKiosk(kiosk);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
    const load = new LoadDriver({ kiosks: [{ id: 'k1', apiUrl }], rate: 20, tills: 1, random: topUpsOnly, keyPrefix: 'test', kioskStarts: () => kiosk.starts, attemptTimeoutMs: 2_000 });
    load.start();
    const deadline = Date.now() + 10_000;
    while (load.results().filter((a) => a.outcome !== 'unanswered').length < untilAnswered && Date.now() < deadline) {
      whileWaiting?.();
      await new Promise((r) => setTimeout(r, 20));
    }
    await load.stop(5_000);
    return { load, answers: load.results() };
  }

  it('posts a top-up after a tap, naming no card, under the staff session it opened; while nobody can sign in the till moves on', async () => {
    const kiosk: FakeKiosk = { connected: false, staffSession: null, sessions: 0, starts: 1, shown: null, killAfterFirstPost: false, byKey: new Map(), posts: [] };
    const startedAt = Date.now();
    const { load, answers } = await drive(kiosk, 3, () => {
      if (Date.now() - startedAt > 300) kiosk.connected = true;
    });
    const answered = answers.filter((a) => a.outcome !== 'unanswered');
    expect(answered.every((a) => a.outcome === 'accepted')).toBe(true);
    // Several top-ups were made while the first waited: the till did not block on it.
    expect(answers.filter((a) => a.staffWaits > 0).length).toBeGreaterThan(1);
    expect(load.staff.signIns).toBe(1);
    expect(kiosk.posts.every((p) => !('cardUid' in p.body) && !('staffCardUid' in p.body) && p.body.tender === 'cash')).toBe(true);
    expect(answered.every((a) => a.staffSessions.length === 1 && a.staffSessions[0] === 'session-1')).toBe(true);
  });

  it('after a restart cut a top-up off, finds it by key rather than posting it under the new staff session', async () => {
    const kiosk: FakeKiosk = { connected: true, staffSession: null, sessions: 0, starts: 1, shown: null, killAfterFirstPost: true, byKey: new Map(), posts: [] };
    const { answers } = await drive(kiosk, 1);
    const first = answers[0]!;
    expect(first).toMatchObject({ outcome: 'accepted', ids: ['TX1'], recoveredByKey: true, staffSessions: ['session-1'], replayMismatches: [] });
    expect(first.cutOff).toBeGreaterThanOrEqual(1);
    expect(answers.every((a) => a.outcome !== 'refused')).toBe(true);
    // One post under the first session only: the repost under session-2 would have been IDEMPOTENCY_KEY_REUSED.
    expect(kiosk.posts.filter((p) => p.key === first.request.key)).toHaveLength(1);
  });
});
