/** The identity store on the ledger's SQLite database (hub/identity/identity-store.ts says what it holds). */
import type { Database } from 'better-sqlite3';
import { CodedError } from '../../../core/errors/coded-error.ts';
import type { LockoutState } from '../../../core/identity/lockout.ts';
import type { KioskMode, MemberPinProofState, StaffRole } from '../../../core/ledger/types.ts';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import type { AuditEntry, AuditEntryInput } from '../../identity/audit-entry.ts';
import type { AuditQuery, IdentityStore, NewStaff, StaffAccount, StaffChange, StaffCredentials, StoredSession } from '../../identity/identity-store.ts';
import { staffCardHash } from '../../identity/staff-card-hash.ts';
import { iterateAuditEntries, prepareAuditAppend, readAuditEntries, type AuditFilter } from './audit-log-sql.ts';
import { staffCardKey } from './staff-card-key.ts';

interface StaffRow {
  staff_id: string; name: string; role: StaffRole; store_ids: string; card_hash: string | null; pin_hash: string | null;
  login: string | null; password_hash: string | null; failed_attempts: number; locked_until: string | null; active: number;
  level: string | null;
}

interface SessionRow {
  session_id: string; staff_id: string; device_id: string; kind: StoredSession['kind']; label: string | null;
  opened_at: string; expires_at: string; ended_at: string | null;
}

function credentials(row: StaffRow): StaffCredentials {
  return {
    staffId: row.staff_id, name: row.name, role: row.role, storeIds: JSON.parse(row.store_ids) as string[], active: row.active === 1,
    login: row.login, hasCard: row.card_hash !== null, hasPin: row.pin_hash !== null, hasPassword: row.password_hash !== null,
    failedAttempts: row.failed_attempts, lockedUntil: row.locked_until, pinHash: row.pin_hash, passwordHash: row.password_hash,
    level: row.level,
  };
}

function account(row: StaffRow): StaffAccount {
  const { pinHash: _pin, passwordHash: _password, ...rest } = credentials(row);
  return rest;
}

function session(row: SessionRow): StoredSession {
  return {
    sessionId: row.session_id, staffId: row.staff_id, deviceId: row.device_id, kind: row.kind, label: row.label,
    openedAt: row.opened_at, expiresAt: row.expires_at, endedAt: row.ended_at,
  };
}

export class SqliteIdentityStore implements IdentityStore {
  private readonly key: Buffer;
  private readonly appendAuditRow: (entry: AuditEntryInput) => void;

  constructor(private readonly db: Database) {
    this.key = staffCardKey(db);
    this.appendAuditRow = prepareAuditAppend(db);
  }

  private cardHash(cardUid: string): string {
    return staffCardHash(this.key, cardUid);
  }

  private row(where: string, value: string): StaffRow | undefined {
    return this.db.prepare<[string], StaffRow>(`SELECT * FROM staff WHERE ${where} = ?`).get(value);
  }

  private assertFree(cardUid: string | undefined, login: string | undefined, self: string | null): void {
    if (cardUid !== undefined) {
      const holder = this.row('card_hash', this.cardHash(cardUid));
      if (holder && holder.staff_id !== self) throw new CodedError('BAD_REQUEST', 'this staff card is already issued to another staff member');
    }
    if (login !== undefined) {
      const holder = this.row('login', login);
      if (holder && holder.staff_id !== self) throw new CodedError('BAD_REQUEST', `the login name '${login}' is taken`);
    }
  }

  async addStaff(staff: NewStaff): Promise<StaffAccount> {
    this.assertFree(staff.cardUid, staff.login, null);
    this.db
      .prepare('INSERT INTO staff (staff_id, name, role, store_ids, card_hash, pin_hash, login, password_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(staff.staffId, staff.name, staff.role, JSON.stringify(staff.storeIds), staff.cardUid ? this.cardHash(staff.cardUid) : null, staff.pinHash ?? null, staff.login ?? null, staff.passwordHash ?? null);
    return account(this.row('staff_id', staff.staffId)!);
  }

  async changeStaff(staffId: string, change: StaffChange): Promise<StaffAccount | null> {
    const current = this.row('staff_id', staffId);
    if (!current) return null;
    this.assertFree(change.cardUid, change.login, staffId);
    const sets: string[] = [];
    const values: (string | number | null)[] = [];
    const set = (column: string, value: string | number | null) => {
      sets.push(`${column} = ?`);
      values.push(value);
    };
    if (change.name !== undefined) set('name', change.name);
    if (change.role !== undefined) set('role', change.role);
    if (change.storeIds !== undefined) set('store_ids', JSON.stringify(change.storeIds));
    if (change.cardUid !== undefined) set('card_hash', this.cardHash(change.cardUid));
    if (change.pinHash !== undefined) set('pin_hash', change.pinHash);
    if (change.login !== undefined) set('login', change.login);
    if (change.passwordHash !== undefined) set('password_hash', change.passwordHash);
    if (change.active !== undefined) set('active', change.active ? 1 : 0);
    if (change.level !== undefined) set('level', change.level);
    // A new PIN or password starts a fresh count: a staff member locked out is let back in by a manager's reset.
    if (change.pinHash !== undefined || change.passwordHash !== undefined) {
      set('failed_attempts', 0);
      set('locked_until', null);
    }
    if (sets.length) this.db.prepare(`UPDATE staff SET ${sets.join(', ')} WHERE staff_id = ?`).run(...values, staffId);
    return account(this.row('staff_id', staffId)!);
  }

  async staffCredentialsById(staffId: string): Promise<StaffCredentials | null> {
    const row = this.row('staff_id', staffId);
    return row ? credentials(row) : null;
  }

  async staffCredentialsByCard(cardUid: string): Promise<StaffCredentials | null> {
    const row = this.row('card_hash', this.cardHash(cardUid));
    return row ? credentials(row) : null;
  }

  async staffCredentialsByLogin(login: string): Promise<StaffCredentials | null> {
    const row = this.row('login', login);
    return row ? credentials(row) : null;
  }

  async listStaff(): Promise<StaffAccount[]> {
    return this.db.prepare<[], StaffRow>('SELECT * FROM staff ORDER BY name, staff_id').all().map(account);
  }

  async recordLockout(staffId: string, state: LockoutState): Promise<void> {
    this.db.prepare('UPDATE staff SET failed_attempts = ?, locked_until = ? WHERE staff_id = ?').run(state.failedAttempts, state.lockedUntil, staffId);
  }

  async openSession(s: StoredSession & { tokenHash: string | null }): Promise<void> {
    this.db
      .prepare('INSERT INTO staff_sessions (session_id, staff_id, device_id, kind, token_hash, label, opened_at, expires_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(s.sessionId, s.staffId, s.deviceId, s.kind, s.tokenHash, s.label, s.openedAt, s.expiresAt, s.endedAt);
  }

  async sessionByTokenHash(tokenHash: string): Promise<StoredSession | null> {
    const row = this.db.prepare<[string], SessionRow>('SELECT * FROM staff_sessions WHERE token_hash = ?').get(tokenHash);
    return row ? session(row) : null;
  }

  async sessionById(sessionId: string): Promise<StoredSession | null> {
    const row = this.db.prepare<[string], SessionRow>('SELECT * FROM staff_sessions WHERE session_id = ?').get(sessionId);
    return row ? session(row) : null;
  }

  async endSession(sessionId: string, at: string): Promise<void> {
    this.db.prepare('UPDATE staff_sessions SET ended_at = ? WHERE session_id = ? AND ended_at IS NULL').run(at, sessionId);
  }

  async endSessionsOf(staffId: string, at: string): Promise<number> {
    return this.db.prepare('UPDATE staff_sessions SET ended_at = ? WHERE staff_id = ? AND ended_at IS NULL AND expires_at > ?').run(at, staffId, at).changes;
  }

  async openSessionsOf(staffId: string, at: string): Promise<StoredSession[]> {
    return this.db
      .prepare<[string, string], SessionRow>('SELECT * FROM staff_sessions WHERE staff_id = ? AND ended_at IS NULL AND expires_at > ? ORDER BY opened_at DESC LIMIT 200')
      .all(staffId, at)
      .map(session);
  }

  async memberPin(memberId: string): Promise<(LockoutState & { pinHash: string }) | null> {
    const row = this.db
      .prepare<[string], { pin_hash: string; failed_attempts: number; locked_until: string | null }>('SELECT pin_hash, failed_attempts, locked_until FROM member_pins WHERE member_id = ?')
      .get(memberId);
    return row ? { pinHash: row.pin_hash, failedAttempts: row.failed_attempts, lockedUntil: row.locked_until } : null;
  }

  async setMemberPin(memberId: string, pinHash: string, at: string): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO member_pins (member_id, pin_hash, failed_attempts, locked_until, set_at) VALUES (?, ?, 0, NULL, ?)
         ON CONFLICT(member_id) DO UPDATE SET pin_hash = excluded.pin_hash, failed_attempts = 0, locked_until = NULL, set_at = excluded.set_at`,
      )
      .run(memberId, pinHash, at);
  }

  async recordMemberPinLockout(memberId: string, state: LockoutState): Promise<void> {
    this.db.prepare('UPDATE member_pins SET failed_attempts = ?, locked_until = ? WHERE member_id = ?').run(state.failedAttempts, state.lockedUntil, memberId);
  }

  async openMemberPinProof(proof: MemberPinProofState): Promise<void> {
    this.db
      .prepare('INSERT INTO member_pin_proofs (proof_id, member_id, device_id, opened_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(proof.proofId, proof.memberId, proof.deviceId, proof.openedAt, proof.expiresAt);
  }

  async memberByPhone(phone: string): Promise<{ memberId: string; activeCardUid: string | null } | null> {
    const member = this.db.prepare<[string], { member_id: string }>('SELECT member_id FROM members WHERE phone = ? ORDER BY created_at LIMIT 1').get(phone);
    if (!member) return null;
    const card = this.db.prepare<[string], { uid: string }>("SELECT uid FROM cards WHERE member_id = ? AND status = 'active' ORDER BY uid LIMIT 1").get(member.member_id);
    return { memberId: member.member_id, activeCardUid: card?.uid ?? null };
  }

  async setDeviceMode(deviceId: string, mode: KioskMode): Promise<void> {
    if (deviceId === HQ_DEVICE_ID) throw new CodedError('BAD_REQUEST', 'the hub itself has no kiosk mode');
    this.db.prepare('INSERT INTO devices (device_id, mode) VALUES (?, ?) ON CONFLICT(device_id) DO UPDATE SET mode = excluded.mode').run(deviceId, mode);
  }

  async setDeviceStore(deviceId: string, storeId: string): Promise<void> {
    if (deviceId === HQ_DEVICE_ID) throw new CodedError('BAD_REQUEST', 'the hub itself stands in no store');
    this.db.prepare('INSERT INTO devices (device_id, store_id) VALUES (?, ?) ON CONFLICT(device_id) DO UPDATE SET store_id = excluded.store_id').run(deviceId, storeId);
  }

  async deviceStore(deviceId: string): Promise<string | null> {
    return this.db.prepare<[string], { store_id: string | null }>('SELECT store_id FROM devices WHERE device_id = ?').get(deviceId)?.store_id ?? null;
  }

  async deviceMode(deviceId: string): Promise<KioskMode> {
    if (deviceId === HQ_DEVICE_ID) return 'attended';
    return this.db.prepare<[string], { mode: KioskMode }>('SELECT mode FROM devices WHERE device_id = ?').get(deviceId)?.mode ?? 'unattended';
  }

  async appendAudit(entry: AuditEntryInput): Promise<void> {
    this.appendAuditRow(entry);
  }

  async auditEntries(query: AuditQuery): Promise<AuditEntry[]> {
    return readAuditEntries(this.db, { limit: query.limit, ...auditFilterOf(query) });
  }

  auditEntryRows(query: Omit<AuditQuery, 'limit'>): Iterable<AuditEntry> {
    return iterateAuditEntries(this.db, auditFilterOf(query));
  }
}

/** The query's filters without its undefined ones (the filter's fields are optional, not undefined). */
function auditFilterOf(query: Omit<AuditQuery, 'limit'>): Omit<AuditFilter, 'limit'> {
  const filter: Omit<AuditFilter, 'limit'> = {};
  for (const key of ['beforeId', 'actorId', 'action', 'target', 'surface', 'outcome', 'fromIso', 'toIso'] as const) {
    const value = query[key];
    if (value !== undefined) (filter as Record<string, string | number>)[key] = value;
  }
  return filter;
}
