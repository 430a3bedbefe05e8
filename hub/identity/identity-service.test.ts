/** The identity model on a real SQLite ledger: sign-in by card + PIN, logins, lockout, tokens, the audit log. */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCodedError } from '../../core/errors/coded-error.ts';
import { LOCKOUT_MS, MAX_FAILED_ATTEMPTS } from '../../core/identity/lockout.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { createIdentityService, KIOSK_SESSION_MS, type IdentityService } from './identity-service.ts';

const CLI = { kind: 'cli', id: 'tester', surface: 'cli' } as const;
const CARD = 'A5AFF0000777';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isCodedError(error)) return error.code;
    throw error;
  }
  return 'RESOLVED';
}

describe('identity service (real SQLite)', () => {
  let dir: string;
  let ledger: Ledger;
  let clock: number;
  let identity: IdentityService;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mk-identity-'));
    ledger = await openLedger({ kind: 'sqlite', path: join(dir, 'ledger.sqlite'), logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    clock = Date.parse('2026-11-30T09:00:00.000Z');
    identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }), now: () => clock });
  });

  afterEach(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs a cashier in on a kiosk with card + PIN, bound to that kiosk for 10 minutes', async () => {
    const cashier = await identity.addStaff({ name: '王芳', role: 'cashier', storeIds: ['store-1'], cardUid: CARD, pin: '482913' }, CLI);
    const { staff, session } = await identity.signInWithCard('kiosk-1', CARD, '482913');
    expect(staff.staffId).toBe(cashier.staffId);
    expect(session).toMatchObject({ staffId: cashier.staffId, deviceId: 'kiosk-1', kind: 'kiosk', endedAt: null });
    expect(Date.parse(session.expiresAt) - clock).toBe(KIOSK_SESSION_MS);
    expect(session.sessionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // only the kiosk it was opened on may end it
    expect(await codeOf(identity.signOutKiosk('kiosk-2', session.sessionId))).toBe('STAFF_SESSION_INVALID');
    await identity.signOutKiosk('kiosk-1', session.sessionId);
    expect((await ledger.identity.sessionById(session.sessionId))?.endedAt).not.toBeNull();
  });

  it('refuses an unknown card, a card without a PIN, and an inactive account alike', async () => {
    expect(await codeOf(identity.signInWithCard('kiosk-1', 'FFFF0000', '1234'))).toBe('STAFF_CARD_UNKNOWN');
    const noPin = await identity.addStaff({ name: 'No Pin', role: 'cashier', storeIds: ['store-1'], cardUid: CARD }, CLI);
    expect(await codeOf(identity.signInWithCard('kiosk-1', CARD, '1234'))).toBe('STAFF_CARD_UNKNOWN');
    await identity.setSecret(noPin.staffId, { pin: '1234' }, CLI);
    await identity.signInWithCard('kiosk-1', CARD, '1234');
    await identity.setActive(noPin.staffId, false, CLI);
    expect(await codeOf(identity.signInWithCard('kiosk-1', CARD, '1234'))).toBe('STAFF_CARD_UNKNOWN');
  });

  it(`locks the account after ${MAX_FAILED_ATTEMPTS} wrong PINs, even against the right one, until the lock runs out or a manager resets the PIN`, async () => {
    const cashier = await identity.addStaff({ name: 'Cai', role: 'cashier', storeIds: ['store-1'], cardUid: CARD, pin: '482913' }, CLI);
    for (let i = 1; i < MAX_FAILED_ATTEMPTS; i += 1) expect(await codeOf(identity.signInWithCard('kiosk-1', CARD, '000000'))).toBe('STAFF_PIN_WRONG');
    expect(await codeOf(identity.signInWithCard('kiosk-1', CARD, '000000'))).toBe('STAFF_LOCKED');
    expect(await codeOf(identity.signInWithCard('kiosk-1', CARD, '482913'))).toBe('STAFF_LOCKED');
    clock += LOCKOUT_MS + 1;
    await identity.signInWithCard('kiosk-1', CARD, '482913');
    // locked again, then a manager's reset opens it at once
    for (let i = 0; i < MAX_FAILED_ATTEMPTS; i += 1) await codeOf(identity.signInWithCard('kiosk-1', CARD, '000000'));
    expect(await codeOf(identity.signInWithCard('kiosk-1', CARD, '482913'))).toBe('STAFF_LOCKED');
    await identity.setSecret(cashier.staffId, { pin: '135790' }, CLI);
    await identity.signInWithCard('kiosk-1', CARD, '135790');
    const outcomes = (await ledger.identity.auditEntries({ limit: 100, action: 'staff.sign_in' })).map((e) => e.outcome);
    expect(outcomes.filter((o) => o === 'refused:STAFF_LOCKED').length).toBeGreaterThanOrEqual(3);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(2);
  });

  it('logs HQ in with a password; the bearer token authenticates until logout, expiry, a new password or deactivation', async () => {
    const admin = await identity.addStaff({ name: 'HQ', role: 'hq_admin', storeIds: ['*'], login: 'hq', password: 'correct horse battery' }, CLI);
    expect(await codeOf(identity.login('hq', 'wrong password!', 'hub'))).toBe('LOGIN_FAILED');
    expect(await codeOf(identity.login('nobody', 'correct horse battery', 'hub'))).toBe('LOGIN_FAILED');
    const first = await identity.login('hq', 'correct horse battery', 'hub');
    expect((await identity.authenticate(first.token))?.staff.staffId).toBe(admin.staffId);
    await identity.logout(first.token);
    expect(await identity.authenticate(first.token)).toBeNull();
    const second = await identity.login('hq', 'correct horse battery', 'hub');
    clock += 9 * 3_600_000;
    expect(await identity.authenticate(second.token)).toBeNull();
    const third = await identity.login('hq', 'correct horse battery', 'hub');
    await identity.setSecret(admin.staffId, { password: 'another long passphrase' }, CLI);
    expect(await identity.authenticate(third.token)).toBeNull();
    const fourth = await identity.login('hq', 'another long passphrase', 'hub');
    await identity.setActive(admin.staffId, false, CLI);
    expect(await identity.authenticate(fourth.token)).toBeNull();
    expect(await identity.authenticate('a'.repeat(43))).toBeNull();
  });

  it('keeps only hashes: no PIN, password, token or staff card number in the database file', async () => {
    const staff = await identity.addStaff({ name: 'Hash', role: 'hq_admin', storeIds: ['*'], cardUid: CARD, pin: '482913', login: 'hash', password: 'a secret passphrase' }, CLI);
    const { token } = await identity.createApiToken(staff.staffId, 'crm', 86_400_000, CLI);
    expect((await identity.authenticate(token))?.session.kind).toBe('api_token');
    await ledger.close();
    const db = new Database(join(dir, 'ledger.sqlite'), { readonly: true });
    try {
      const everything = ['staff', 'staff_sessions', 'audit_log'].map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t}`).all())).join('\n');
      for (const secret of [CARD, '482913', 'a secret passphrase', token]) expect(everything).not.toContain(secret);
    } finally {
      db.close();
    }
    ledger = await openLedger({ kind: 'sqlite', path: join(dir, 'ledger.sqlite'), logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
  });

  it('the audit log is append-only: the database refuses to change or delete a line', async () => {
    await identity.addStaff({ name: 'Audited', role: 'cashier', storeIds: ['store-1'], cardUid: CARD, pin: '1234' }, CLI);
    const [entry] = await ledger.identity.auditEntries({ limit: 1 });
    expect(entry).toMatchObject({ actorKind: 'cli', actorId: 'tester', surface: 'cli', action: 'staff.create', outcome: 'ok' });
    await ledger.close();
    const db = new Database(join(dir, 'ledger.sqlite'));
    try {
      expect(() => db.prepare("UPDATE audit_log SET outcome = 'forged'").run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    } finally {
      db.close();
    }
    ledger = await openLedger({ kind: 'sqlite', path: join(dir, 'ledger.sqlite'), logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
  });

  it('refuses weak input: a short password, a PIN of letters, a login without a password, a card taken by another', async () => {
    expect(await codeOf(identity.addStaff({ name: 'A', role: 'hq_admin', storeIds: ['*'], login: 'a', password: 'short' }, CLI))).toBe('BAD_REQUEST');
    expect(await codeOf(identity.addStaff({ name: 'B', role: 'cashier', storeIds: ['s'], cardUid: CARD, pin: 'abcd' }, CLI))).toBe('BAD_REQUEST');
    expect(await codeOf(identity.addStaff({ name: 'C', role: 'hq_admin', storeIds: ['*'], login: 'c' }, CLI))).toBe('BAD_REQUEST');
    await identity.addStaff({ name: 'D', role: 'cashier', storeIds: ['s'], cardUid: CARD, pin: '1234' }, CLI);
    expect(await codeOf(identity.addStaff({ name: 'E', role: 'cashier', storeIds: ['s'], cardUid: CARD, pin: '5678' }, CLI))).toBe('BAD_REQUEST');
  });

  it('signs staff in only at kiosks of their own stores; HQ and region roles listing * anywhere', async () => {
    await ledger.identity.setDeviceStore('kiosk-other-store', 'store-2');
    await identity.addStaff({ name: 'Cai', role: 'cashier', storeIds: ['store-1'], cardUid: CARD, pin: '482913' }, CLI);
    expect(await codeOf(identity.signInWithCard('kiosk-other-store', CARD, '482913'))).toBe('STAFF_UNAUTHORIZED');
    await ledger.identity.setDeviceStore('kiosk-home', 'store-1');
    await identity.signInWithCard('kiosk-home', CARD, '482913');
    await identity.addStaff({ name: 'HQ', role: 'hq_admin', storeIds: ['*'], cardUid: 'A5AFF0000888', pin: '135790' }, CLI);
    await identity.signInWithCard('kiosk-other-store', 'A5AFF0000888', '135790');
    const refused = (await ledger.identity.auditEntries({ limit: 10, action: 'staff.sign_in' })).filter((e) => e.outcome === 'refused:STAFF_UNAUTHORIZED');
    expect(refused).toHaveLength(1);
  });
});
