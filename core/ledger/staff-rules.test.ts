import { describe, expect, it } from 'vitest';
import { assertStaffMayAct } from './staff-rules.ts';
import { assertTenderAllowed } from './tender-rules.ts';
import { AT, context, expectCoded, staff, STAFF_ID, staffSession, topUpTx } from './test-support/builders.ts';

describe('a staff action counts only under a session the hub opened for that staff member on that device', () => {
  const ctx = (overrides: Parameters<typeof context>[0] = {}) => context({ staff: staff(), ...overrides });

  it('passes with the session, the staff member and a role allowed in this store', () => {
    expect(assertStaffMayAct(topUpTx(100), ctx()).staffId).toBe(STAFF_ID);
  });

  it('refuses a transaction with no actor, and a bare staff card number (formats 1–2), as STAFF_SESSION_REQUIRED', () => {
    const { actor: _actor, ...legacy } = topUpTx(100);
    expectCoded(() => assertStaffMayAct(legacy, ctx()), 'STAFF_SESSION_REQUIRED');
    expectCoded(() => assertStaffMayAct({ ...legacy, staffCardUid: '5AFF0001' }, ctx()), 'STAFF_SESSION_REQUIRED');
  });

  it('refuses a session that is unknown, another staff member\'s or another device\'s', () => {
    expectCoded(() => assertStaffMayAct(topUpTx(100), ctx({ staffSession: null })), 'STAFF_SESSION_INVALID');
    expectCoded(() => assertStaffMayAct(topUpTx(100), ctx({ staffSession: staffSession({ staffId: 'staff-2' }) })), 'STAFF_SESSION_INVALID');
    expectCoded(() => assertStaffMayAct(topUpTx(100), ctx({ staffSession: staffSession({ deviceId: 'kiosk-2' }) })), 'STAFF_SESSION_INVALID');
  });

  it('refuses a transaction made after the session expired or ended, or well before it opened', () => {
    const before = new Date(Date.parse(AT) - 60_000).toISOString();
    const after = new Date(Date.parse(AT) + 60_000).toISOString();
    expectCoded(() => assertStaffMayAct(topUpTx(100), ctx({ staffSession: staffSession({ expiresAt: before }) })), 'STAFF_SESSION_EXPIRED');
    expectCoded(() => assertStaffMayAct(topUpTx(100), ctx({ staffSession: staffSession({ endedAt: before }) })), 'STAFF_SESSION_EXPIRED');
    expectCoded(() => assertStaffMayAct(topUpTx(100), ctx({ staffSession: staffSession({ openedAt: after }) })), 'STAFF_SESSION_EXPIRED');
    // a transaction made while it was open still counts when it arrives later (offline queue)
    expect(assertStaffMayAct(topUpTx(100), ctx({ staffSession: staffSession({ openedAt: before, expiresAt: after, endedAt: after }) })).staffId).toBe(STAFF_ID);
  });

  it('then checks role, store and the account being active', () => {
    expectCoded(() => assertStaffMayAct(topUpTx(100), ctx({ staff: staff({ role: 'technician' }) })), 'STAFF_UNAUTHORIZED');
    expectCoded(() => assertStaffMayAct(topUpTx(100), ctx({ staff: staff({ storeIds: ['S2'] }) })), 'STAFF_UNAUTHORIZED');
    expectCoded(() => assertStaffMayAct(topUpTx(100), ctx({ staff: staff({ active: false }) })), 'STAFF_UNAUTHORIZED');
  });
});

describe('tenders', () => {
  it('an unattended kiosk takes no cash; an attended one does; other tenders go anywhere', () => {
    expectCoded(() => assertTenderAllowed('unattended', 'cash'), 'TENDER_NOT_ALLOWED');
    expect(() => assertTenderAllowed('attended', 'cash')).not.toThrow();
    expect(() => assertTenderAllowed('unattended', 'stored_value')).not.toThrow();
    expect(() => assertTenderAllowed('unattended', 'bank_card')).not.toThrow();
  });
});
