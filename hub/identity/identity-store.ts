/**
 * The identity model's storage port: staff accounts (found by card hash or login), their lockout state, staff
 * sessions, the kiosks' modes and the audit log. The ledger back end implements it on the same database, so a
 * staff transaction, the session it names and its audit line are read and written in one database transaction.
 * The rules (hashing, lockout, who may do what) live in identity-service.ts and core; this only stores.
 */
import type { LockoutState } from '../../core/identity/lockout.ts';
import type { KioskMode, MemberPinProofState, StaffRole, StaffSessionState, StaffState } from '../../core/ledger/types.ts';
import type { AuditEntry, AuditEntryInput } from './audit-entry.ts';

export interface StaffAccount extends StaffState, LockoutState {
  login: string | null;
  hasCard: boolean;
  hasPin: boolean;
  hasPassword: boolean;
  /** 员工级别: the level the commission schedule pays them by (docs/ACCOUNTS.md); null: none set. */
  level: string | null;
}

/** An account with its secrets' hashes, for the service that checks them; never leaves the hub. */
export interface StaffCredentials extends StaffAccount {
  pinHash: string | null;
  passwordHash: string | null;
}

export interface NewStaff {
  staffId: string;
  name: string;
  role: StaffRole;
  storeIds: string[];
  cardUid?: string | undefined;
  pinHash?: string | undefined;
  login?: string | undefined;
  passwordHash?: string | undefined;
}

export type StaffChange = Partial<Pick<NewStaff, 'name' | 'role' | 'storeIds' | 'cardUid' | 'pinHash' | 'login' | 'passwordHash'>> & { active?: boolean; level?: string | null };

export type SessionKind = 'kiosk' | 'login' | 'api_token';

export interface StoredSession extends StaffSessionState {
  kind: SessionKind;
  label: string | null;
}

export interface AuditQuery {
  limit: number;
  beforeId?: number | undefined;
  actorId?: string | undefined;
  action?: string | undefined;
  target?: string | undefined;
  surface?: string | undefined;
  /** A prefix of the outcome ('refused' finds every refusal). */
  outcome?: string | undefined;
  /** At or after this instant (ISO) and before `toIso`. */
  fromIso?: string | undefined;
  toIso?: string | undefined;
}

export interface IdentityStore {
  /** STAFF_EXISTS-like conflicts (card or login taken) throw a CodedError('BAD_REQUEST'). */
  addStaff(staff: NewStaff): Promise<StaffAccount>;
  changeStaff(staffId: string, change: StaffChange): Promise<StaffAccount | null>;
  staffCredentialsById(staffId: string): Promise<StaffCredentials | null>;
  staffCredentialsByCard(cardUid: string): Promise<StaffCredentials | null>;
  staffCredentialsByLogin(login: string): Promise<StaffCredentials | null>;
  listStaff(): Promise<StaffAccount[]>;
  recordLockout(staffId: string, state: LockoutState): Promise<void>;

  openSession(session: StoredSession & { tokenHash: string | null }): Promise<void>;
  sessionByTokenHash(tokenHash: string): Promise<StoredSession | null>;
  sessionById(sessionId: string): Promise<StoredSession | null>;
  endSession(sessionId: string, at: string): Promise<void>;
  /** Ends every open session of the staff member (password changed, account deactivated). */
  endSessionsOf(staffId: string, at: string): Promise<number>;
  /** The staff member's sessions still open at `at` (not ended, not expired), newest first. */
  openSessionsOf(staffId: string, at: string): Promise<StoredSession[]>;

  /** A member's PIN hash and lockout state; null when they have none. */
  memberPin(memberId: string): Promise<(LockoutState & { pinHash: string }) | null>;
  setMemberPin(memberId: string, pinHash: string, at: string): Promise<void>;
  recordMemberPinLockout(memberId: string, state: LockoutState): Promise<void>;
  openMemberPinProof(proof: MemberPinProofState): Promise<void>;
  /** The member with this phone number and their one active card, for a loss reported without the card. */
  memberByPhone(phone: string): Promise<{ memberId: string; activeCardUid: string | null } | null>;

  setDeviceMode(deviceId: string, mode: KioskMode): Promise<void>;
  /** The store the device was enrolled in: its transactions must name it. */
  setDeviceStore(deviceId: string, storeId: string): Promise<void>;
  deviceMode(deviceId: string): Promise<KioskMode>;
  /** The store the device was enrolled in; null when it was not enrolled (HQ, or before the fleet existed). */
  deviceStore(deviceId: string): Promise<string | null>;

  appendAudit(entry: AuditEntryInput): Promise<void>;
  /** Newest first. */
  auditEntries(query: AuditQuery): Promise<AuditEntry[]>;
  /**
   * Every entry the query matches (no limit), newest first, read a page at a time as it is iterated (an export).
   * Synchronous where the database is (SQLite), asynchronous where it is not (PostgreSQL).
   */
  auditEntryRows(query: Omit<AuditQuery, 'limit'>): Iterable<AuditEntry> | AsyncIterable<AuditEntry>;
}
