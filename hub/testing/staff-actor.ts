/**
 * Staff actors for hub tests, made the real way: the demo store manager signs in with their staff card and PIN
 * on the named kiosk (a kiosk session), or the demo HQ admin logs in (an HQ session). Needs the demo data.
 */
import pino from 'pino';
import type { StaffActor } from '../../core/wire/transaction.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_CASHIER_CARD, DEMO_CASHIER_PIN, DEMO_STAFF_CARD, DEMO_STAFF_PIN, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
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

/** A bearer token (without "Bearer ") of a new staff account of this role and these stores: see staffAuthorization. */
export async function staffToken(identity: IdentityService, role: StaffRole, storeIds: string[]): Promise<string> {
  return (await staffAuthorization(identity, role, storeIds)).authorization.slice('Bearer '.length);
}

/**
 * The bearer tokens an HTTPS API test of a member's accounts holds: the demo HQ admin, a cashier and a store
 * manager of the demo store, and a store manager of another store (who must see nothing of the demo store's
 * members); `token` makes any other role. The card-type and credit route tests each signed these in by hand.
 */
export async function demoStoreStaffTokens(ledger: { identity: IdentityStore }): Promise<{
  admin: string;
  cashier: string;
  manager: string;
  otherManager: string;
  token(role: StaffRole, storeIds: string[]): Promise<string>;
}> {
  const identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }) });
  const token = (role: StaffRole, storeIds: string[]) => staffToken(identity, role, storeIds);
  const admin = (await hqAdminLogin(ledger)).token;
  const cashier = await token('cashier', [DEMO_STORE_ID]);
  const manager = await token('store_manager', [DEMO_STORE_ID]);
  const otherManager = await token('store_manager', ['store-999']);
  return { admin, cashier, manager, otherManager, token };
}
