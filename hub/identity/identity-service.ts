/**
 * The identity model's rules: staff sign in on a kiosk with their staff card and PIN, at the hub with a login
 * name and password, or act through an API token; each way opens a staff session that expires. Wrong secrets
 * count towards a lockout (core/identity/lockout.ts). Every sign-in, refusal, lockout and account change is
 * written to the audit log with who did it and from where.
 */
import type { Logger } from 'pino';
import { CodedError } from '../../core/errors/coded-error.ts';
import { AFTER_SUCCESS, afterFailure, isLocked } from '../../core/identity/lockout.ts';
import { STAFF_ROLES, type StaffRole } from '../../core/ledger/types.ts';
import { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
import type { AuditEntryInput } from './audit-entry.ts';
import type { IdentityStore, StaffAccount, StaffCredentials, StoredSession } from './identity-store.ts';
import { newBearerToken, newSessionId, newStaffId } from './new-ids.ts';
import { hashSecret, tokenHash, verifySecret } from './secret-hash.ts';
import { PIN_PATTERN } from '../../core/identity/pin.ts';

/** Who is doing an account change, for the audit log. */
export interface AuditActor {
  kind: AuditEntryInput['actorKind'];
  id: string;
  surface: string;
}

export const MIN_PASSWORD_LENGTH = 10;
/** A kiosk staff session: long enough for a queue of top-ups, short enough that a walked-away clerk is signed out. */
export const KIOSK_SESSION_MS = 10 * 60_000;
export const LOGIN_SESSION_MS = 8 * 3_600_000;

export interface NewStaffInput {
  name: string;
  role: StaffRole;
  storeIds: string[];
  cardUid?: string | undefined;
  pin?: string | undefined;
  login?: string | undefined;
  password?: string | undefined;
}

export interface StaffProfileChange {
  name?: string | undefined;
  role?: StaffRole | undefined;
  storeIds?: string[] | undefined;
}

export interface SignedIn {
  staff: Pick<StaffAccount, 'staffId' | 'name' | 'role' | 'storeIds'>;
  session: StoredSession;
}

export interface IdentityService {
  addStaff(input: NewStaffInput, by: AuditActor): Promise<StaffAccount>;
  /** Sets (or resets, unlocking the account) a staff member's PIN or password; ends their hub sessions on a new password. */
  setSecret(staffId: string, secret: { pin?: string; password?: string }, by: AuditActor): Promise<StaffAccount>;
  setActive(staffId: string, active: boolean, by: AuditActor): Promise<StaffAccount>;
  /** Sets (or, null, clears) the staff member's level (员工级别) the commission schedule pays them by. */
  setLevel(staffId: string, level: string | null, by: AuditActor): Promise<StaffAccount>;
  /** Changes a staff member's name, role or stores (the caller's right to is checked by the route); audited before/after. */
  changeStaff(staffId: string, change: StaffProfileChange, by: AuditActor): Promise<StaffAccount>;
  /**
   * A signed-in staff member's own new password, given the current one (a wrong one counts towards the lockout,
   * PASSWORD_WRONG); their other sessions end, the one they did it from stays open.
   */
  changeOwnPassword(signedIn: SignedIn, currentPassword: string, newPassword: string, surface: string): Promise<void>;
  /** The staff member's open sessions (hub logins, API tokens, kiosk sessions), newest first. */
  openSessionsOf(staffId: string): Promise<StoredSession[]>;
  /** Ends one of the staff member's own open sessions (signed out of another browser or kiosk); NOT_FOUND when not theirs. */
  endOwnSession(staffId: string, sessionId: string, by: AuditActor): Promise<void>;
  /** A staff card tapped on `deviceId`'s reader and the PIN typed on its screen. */
  signInWithCard(deviceId: string, cardUid: string, pin: string): Promise<SignedIn>;
  /** Ends a kiosk session (the clerk signed out, or the kiosk's own timer). Only the kiosk it was opened on may. */
  signOutKiosk(deviceId: string, sessionId: string): Promise<void>;
  login(login: string, password: string, surface: string): Promise<SignedIn & { token: string }>;
  /** Opens an API token for an automation acting as `staffId` (the token is shown once). */
  createApiToken(staffId: string, label: string, ttlMs: number, by: AuditActor): Promise<{ token: string; session: StoredSession }>;
  /** The staff member behind a bearer token, or null: unknown, expired, ended, or the account inactive. */
  authenticate(token: string): Promise<SignedIn | null>;
  logout(token: string): Promise<void>;
}

export function createIdentityService(deps: { store: IdentityStore; logger: Logger; now?: () => number }): IdentityService {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'hub.identity' });
  const iso = () => new Date(now()).toISOString();

  const audit = (entry: Omit<AuditEntryInput, 'at' | 'before' | 'after' | 'detail'> & Partial<Pick<AuditEntryInput, 'before' | 'after' | 'detail'>>) =>
    store.appendAudit({ at: iso(), before: null, after: null, detail: null, ...entry });

  function checkPin(pin: string): void {
    if (!PIN_PATTERN.test(pin)) throw new CodedError('BAD_REQUEST', 'a PIN is 4 to 8 digits');
  }
  function checkPassword(password: string): void {
    if (password.length < MIN_PASSWORD_LENGTH) throw new CodedError('BAD_REQUEST', `a password has at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  function publicView(account: StaffAccount) {
    return { staffId: account.staffId, name: account.name, role: account.role, storeIds: account.storeIds, active: account.active, login: account.login, hasCard: account.hasCard, hasPin: account.hasPin, hasPassword: account.hasPassword, level: account.level };
  }

  /** A wrong secret: counted, maybe locking the account; the refusal says how many tries are left. */
  async function refuse(staff: StaffCredentials, surface: string, action: string): Promise<never> {
    const next = afterFailure(staff, now());
    await store.recordLockout(staff.staffId, next);
    const code = action === 'staff.login' ? 'LOGIN_FAILED' : action === 'staff.change_password' ? 'PASSWORD_WRONG' : 'STAFF_PIN_WRONG';
    await audit({ actorKind: 'staff', actorId: staff.staffId, surface, action, target: staff.staffId, outcome: next.justLocked ? 'refused:STAFF_LOCKED' : action === 'staff.change_password' ? 'refused:PASSWORD_WRONG' : 'refused:STAFF_PIN_WRONG', detail: { attemptsLeft: next.attemptsLeft } });
    if (next.justLocked) {
      log.warn({ staffId: staff.staffId, surface, lockedUntil: next.lockedUntil }, 'staff account locked after repeated wrong secrets');
      throw new CodedError('STAFF_LOCKED', `locked until ${next.lockedUntil}`, { lockedUntil: next.lockedUntil });
    }
    log.info({ staffId: staff.staffId, surface, attemptsLeft: next.attemptsLeft }, 'wrong staff secret');
    throw new CodedError(code, `${next.attemptsLeft} attempts left`, { attemptsLeft: next.attemptsLeft });
  }

  async function open(staff: StaffCredentials, deviceId: string, kind: StoredSession['kind'], ttlMs: number, label: string | null, token: string | null): Promise<StoredSession> {
    const session: StoredSession = { sessionId: newSessionId(), staffId: staff.staffId, deviceId, kind, label, openedAt: iso(), expiresAt: new Date(now() + ttlMs).toISOString(), endedAt: null };
    await store.openSession({ ...session, tokenHash: token === null ? null : tokenHash(token) });
    return session;
  }

  async function mustExist(staffId: string): Promise<StaffAccount> {
    const found = await store.staffCredentialsById(staffId);
    if (!found) throw new CodedError('NOT_FOUND', `no staff member ${staffId}`);
    return found;
  }

  return {
    async addStaff(input, by) {
      if (!STAFF_ROLES.includes(input.role)) throw new CodedError('BAD_REQUEST', `role is one of ${STAFF_ROLES.join(', ')}`);
      if (input.name.trim() === '' || input.name.length > 64) throw new CodedError('BAD_REQUEST', 'a name is 1 to 64 characters');
      if (input.storeIds.length === 0) throw new CodedError('BAD_REQUEST', "a staff member works in at least one store ('*': all)");
      if (input.cardUid !== undefined && !/^[0-9A-F]{4,32}$/.test(input.cardUid)) throw new CodedError('BAD_REQUEST', 'a card UID is 4–32 uppercase hex digits');
      if (input.pin !== undefined) checkPin(input.pin);
      if (input.password !== undefined) checkPassword(input.password);
      if ((input.login === undefined) !== (input.password === undefined)) throw new CodedError('BAD_REQUEST', 'a login name and a password go together');
      const account = await store.addStaff({
        staffId: newStaffId(),
        name: input.name.trim(),
        role: input.role,
        storeIds: input.storeIds,
        cardUid: input.cardUid,
        pinHash: input.pin === undefined ? undefined : await hashSecret(input.pin),
        login: input.login,
        passwordHash: input.password === undefined ? undefined : await hashSecret(input.password),
      });
      await audit({ actorKind: by.kind, actorId: by.id, surface: by.surface, action: 'staff.create', target: account.staffId, outcome: 'ok', after: publicView(account) });
      return account;
    },

    async setSecret(staffId, secret, by) {
      const before = await mustExist(staffId);
      if (secret.pin !== undefined) checkPin(secret.pin);
      if (secret.password !== undefined) checkPassword(secret.password);
      const changed = await store.changeStaff(staffId, {
        ...(secret.pin !== undefined ? { pinHash: await hashSecret(secret.pin) } : {}),
        ...(secret.password !== undefined ? { passwordHash: await hashSecret(secret.password) } : {}),
      });
      if (secret.password !== undefined) await store.endSessionsOf(staffId, iso());
      const what = [secret.pin !== undefined ? 'pin' : null, secret.password !== undefined ? 'password' : null].filter(Boolean).join('+');
      await audit({ actorKind: by.kind, actorId: by.id, surface: by.surface, action: `staff.set_${what || 'nothing'}`, target: staffId, outcome: 'ok', before: { locked: isLocked(before, now()) }, after: { locked: false } });
      return changed!;
    },

    async setActive(staffId, active, by) {
      const before = await mustExist(staffId);
      const changed = await store.changeStaff(staffId, { active });
      if (!active) await store.endSessionsOf(staffId, iso());
      await audit({ actorKind: by.kind, actorId: by.id, surface: by.surface, action: active ? 'staff.activate' : 'staff.deactivate', target: staffId, outcome: 'ok', before: { active: before.active }, after: { active } });
      return changed!;
    },

    async setLevel(staffId, level, by) {
      // Any name: a level is a key of the commission schedule, which a later rules bundle may add.
      const wanted = level === null ? null : level.trim();
      if (wanted !== null && (wanted === '' || wanted.length > 32)) throw new CodedError('BAD_REQUEST', 'a staff level is 1 to 32 characters');
      const before = await mustExist(staffId);
      const changed = await store.changeStaff(staffId, { level: wanted });
      await audit({ actorKind: by.kind, actorId: by.id, surface: by.surface, action: 'staff.set_level', target: staffId, outcome: 'ok', before: { level: before.level }, after: { level: wanted } });
      return changed!;
    },

    async changeStaff(staffId, change, by) {
      if (change.role !== undefined && !STAFF_ROLES.includes(change.role)) throw new CodedError('BAD_REQUEST', `role is one of ${STAFF_ROLES.join(', ')}`);
      const name = change.name?.trim();
      if (name !== undefined && (name === '' || name.length > 64)) throw new CodedError('BAD_REQUEST', 'a name is 1 to 64 characters');
      if (change.storeIds !== undefined && change.storeIds.length === 0) throw new CodedError('BAD_REQUEST', "a staff member works in at least one store ('*': all)");
      const before = await mustExist(staffId);
      const changed = await store.changeStaff(staffId, { ...(name !== undefined ? { name } : {}), ...(change.role !== undefined ? { role: change.role } : {}), ...(change.storeIds !== undefined ? { storeIds: change.storeIds } : {}) });
      await audit({ actorKind: by.kind, actorId: by.id, surface: by.surface, action: 'staff.change', target: staffId, outcome: 'ok', before: { name: before.name, role: before.role, storeIds: before.storeIds }, after: { name: changed!.name, role: changed!.role, storeIds: changed!.storeIds } });
      return changed!;
    },

    async changeOwnPassword(signedIn, currentPassword, newPassword, surface) {
      const staff = await store.staffCredentialsById(signedIn.staff.staffId);
      if (!staff) throw new CodedError('NOT_FOUND', `no staff member ${signedIn.staff.staffId}`);
      if (staff.passwordHash === null) throw new CodedError('BAD_REQUEST', 'this account has no password: a manager sets one');
      if (isLocked(staff, now())) {
        await audit({ actorKind: 'staff', actorId: staff.staffId, surface, action: 'staff.change_password', target: staff.staffId, outcome: 'refused:STAFF_LOCKED' });
        throw new CodedError('STAFF_LOCKED', `locked until ${staff.lockedUntil}`, { lockedUntil: staff.lockedUntil });
      }
      if (!(await verifySecret(currentPassword, staff.passwordHash))) return refuse(staff, surface, 'staff.change_password');
      checkPassword(newPassword);
      await store.changeStaff(staff.staffId, { passwordHash: await hashSecret(newPassword) });
      const at = iso();
      let ended = 0;
      for (const other of await store.openSessionsOf(staff.staffId, at)) {
        if (other.sessionId === signedIn.session.sessionId) continue;
        await store.endSession(other.sessionId, at);
        ended += 1;
      }
      await audit({ actorKind: 'staff', actorId: staff.staffId, surface, action: 'staff.change_password', target: staff.staffId, outcome: 'ok', detail: { otherSessionsEnded: ended } });
    },

    async openSessionsOf(staffId) {
      return store.openSessionsOf(staffId, iso());
    },

    async endOwnSession(staffId, sessionId, by) {
      const session = await store.sessionById(sessionId);
      if (!session || session.staffId !== staffId || session.endedAt !== null) throw new CodedError('NOT_FOUND', 'no such open session of yours');
      await store.endSession(sessionId, iso());
      await audit({ actorKind: by.kind, actorId: by.id, surface: by.surface, action: 'staff.end_session', target: staffId, outcome: 'ok', detail: { sessionId, kind: session.kind, deviceId: session.deviceId } });
    },

    async signInWithCard(deviceId, cardUid, pin) {
      const surface = `kiosk:${deviceId}`;
      const staff = await store.staffCredentialsByCard(cardUid);
      if (!staff || !staff.active || staff.pinHash === null) {
        await audit({ actorKind: 'device', actorId: deviceId, surface, action: 'staff.sign_in', target: null, outcome: 'refused:STAFF_CARD_UNKNOWN' });
        throw new CodedError('STAFF_CARD_UNKNOWN', staff && staff.pinHash === null ? 'this staff member has no PIN yet: a manager sets one' : 'not an active staff card');
      }
      if (isLocked(staff, now())) {
        await audit({ actorKind: 'staff', actorId: staff.staffId, surface, action: 'staff.sign_in', target: staff.staffId, outcome: 'refused:STAFF_LOCKED' });
        throw new CodedError('STAFF_LOCKED', `locked until ${staff.lockedUntil}`, { lockedUntil: staff.lockedUntil });
      }
      if (!(await verifySecret(pin, staff.pinHash))) return refuse(staff, surface, 'staff.sign_in');
      await store.recordLockout(staff.staffId, AFTER_SUCCESS);
      // Staff sign in only at kiosks of the stores they work in (the ledger would refuse their transactions anyway).
      const kioskStore = await store.deviceStore(deviceId);
      if (kioskStore !== null && !staff.storeIds.includes('*') && !staff.storeIds.includes(kioskStore)) {
        await audit({ actorKind: 'staff', actorId: staff.staffId, surface, action: 'staff.sign_in', target: staff.staffId, outcome: 'refused:STAFF_UNAUTHORIZED', detail: { kioskStore } });
        throw new CodedError('STAFF_UNAUTHORIZED', `staff is not assigned to store ${kioskStore}`);
      }
      const session = await open(staff, deviceId, 'kiosk', KIOSK_SESSION_MS, null, null);
      await audit({ actorKind: 'staff', actorId: staff.staffId, surface, action: 'staff.sign_in', target: staff.staffId, outcome: 'ok', detail: { sessionId: session.sessionId } });
      return { staff, session };
    },

    async signOutKiosk(deviceId, sessionId) {
      const session = await store.sessionById(sessionId);
      if (!session || session.deviceId !== deviceId || session.kind !== 'kiosk') throw new CodedError('STAFF_SESSION_INVALID');
      await store.endSession(sessionId, iso());
      await audit({ actorKind: 'staff', actorId: session.staffId, surface: `kiosk:${deviceId}`, action: 'staff.sign_out', target: session.staffId, outcome: 'ok', detail: { sessionId } });
    },

    async login(login, password, surface) {
      const staff = await store.staffCredentialsByLogin(login);
      if (!staff || !staff.active || staff.passwordHash === null) {
        await audit({ actorKind: 'system', actorId: 'anonymous', surface, action: 'staff.login', target: null, outcome: 'refused:LOGIN_FAILED', detail: { login: login.slice(0, 64) } });
        throw new CodedError('LOGIN_FAILED');
      }
      if (isLocked(staff, now())) {
        await audit({ actorKind: 'staff', actorId: staff.staffId, surface, action: 'staff.login', target: staff.staffId, outcome: 'refused:STAFF_LOCKED' });
        throw new CodedError('STAFF_LOCKED', `locked until ${staff.lockedUntil}`, { lockedUntil: staff.lockedUntil });
      }
      if (!(await verifySecret(password, staff.passwordHash))) return refuse(staff, surface, 'staff.login');
      await store.recordLockout(staff.staffId, AFTER_SUCCESS);
      const token = newBearerToken();
      const session = await open(staff, HQ_DEVICE_ID, 'login', LOGIN_SESSION_MS, null, token);
      await audit({ actorKind: 'staff', actorId: staff.staffId, surface, action: 'staff.login', target: staff.staffId, outcome: 'ok', detail: { sessionId: session.sessionId } });
      return { staff, session, token };
    },

    async createApiToken(staffId, label, ttlMs, by) {
      const staff = await store.staffCredentialsById(staffId);
      if (!staff || !staff.active) throw new CodedError('NOT_FOUND', `no active staff member ${staffId}`);
      const token = newBearerToken();
      const session = await open(staff, HQ_DEVICE_ID, 'api_token', ttlMs, label.slice(0, 64), token);
      await audit({ actorKind: by.kind, actorId: by.id, surface: by.surface, action: 'staff.api_token', target: staffId, outcome: 'ok', detail: { sessionId: session.sessionId, label, expiresAt: session.expiresAt } });
      return { token, session };
    },

    async authenticate(token) {
      if (token.length < 20 || token.length > 200) return null;
      const session = await store.sessionByTokenHash(tokenHash(token));
      if (!session || session.endedAt !== null || Date.parse(session.expiresAt) <= now()) return null;
      const staff = await store.staffCredentialsById(session.staffId);
      if (!staff || !staff.active) return null;
      return { staff, session };
    },

    async logout(token) {
      const session = await store.sessionByTokenHash(tokenHash(token));
      if (!session || session.endedAt !== null) return;
      await store.endSession(session.sessionId, iso());
      await audit({ actorKind: 'staff', actorId: session.staffId, surface: 'hub', action: 'staff.logout', target: session.staffId, outcome: 'ok', detail: { sessionId: session.sessionId } });
    },
  };
}
