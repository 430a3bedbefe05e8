import type { Logger } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { MemberView } from '../../core/wire/lookup.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { buildApp, type HubAppDeps } from './build-app.ts';

/** The hub's API over a store that knows one member (M-1) and answers manual bonuses with `result`. */
function appWith(result: Partial<TxResult>, overrides: Partial<HubAppDeps['store']> = {}) {
  const member = { memberId: 'M-1', card: { uid: '04A1B2C3D4' } } as unknown as MemberView;
  const store: HubAppDeps['store'] = {
    transactionCount: async () => 0,
    audit: async () => [],
    memberViewById: async (id) => (id === 'M-1' ? member : null),
    applyHq: async () => ({ id: 'TX1', seq: 1, ...result }) as TxResult,
    ...overrides,
  };
  const logger = { error: vi.fn() };
  return { app: buildApp({ store, brokerUrl: 'mqtt://127.0.0.1:1883', memberIds: async () => ['M-1'], logger: logger as unknown as Logger }), logger };
}

const bonus = { points: 300, reason: 'complaint', staffCardUid: 'AAAA1111' };

describe('hub HTTP API errors', () => {
  it("answers every refusal as {error: {code, message}} with the registry's status", async () => {
    const { app } = appWith({ status: 'applied' });
    const cases = [
      { res: await app.inject({ method: 'GET', url: '/api/members/NOBODY' }), status: 404, code: 'MEMBER_UNKNOWN' },
      { res: await app.inject({ method: 'POST', url: '/api/members/NOBODY/manual-bonus', payload: bonus }), status: 404, code: 'MEMBER_UNKNOWN' },
      { res: await app.inject({ method: 'POST', url: '/api/members/M-1/manual-bonus', payload: { points: 'many' } }), status: 400, code: 'TX_INVALID' },
      { res: await app.inject({ method: 'POST', url: '/api/members/M-1/manual-bonus', headers: { 'content-type': 'application/json' }, payload: '{not json' }), status: 400, code: 'BAD_REQUEST' },
      { res: await app.inject({ method: 'GET', url: '/api/nothing-here' }), status: 404, code: 'NOT_FOUND' },
    ];
    for (const { res, status, code } of cases) {
      expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status, code });
      expect(typeof res.json().error.message).toBe('string');
    }
  });

  it("answers a refused manual bonus with its result and its code's status", async () => {
    for (const [code, status] of [['MANUAL_BONUS_REFUSED', 400], ['STAFF_UNAUTHORIZED', 400], ['CARD_BAD_STATE', 409], ['INTERNAL', 500]] as const) {
      const res = await appWith({ status: 'rejected', code, recorded: true }).app.inject({ method: 'POST', url: '/api/members/M-1/manual-bonus', payload: bonus });
      expect({ status: res.statusCode, body: res.json() }).toMatchObject({ status, body: { status: 'rejected', code } });
    }
    const applied = await appWith({ status: 'applied' }).app.inject({ method: 'POST', url: '/api/members/M-1/manual-bonus', payload: bonus });
    expect(applied.statusCode).toBe(200);
  });

  it('answers a failing store INTERNAL (500) without its message, and logs it', async () => {
    const { app, logger } = appWith({ status: 'applied' }, { memberViewById: () => Promise.reject(new Error('disk I/O error at /var/lib/ledger')) });
    const res = await app.inject({ method: 'GET', url: '/api/members/M-1' });
    expect({ status: res.statusCode, body: res.json() }).toEqual({ status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } });
    expect(logger.error).toHaveBeenCalledTimes(1);
  });
});
