/**
 * HQ's retention rules applied (PIPL; ../ledger/retention-store.ts): contact-log entries dated more than N months
 * ago are deleted (a count per member kept), and members unseen for N months with nothing on any account have their
 * personal fields erased as the console's erasure does (journal, transactions, balances and consents kept), each
 * erasure audited with the actor `system`/`retention`. Both rules are off until HQ sets them.
 *
 * Daily: the hub's hourly sweep (hub/main.ts) calls `sweepRetention`, which runs when the last daily run is a day
 * old, or left work behind (a run is bounded: MAX_ERASURES_PER_RUN members, MAX_CONTACTS_PER_RUN entries, so a
 * first run over years of data cannot hold the ledger for minutes). HQ can run it at once (POST
 * /api/retention/run). Idempotent: an erased member is no candidate and a deleted entry is gone, so a second run
 * finds nothing; each member is checked again in the erasing transaction, so a visit after the preview keeps them.
 *
 * The months are calendar months back from today in the chain's time zone: with 24 months on 2026-03-31, the
 * cutoff is the local midnight starting 2024-03-31 (a shorter month's last day when the day does not exist).
 */
import { clockFor } from '../../core/rules/local-time.ts';
import { ERASED_FIELDS, KEPT_ON_ERASE } from '../ledger/member-profile-store.ts';
import type { ErasureCandidate, RetentionRules, RetentionStore } from '../ledger/retention-store.ts';

export const MAX_ERASURES_PER_RUN = 200;
export const MAX_CONTACTS_PER_RUN = 5000;
/** The audit log's actor of what the rules do on their own (actor kind `system`). */
export const RETENTION_ACTOR = 'retention';
const DAY_MS = 86_400_000;

export interface RetentionCutoffs {
  /** Contact-log entries dated before this local day are due; null: the rule is off. */
  contactDay: string | null;
  /** Members registered and last seen before this instant (ISO) are due; null: the rule is off. */
  inactiveIso: string | null;
  /** Its local day, for people. */
  inactiveDay: string | null;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The local day `months` calendar months before `now`'s, and the instant it starts, in `timezone`. */
export function monthsBack(now: string, months: number, timezone: string): { day: string; iso: string } {
  const clock = clockFor(timezone);
  const today = clock.fields(Date.parse(now));
  const total = today.year * 12 + (today.month - 1) - months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(today.day, lastDay);
  return { day: `${year}-${pad(month)}-${pad(day)}`, iso: new Date(clock.instantOfLocal(year, month, day)).toISOString() };
}

export function retentionCutoffs(now: string, rules: RetentionRules, timezone: string): RetentionCutoffs {
  const contacts = rules.contactMonths === null ? null : monthsBack(now, rules.contactMonths, timezone);
  const inactive = rules.inactiveMonths === null ? null : monthsBack(now, rules.inactiveMonths, timezone);
  return { contactDay: contacts?.day ?? null, inactiveIso: inactive?.iso ?? null, inactiveDay: inactive?.day ?? null };
}

export interface RetentionPreview {
  rules: RetentionRules;
  cutoffs: RetentionCutoffs;
  /** Contact-log entries the next run would delete (all of them, over as many runs as it takes); null: the rule is off. */
  contactsDue: number | null;
  /** Members the next runs would erase, and the first of them; null: the rule is off. */
  members: { total: number; candidates: ErasureCandidate[] } | null;
}

/** What the rules (the saved ones, or ones HQ is trying out) would do now. Reads only. */
export async function previewRetention(store: RetentionStore, now: string, rules: RetentionRules, timezone: string, limit: number): Promise<RetentionPreview> {
  const cutoffs = retentionCutoffs(now, rules, timezone);
  return {
    rules,
    cutoffs,
    contactsDue: cutoffs.contactDay === null ? null : await store.contactsDue(cutoffs.contactDay),
    members: cutoffs.inactiveIso === null ? null : await store.erasureCandidates(cutoffs.inactiveIso, limit),
  };
}

export interface RetentionRunResult {
  ran: boolean;
  contactsDeleted: number;
  membersErased: number;
  /** false: the run stopped at its bound; the next sweep carries on. */
  complete: boolean;
}

/** One run of the saved rules. `triggeredBy`: the HQ admin who asked for it now (the erasures stay the system's). */
export async function applyRetention(store: RetentionStore, now: string, timezone: string, trigger: 'daily' | 'manual', triggeredBy: string | null = null): Promise<RetentionRunResult> {
  const rules = await store.settings();
  if (rules.contactMonths === null && rules.inactiveMonths === null) return { ran: false, contactsDeleted: 0, membersErased: 0, complete: true };
  const cutoffs = retentionCutoffs(now, rules, timezone);
  const system = { at: now, actorKind: 'system' as const, actorId: RETENTION_ACTOR, surface: 'hub', outcome: 'ok' };
  let complete = true;
  let contactsDeleted = 0;
  if (cutoffs.contactDay !== null) {
    const purged = await store.purgeContacts(cutoffs.contactDay, MAX_CONTACTS_PER_RUN, now, {
      ...system, action: 'member.contacts_purged', target: null, detail: { reason: 'retention', contactMonths: rules.contactMonths, before: cutoffs.contactDay, triggeredBy },
    });
    contactsDeleted = purged.deleted;
    if (purged.more) complete = false;
  }
  let membersErased = 0;
  if (cutoffs.inactiveIso !== null) {
    const cutoff = cutoffs.inactiveIso;
    const { total, candidates } = await store.erasureCandidates(cutoff, MAX_ERASURES_PER_RUN);
    if (total > candidates.length) complete = false;
    for (const c of candidates) {
      // Only field names and the reason: the values erased must not outlive the erasure in the append-only log.
      const erased = await store.eraseIfEligible(c.memberId, cutoff, now, (still) => ({
        ...system, action: 'member.erase', target: still.memberId, before: { erasedAt: null }, after: { erasedAt: now },
        detail: { reason: 'retention', inactiveMonths: rules.inactiveMonths, lastVisitAt: still.lastVisitAt, registeredAt: still.createdAt, fields: ERASED_FIELDS, kept: KEPT_ON_ERASE, triggeredBy },
      }));
      if (erased) membersErased += 1;
    }
  }
  await store.recordRun({ at: now, trigger, contactsDeleted, membersErased, complete });
  return { ran: true, contactsDeleted, membersErased, complete };
}

/** The hourly sweep's part: a daily run when the last is a day old or stopped at its bound; otherwise nothing. */
export async function sweepRetention(store: RetentionStore, now: string, timezone: string): Promise<RetentionRunResult | null> {
  const last = (await store.runs(20)).find((r) => r.trigger === 'daily');
  const due = !last || !last.complete || Date.parse(now) - Date.parse(last.at) >= DAY_MS;
  return due ? applyRetention(store, now, timezone, 'daily') : null;
}
