/**
 * Staff actors for hub tests, made the real way: the demo store manager signs in with their staff card and PIN
 * on the named kiosk (a kiosk session), or the demo HQ admin logs in (an HQ session). Needs the demo data.
 */
import pino from 'pino';
import type { StaffActor } from '../../core/wire/transaction.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_CASHIER_CARD, DEMO_CASHIER_PIN, DEMO_STAFF_CARD, DEMO_STAFF_PIN } from '../demo/seed-demo-data.ts';
import type { StaffRole } from '../../core/ledger/types.ts';
import { createIdentityService, type IdentityService } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';

export async function kioskStaffActor(ledger: { identity: IdentityStore }, deviceId: string, who: 'manager' | 'cashier' = 'manager'): Promise<StaffActor> {
  const identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }) });
  const [card, pin] = who === 'manager' ? [DEMO_STAFF_CARD, DEMO_STAFF_PIN] : [DEMO_CASHIER_CARD, DEMO_CASHIER_PIN];
  const { session } = await identity.signInWithCard(deviceId, card, pin);
  return { staffId: session.staffId, sessionId: session.sessionId };
}

/** The demo HQ admin, logged in at the hub: the actor of HQ transactions, and the bearer token for the API. */
export async function hqAdminLogin(ledger: { identity: IdentityStore }): Promise<{ actor: StaffActor; token: string }> {
  const identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }) });
  const { session, token } = await identity.login(DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, 'hub');
  return { actor: { staffId: session.staffId, sessionId: session.sessionId }, token };
}

/**
 * A new staff account of this role and these stores, logged in at the hub: the Authorization header for its API
 * calls. Each role and store list gets its own login, so a test can hold several at once.
 */
export async function staffAuthorization(identity: IdentityService, role: StaffRole, storeIds: string[]): Promise<{ authorization: string }> {
  const login = `${role}-${storeIds.join('-').replace('*', 'all')}`;
  await identity.addStaff({ name: login, role, storeIds, login, password: 'a-long-password-1' }, { kind: 'system', id: 'test', surface: 'cli' });
  return { authorization: `Bearer ${(await identity.login(login, 'a-long-password-1', 'hub')).token}` };
}
