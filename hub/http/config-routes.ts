/**
 * Signed fleet configuration over the hub's API, for HQ's console and automations — what `memberkiosk config
 * publish|list` do on the data directory. HQ admins only; every publish goes into the audit log with who made it.
 *
 * POST /api/config `{scope: "store:S", content: {...}, expiresDays?, version?}` → 201 `{scope, version, expires, kiosks}`;
 * GET /api/config → the signing key, the newest version of each scope and each kiosk's snapshot (and, where the
 * hub keeps a device registry, what the kiosk reports it applied or refused).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isCodedError } from '../../core/errors/coded-error.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import type { ConfigOverview } from '../config/config-overview.ts';
import type { PublishOutcome, PublishRequest } from '../config/publish-config.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import { requireStaff } from './require-staff.ts';

export interface ConfigRoutesDeps {
  identity: IdentityService;
  identityStore: Pick<IdentityStore, 'appendAudit'>;
  /** Checks, signs and stores a bundle, then has the hub send it at once (hub/main.ts). */
  publish: (request: PublishRequest) => Promise<PublishOutcome>;
  /** What is published and each kiosk's snapshot (with what it reports it applied, where the hub keeps a registry). */
  overview: () => Promise<ConfigOverview>;
}

const publishBody = z.object({
  scope: z.string().min(1).max(80),
  content: z.record(z.string(), z.unknown()),
  expiresDays: z.number().int().min(1).max(3_650).optional(),
  version: z.number().int().positive().optional(),
});

export function registerConfigRoutes(app: FastifyInstance, deps: ConfigRoutesDeps): void {
  const admin = async (request: Parameters<typeof requireStaff>[1]) => (await requireStaff(deps.identity, request, ['hq_admin'])).staff.staffId;

  app.get('/api/config', async (request) => {
    await admin(request);
    return deps.overview();
  });

  app.post('/api/config', async (request, reply) => {
    const by = await admin(request);
    const body = parseRequest(publishBody, request.body);
    const at = new Date().toISOString();
    try {
      const outcome = await deps.publish({
        scope: body.scope,
        content: body.content,
        publishedBy: `staff:${by}`,
        ...(body.expiresDays === undefined ? {} : { expiresDays: body.expiresDays }),
        ...(body.version === undefined ? {} : { version: body.version }),
      });
      await deps.identityStore.appendAudit({
        at,
        actorKind: 'staff',
        actorId: by,
        surface: 'hub',
        action: 'config.publish',
        target: outcome.scope,
        outcome: 'ok',
        before: null,
        after: { version: outcome.version, expires: outcome.expires, keyId: outcome.keyId, kiosks: outcome.kiosks.length },
        detail: null,
      });
      return reply.code(201).send(outcome);
    } catch (error) {
      // A refused publish is audited too: who tried to push what where, and why it was refused.
      if (isCodedError(error)) {
        await deps.identityStore.appendAudit({ at, actorKind: 'staff', actorId: by, surface: 'hub', action: 'config.publish', target: body.scope.slice(0, 64), outcome: `refused:${error.code}`, before: null, after: null, detail: { message: error.message.slice(0, 300) } });
      }
      throw error;
    }
  });
}
