/**
 * HQ's personal-data retention under China's PIPL (schema 8, sqlite/schema-console-features.ts): how long contact-log
 * entries are kept, and after how long without a visit a member with nothing on any account has their personal
 * fields erased (the erasure MemberProfileStore.erase makes; journal, transactions and consents kept). Each rule is
 * off (null) until HQ sets it. The sweep (hub/hq/apply-retention.ts) applies them; the routes
 * (hub/http/retention-routes.ts) set them and show what the next run would do.
 *
 * Every change here writes its audit line in the same database transaction as the change itself, so there is never
 * an erasure, a deletion or a setting change without its line.
 */
import type { AuditEntryInput } from '../identity/audit-entry.ts';

export interface RetentionRules {
  /** Contact-log entries whose day is more than this many months ago are deleted; null: kept for ever. */
  contactMonths: number | null;
  /** Members unseen for this many months with every balance zero are erased; null: never. */
  inactiveMonths: number | null;
}

export interface RetentionSettings extends RetentionRules {
  updatedAt: string | null;
  updatedBy: string | null;
}

/** A member the erasure rule reaches (the preview's row). `phone` in full: the route masks it. */
export interface ErasureCandidate {
  memberId: string;
  name: string;
  phone: string;
  homeStoreId: string | null;
  createdAt: string;
  /** Their last transaction at a kiosk or counter (not HQ's sweeps); null: none since they registered. */
  lastVisitAt: string | null;
}

export interface RetentionRun {
  runId: number;
  at: string;
  trigger: 'daily' | 'manual';
  contactsDeleted: number;
  membersErased: number;
  /** false: the run stopped at its bound and left eligible data for the next one. */
  complete: boolean;
}

export type RetentionAudit = Omit<AuditEntryInput, 'before' | 'after'>;

export interface RetentionStore {
  settings(): Promise<RetentionSettings>;
  /** Saves the rules and appends `audit` with before and after; answers both. */
  saveSettings(rules: RetentionRules, at: string, audit: RetentionAudit): Promise<{ before: RetentionSettings; after: RetentionSettings }>;
  /** How many contact-log entries have a day before `cutoffDay` (YYYY-MM-DD). */
  contactsDue(cutoffDay: string): Promise<number>;
  /**
   * Deletes up to `limit` contact-log entries dated before `cutoffDay`, oldest first, adding to each member's count
   * of deleted entries, and appends `audit` with the numbers when anything was deleted.
   */
  purgeContacts(cutoffDay: string, limit: number, at: string, audit: RetentionAudit): Promise<{ deleted: number; members: number; more: boolean }>;
  /**
   * Members not erased, registered and last seen before `cutoffIso`, with every account at zero (stored value,
   * bonus, points, punches, nothing owed on credit or shortfall): the first `limit` by member id, and how many.
   */
  erasureCandidates(cutoffIso: string, limit: number): Promise<{ total: number; candidates: ErasureCandidate[] }>;
  /**
   * Erases the member if they are still a candidate at `cutoffIso`, appending the audit line `auditOf` makes in the
   * same database transaction; false (nothing written) when they no longer are: a visit or a top-up meanwhile.
   */
  eraseIfEligible(memberId: string, cutoffIso: string, at: string, auditOf: (candidate: ErasureCandidate) => AuditEntryInput): Promise<boolean>;
  recordRun(run: Omit<RetentionRun, 'runId'>): Promise<void>;
  /** Newest first. */
  runs(limit: number): Promise<RetentionRun[]>;
}
