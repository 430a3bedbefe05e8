/**
 * The identity store on the ledger's PostgreSQL database (hub/identity/identity-store.ts says what it holds; the
 * same statements as ../sqlite/sqlite-identity-store.ts). Each call is one statement or one short database
 * transaction on the pool; the streamed audit export (auditEntryRows) is an async iterable, a page per query.
 */
import type pg from 'pg';
import { CodedError } from '../../../core/errors/coded-error.ts';
import type { LockoutState } from '../../../core/identity/lockout.ts';
import type { KioskMode, MemberPinProofState, StaffRole } from '../../../core/ledger/types.ts';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import type { AuditEntry, AuditEntryInput } from '../../identity/audit-entry.ts';
import type { AuditQuery, IdentityStore, NewStaff, StaffAccount, StaffChange, StaffCredentials, StoredSession } from '../../identity/identity-store.ts';
import { newStaffCardKey, staffCardHash } from '../../identity/staff-card-hash.ts';
import type { SqlValue } from './sync-reads.ts';

/** Page size of auditEntryRows (auditEntries reads at most this many at once). */
const AUDIT_ROWS_PAGE = 1000;

interface StaffRow {
  staff_id: string; name: string; role: StaffRole; store_ids: string; card_hash: string | null; pin_hash: string | null;
  login: string | null; password_hash: string | null; failed_attempts: number; locked_until: string | null; active: number;
  level: string | null;
}

interface SessionRow {
  session_id: string; staff_id: string; device_id: string; kind: StoredSession['kind']; label: string | null;
  opened_at: string; expires_at: string; ended_at: string | null;
}

interface AuditRow {
  audit_id: number; at: string; actor_kind: AuditEntry['actorKind']; actor_id: string; surface: string; action: string;
  target: string | null; outcome: string; before_json: string | null; after_json: string | null; detail: string | null;
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

/** The hub's key for staff card hashes, made by whichever worker comes first and kept in schema_meta. */
export async function postgresStaffCardKey(pool: pg.Pool): Promise<Buffer> {
  await pool.query("INSERT INTO schema_meta (key, value) VALUES ('staff_card_key', $1) ON CONFLICT (key) DO NOTHING", [newStaffCardKey().toString('base64')]);
  const row = await pool.query<{ value: string }>("SELECT value FROM schema_meta WHERE key = 'staff_card_key'");
  return Buffer.from(row.rows[0]!.value, 'base64');
}

export class PostgresIdentityStore implements IdentityStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly key: Buffer,
  ) {}

  private async rows<T extends pg.QueryResultRow>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, params)).rows;
  }

  private async row(where: 'staff_id' | 'card_hash' | 'login', value: string): Promise<StaffRow | undefined> {
    return (await this.rows<StaffRow>(`SELECT * FROM staff WHERE ${where} = $1`, [value]))[0];
  }

  private cardHash(cardUid: string): string {
    return staffCardHash(this.key, cardUid);
  }

  private async assertFree(cardUid: string | undefined, login: string | undefined, self: string | null): Promise<void> {
    if (cardUid !== undefined) {
      const holder = await this.row('card_hash', this.cardHash(cardUid));
      if (holder && holder.staff_id !== self) throw new CodedError('BAD_REQUEST', 'this staff card is already issued to another staff member');
    }
    if (login !== undefined) {
      const holder = await this.row('login', login);
      if (holder && holder.staff_id !== self) throw new CodedError('BAD_REQUEST', `the login name '${login}' is taken`);
    }
  }

  async addStaff(staff: NewStaff): Promise<StaffAccount> {
    await this.assertFree(staff.cardUid, staff.login, null);
    const [row] = await this.rows<StaffRow>(
      'INSERT INTO staff (staff_id, name, role, store_ids, card_hash, pin_hash, login, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *',
      [staff.staffId, staff.name, staff.role, JSON.stringify(staff.storeIds), staff.cardUid ? this.cardHash(staff.cardUid) : null, staff.pinHash ?? null, staff.login ?? null, staff.passwordHash ?? null],
    );
    return account(row!);
  }

  async changeStaff(staffId: string, change: StaffChange): Promise<StaffAccount | null> {
    if (!(await this.row('staff_id', staffId))) return null;
    await this.assertFree(change.cardUid, change.login, staffId);
    const sets: string[] = [];
    const values: SqlValue[] = [];
    const set = (column: string, value: SqlValue) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
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
    // A new PIN or password starts a fresh count (as on SQLite).
    if (change.pinHash !== undefined || change.passwordHash !== undefined) {
      set('failed_attempts', 0);
      set('locked_until', null);
    }
    if (sets.length) await this.pool.query(`UPDATE staff SET ${sets.join(', ')} WHERE staff_id = $${values.length + 1}`, [...values, staffId]);
    return account((await this.row('staff_id', staffId))!);
  }

  async staffCredentialsById(staffId: string): Promise<StaffCredentials | null> {
    const row = await this.row('staff_id', staffId);
    return row ? credentials(row) : null;
  }

  async staffCredentialsByCard(cardUid: string): Promise<StaffCredentials | null> {
    const row = await this.row('card_hash', this.cardHash(cardUid));
    return row ? credentials(row) : null;
  }

  async staffCredentialsByLogin(login: string): Promise<StaffCredentials | null> {
    const row = await this.row('login', login);
    return row ? credentials(row) : null;
  }

  async listStaff(): Promise<StaffAccount[]> {
    return (await this.rows<StaffRow>('SELECT * FROM staff ORDER BY name, staff_id')).map(account);
  }

  async recordLockout(staffId: string, state: LockoutState): Promise<void> {
    await this.pool.query('UPDATE staff SET failed_attempts = $1, locked_until = $2 WHERE staff_id = $3', [state.failedAttempts, state.lockedUntil, staffId]);
  }

  async openSession(s: StoredSession & { tokenHash: string | null }): Promise<void> {
    await this.pool.query(
      'INSERT INTO staff_sessions (session_id, staff_id, device_id, kind, token_hash, label, opened_at, expires_at, ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [s.sessionId, s.staffId, s.deviceId, s.kind, s.tokenHash, s.label, s.openedAt, s.expiresAt, s.endedAt],
    );
  }

  async sessionByTokenHash(tokenHash: string): Promise<StoredSession | null> {
    const [row] = await this.rows<SessionRow>('SELECT * FROM staff_sessions WHERE token_hash = $1', [tokenHash]);
    return row ? session(row) : null;
  }

  async sessionById(sessionId: string): Promise<StoredSession | null> {
    const [row] = await this.rows<SessionRow>('SELECT * FROM staff_sessions WHERE session_id = $1', [sessionId]);
    return row ? session(row) : null;
  }

  async endSession(sessionId: string, at: string): Promise<void> {
    await this.pool.query('UPDATE staff_sessions SET ended_at = $1 WHERE session_id = $2 AND ended_at IS NULL', [at, sessionId]);
  }

  async endSessionsOf(staffId: string, at: string): Promise<number> {
    const result = await this.pool.query('UPDATE staff_sessions SET ended_at = $1 WHERE staff_id = $2 AND ended_at IS NULL AND expires_at > $1', [at, staffId]);
    return result.rowCount ?? 0;
  }

  async openSessionsOf(staffId: string, at: string): Promise<StoredSession[]> {
    return (await this.rows<SessionRow>('SELECT * FROM staff_sessions WHERE staff_id = $1 AND ended_at IS NULL AND expires_at > $2 ORDER BY opened_at DESC LIMIT 200', [staffId, at])).map(session);
  }

  async memberPin(memberId: string): Promise<(LockoutState & { pinHash: string }) | null> {
    const [row] = await this.rows<{ pin_hash: string; failed_attempts: number; locked_until: string | null }>(
      'SELECT pin_hash, failed_attempts, locked_until FROM member_pins WHERE member_id = $1',
      [memberId],
    );
    return row ? { pinHash: row.pin_hash, failedAttempts: row.failed_attempts, lockedUntil: row.locked_until } : null;
  }

  async setMemberPin(memberId: string, pinHash: string, at: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO member_pins (member_id, pin_hash, failed_attempts, locked_until, set_at) VALUES ($1, $2, 0, NULL, $3)
       ON CONFLICT (member_id) DO UPDATE SET pin_hash = excluded.pin_hash, failed_attempts = 0, locked_until = NULL, set_at = excluded.set_at`,
      [memberId, pinHash, at],
    );
  }

  async recordMemberPinLockout(memberId: string, state: LockoutState): Promise<void> {
    await this.pool.query('UPDATE member_pins SET failed_attempts = $1, locked_until = $2 WHERE member_id = $3', [state.failedAttempts, state.lockedUntil, memberId]);
  }

  async openMemberPinProof(proof: MemberPinProofState): Promise<void> {
    await this.pool.query('INSERT INTO member_pin_proofs (proof_id, member_id, device_id, opened_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      proof.proofId, proof.memberId, proof.deviceId, proof.openedAt, proof.expiresAt,
    ]);
  }

  async memberByPhone(phone: string): Promise<{ memberId: string; activeCardUid: string | null } | null> {
    const [member] = await this.rows<{ member_id: string }>('SELECT member_id FROM members WHERE phone = $1 ORDER BY created_at, member_id LIMIT 1', [phone]);
    if (!member) return null;
    const [card] = await this.rows<{ uid: string }>("SELECT uid FROM cards WHERE member_id = $1 AND status = 'active' ORDER BY uid LIMIT 1", [member.member_id]);
    return { memberId: member.member_id, activeCardUid: card?.uid ?? null };
  }

  async setDeviceMode(deviceId: string, mode: KioskMode): Promise<void> {
    if (deviceId === HQ_DEVICE_ID) throw new CodedError('BAD_REQUEST', 'the hub itself has no kiosk mode');
    await this.pool.query('INSERT INTO devices (device_id, mode) VALUES ($1, $2) ON CONFLICT (device_id) DO UPDATE SET mode = excluded.mode', [deviceId, mode]);
  }

  async setDeviceStore(deviceId: string, storeId: string): Promise<void> {
    if (deviceId === HQ_DEVICE_ID) throw new CodedError('BAD_REQUEST', 'the hub itself stands in no store');
    await this.pool.query('INSERT INTO devices (device_id, store_id) VALUES ($1, $2) ON CONFLICT (device_id) DO UPDATE SET store_id = excluded.store_id', [deviceId, storeId]);
  }

  async deviceStore(deviceId: string): Promise<string | null> {
    return (await this.rows<{ store_id: string | null }>('SELECT store_id FROM devices WHERE device_id = $1', [deviceId]))[0]?.store_id ?? null;
  }

  async deviceMode(deviceId: string): Promise<KioskMode> {
    if (deviceId === HQ_DEVICE_ID) return 'attended';
    return (await this.rows<{ mode: KioskMode }>('SELECT mode FROM devices WHERE device_id = $1', [deviceId]))[0]?.mode ?? 'unattended';
  }

  async appendAudit(e: AuditEntryInput): Promise<void> {
    const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
    await this.pool.query(
      `INSERT INTO audit_log (at, actor_kind, actor_id, surface, action, target, outcome, before_json, after_json, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [e.at, e.actorKind, e.actorId, e.surface, e.action, e.target, e.outcome, json(e.before), json(e.after), json(e.detail)],
    );
  }

  /** Newest first (../sqlite/audit-log-sql.ts readAuditEntries). */
  async auditEntries(query: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const add = (clause: (n: string) => string, value: string | number) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    const prefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    if (query.beforeId !== undefined) add((n) => `audit_id < ${n}`, query.beforeId);
    if (query.actorId !== undefined) add((n) => `actor_id = ${n}`, query.actorId);
    if (query.action !== undefined) add((n) => `action LIKE ${n} ESCAPE '\\'`, prefix(query.action));
    if (query.target !== undefined) add((n) => `target = ${n}`, query.target);
    if (query.surface !== undefined) add((n) => `surface = ${n}`, query.surface);
    if (query.outcome !== undefined) add((n) => `outcome LIKE ${n} ESCAPE '\\'`, prefix(query.outcome));
    if (query.fromIso !== undefined) add((n) => `at >= ${n}`, query.fromIso);
    if (query.toIso !== undefined) add((n) => `at < ${n}`, query.toIso);
    params.push(Math.min(Math.max(query.limit, 1), 1000));
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY audit_id DESC LIMIT $${params.length}`;
    const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
    return (await this.rows<AuditRow>(sql, params)).map((r) => ({
      auditId: r.audit_id, at: r.at, actorKind: r.actor_kind, actorId: r.actor_id, surface: r.surface, action: r.action,
      target: r.target, outcome: r.outcome, before: parse(r.before_json), after: parse(r.after_json), detail: parse(r.detail) as Record<string, unknown> | null,
    }));
  }

  /**
   * Every entry the query matches, newest first, a page at a time as it is iterated (../sqlite/audit-log-sql.ts
   * iterateAuditEntries): no connection is held while the consumer (a streamed export) waits between pages.
   * Entries appended during the iteration are not included (they come after its first page).
   */
  async *auditEntryRows(query: Omit<AuditQuery, 'limit'>): AsyncGenerator<AuditEntry> {
    let beforeId = query.beforeId;
    for (;;) {
      const page = await this.auditEntries({ ...query, limit: AUDIT_ROWS_PAGE, ...(beforeId === undefined ? {} : { beforeId }) });
      yield* page;
      if (page.length < AUDIT_ROWS_PAGE) return;
      beforeId = page[page.length - 1]!.auditId;
    }
  }
}
