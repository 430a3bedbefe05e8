/**
 * HQ's personal-data retention over the API (PIPL; hub/hq/apply-retention.ts), HQ admins only:
 *
 * | route | what |
 * |---|---|
 * | `GET /api/settings/retention` | the rules (months, null = off), who set them, the last runs |
 * | `PUT /api/settings/retention` `{contactMonths, inactiveMonths}` | sets both (null turns a rule off); audited `settings.retention` with before and after |
 * | `GET /api/retention/preview[?contactMonths&inactiveMonths&limit]` | what a run would do now: contact entries due, the members it would erase (phones masked); the months given override the saved ones, so HQ sees before saving |
 * | `POST /api/retention/run` | runs the saved rules now (the daily sweep's run, bounded the same); audited `retention.run` |
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { maskPhone } from '../../core/privacy/mask.ts';
import { applyRetention, previewRetention } from '../hq/apply-retention.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import type { RetentionRules, RetentionStore } from '../ledger/retention-store.ts';
import { requireStaff } from './require-staff.ts';

export interface RetentionRoutesDeps {
  identity: IdentityService;
  identityStore: Pick<IdentityStore, 'appendAudit'>;
  retention: RetentionStore;
  /** The chain's time zone (the newest rules bundle's): months are counted in its calendar. */
  timezone: () => Promise<string>;
}

/** A contact log is kept at least a month; an erasure needs at least half a year without a visit, so a typo cannot erase last month's members. */
export const MIN_CONTACT_MONTHS = 1;
export const MIN_INACTIVE_MONTHS = 6;
const MAX_MONTHS = 600;

const months = (min: number) => z.number().int().min(min).max(MAX_MONTHS).nullable();
const settingsBody = z.object({ contactMonths: months(MIN_CONTACT_MONTHS), inactiveMonths: months(MIN_INACTIVE_MONTHS) }).strict();
/** In a query: a number of months, or 'off'; absent: the saved rule. */
const monthsParam = (min: number) => z.union([z.literal('off'), z.coerce.number().int().min(min).max(MAX_MONTHS)]).optional();
const previewQuery = z.object({
  contactMonths: monthsParam(MIN_CONTACT_MONTHS),
  inactiveMonths: monthsParam(MIN_INACTIVE_MONTHS),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function registerRetentionRoutes(app: FastifyInstance, deps: RetentionRoutesDeps): void {
  const { identity, retention } = deps;
  const hq = ['hq_admin'] as const;

  app.get('/api/settings/retention', async (request) => {
    await requireStaff(identity, request, hq);
    return { settings: await retention.settings(), runs: await retention.runs(10), minimums: { contactMonths: MIN_CONTACT_MONTHS, inactiveMonths: MIN_INACTIVE_MONTHS } };
  });

  app.put('/api/settings/retention', async (request) => {
    const { staff } = await requireStaff(identity, request, hq);
    const rules = parseRequest(settingsBody, request.body);
    const { after } = await retention.saveSettings(rules, new Date().toISOString(), {
      at: new Date().toISOString(), actorKind: 'staff', actorId: staff.staffId, surface: 'hub', action: 'settings.retention', target: null, outcome: 'ok', detail: null,
    });
    return { settings: after };
  });

  app.get('/api/retention/preview', async (request) => {
    await requireStaff(identity, request, hq);
    const query = parseRequest(previewQuery, request.query);
    const saved = await retention.settings();
    const pick = (given: number | 'off' | undefined, current: number | null) => (given === undefined ? current : given === 'off' ? null : given);
    const rules: RetentionRules = { contactMonths: pick(query.contactMonths, saved.contactMonths), inactiveMonths: pick(query.inactiveMonths, saved.inactiveMonths) };
    const preview = await previewRetention(retention, new Date().toISOString(), rules, await deps.timezone(), query.limit);
    return {
      ...preview,
      members: preview.members && { total: preview.members.total, candidates: preview.members.candidates.map((c) => ({ ...c, phone: maskPhone(c.phone) })) },
    };
  });

  app.post('/api/retention/run', async (request) => {
    const { staff } = await requireStaff(identity, request, hq);
    const now = new Date().toISOString();
    const result = await applyRetention(retention, now, await deps.timezone(), 'manual', staff.staffId);
    await deps.identityStore.appendAudit({ at: now, actorKind: 'staff', actorId: staff.staffId, surface: 'hub', action: 'retention.run', target: null, outcome: 'ok', before: null, after: null, detail: { ...result } });
    return result;
  });
}
