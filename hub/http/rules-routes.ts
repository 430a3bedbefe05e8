/**
 * The console's Rules page over the hub's API (issue 12, item 5): the rules each scope publishes, their history,
 * the draft's JSON Schema, a dry run of a draft on a sample member and basket, a draft's check, publishing a draft
 * (or an earlier version's rules, as a new version) and which kiosks applied a version.
 *
 * Who: HQ admins every scope; a region manager only the store scopes of the stores they list (their staff
 * `storeIds`; '*' every store), never the chain's or a region's rules; any other role 403 AUTH_FORBIDDEN.
 * A scope outside a region manager's stores is 403 too (scopes are not secret, unlike members).
 *
 * Publishing goes through the one publish path (hub/config/publish-config.ts via the hub's `publish`, which also
 * sends it at once): the scope's other sections (limits, receipt, items…) are kept as published, its `rules`
 * replaced. Every publish and roll-forward, done or refused, is in the audit log; a dry run changes nothing and
 * touches no ledger.
 *
 * GET  /api/rules/scopes                          the scopes the caller may edit, each with its newest version
 * GET  /api/rules/scope?scope=store:S             newest version, history (rules of each), inherited and effective rules
 * GET  /api/rules/schema                          JSON Schema of a draft (from the zod schema the hub checks with)
 * POST /api/rules/validate {scope, rules}         {valid, issues: [{code, path, reason, source}]}
 * POST /api/rules/try {scope, rules, input}       the engine's evaluation and trace under the draft and as published
 * POST /api/rules/publish {scope, rules | fromVersion, baseVersion}  201 the publish outcome
 * GET  /api/rules/rollout?scope=&version=         each kiosk under the scope: applied, refused or pending
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ConfigContent } from '../../core/config/config-content.ts';
import { parseScopeArgument, scopeLevelOf, type ConfigScope } from '../../core/config/config-scope.ts';
import { CodedError, isCodedError } from '../../core/errors/coded-error.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { EVERY_STORE } from '../../core/identity/member-scope.ts';
import { parseEvaluationInput } from '../../core/rules/context-schema.ts';
import { evaluateInput } from '../../core/rules/evaluate-input.ts';
import { checkRulesBundle } from '../../core/rules/parse.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { ConfigStore } from '../config/config-store.ts';
import { rulesDigest } from '../config/config-targets.ts';
import type { PublishOutcome, PublishRequest } from '../config/publish-config.ts';
import { chainOf, checkDraft, inheritedRules, mergedRules, rulesDraftJsonSchema } from '../config/rules-drafts.ts';
import type { FleetRegistry } from '../fleet/fleet-registry.ts';
import type { IdentityService, SignedIn } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import { readDevicesView, type DeviceStatusSource } from '../registry/read-devices-view.ts';
import { requireStaff } from './require-staff.ts';
import { withBothTexts } from '../../core/rules/trace-text.ts';

export interface RulesRoutesDeps {
  identity: IdentityService;
  identityStore: Pick<IdentityStore, 'appendAudit'>;
  config: Pick<ConfigStore, 'latestBundle' | 'latestBundles' | 'bundleHistory'>;
  fleet: Pick<FleetRegistry, 'listRegions' | 'listStores' | 'listDevices' | 'store' | 'device'>;
  /** The device registry (what each kiosk reports it applied); absent: every kiosk shows as not reported. */
  deviceStatus?: DeviceStatusSource | null;
  /** The hub's one publish path (publishConfig, then sent at once). */
  publish: (request: PublishRequest) => Promise<PublishOutcome>;
}

const RULES_ROLES = ['hq_admin', 'region_manager'] as const;
const HISTORY_LIMIT = 50;

const scopeText = z.string().min(1).max(80);
const draft = z.record(z.string(), z.unknown());
const scopeQuery = z.object({ scope: scopeText });
const rolloutQuery = z.object({ scope: scopeText, version: z.coerce.number().int().positive().optional() });
const validateBody = z.object({ scope: scopeText, rules: draft });
const tryBody = z.object({ scope: scopeText, rules: draft, input: z.record(z.string(), z.unknown()) });
const publishBody = z
  .object({ scope: scopeText, rules: draft.optional(), fromVersion: z.number().int().positive().optional(), baseVersion: z.number().int().nonnegative().optional(), expiresDays: z.number().int().min(1).max(3_650).optional() })
  .refine((b) => (b.rules === undefined) !== (b.fromVersion === undefined), 'give either rules or fromVersion');

type Staff = SignedIn['staff'];

export function registerRulesRoutes(app: FastifyInstance, deps: RulesRoutesDeps): void {
  const signedIn = async (request: FastifyRequest) => (await requireStaff(deps.identity, request, RULES_ROLES)).staff;

  /** The scope in wire form with what a kiosk under it merges, once the caller may use it (else 403, 404 or 400). */
  async function scopeFor(staff: Staff, text: string): Promise<{ scope: ConfigScope; chain: ConfigScope[] }> {
    const scope = parseScopeArgument(text);
    const level = scopeLevelOf(scope);
    const id = scope.slice(level.length + 1);
    if (staff.role !== 'hq_admin' && !(level === 'store' && (staff.storeIds.includes(EVERY_STORE) || staff.storeIds.includes(id)))) {
      throw new CodedError('AUTH_FORBIDDEN', `a ${staff.role} may change the rules of their own stores only, not ${scope}`);
    }
    if (level === 'global') return { scope, chain: chainOf(scope, { storeRegion: null }) };
    if (level === 'region') {
      if (!(await deps.fleet.listRegions()).some((r) => r.regionId === id)) throw new CodedError('CONFIG_SCOPE_UNKNOWN', `no region ${id} in the fleet`);
      return { scope, chain: chainOf(scope, { storeRegion: null }) };
    }
    if (level === 'store') {
      const store = await deps.fleet.store(id);
      if (!store) throw new CodedError('CONFIG_SCOPE_UNKNOWN', `no store ${id} in the fleet`);
      return { scope, chain: chainOf(scope, { storeRegion: store.regionId }) };
    }
    const device = await deps.fleet.device(id);
    if (!device || device.revokedAt !== null) throw new CodedError('CONFIG_SCOPE_UNKNOWN', `no enrolled kiosk ${id} in the fleet`);
    const store = await deps.fleet.store(device.storeId);
    return { scope, chain: chainOf(scope, { storeRegion: store?.regionId ?? null, kiosk: { deviceId: id, storeId: device.storeId, regionId: store?.regionId ?? null } }) };
  }

  const audit = (staff: Staff, action: string, target: string, outcome: string, before: unknown, after: unknown, detail: Record<string, unknown> | null) =>
    deps.identityStore.appendAudit({ at: new Date().toISOString(), actorKind: 'staff', actorId: staff.staffId, surface: 'hub', action, target: target.slice(0, 64), outcome, before, after, detail });

  /** A route that names a scope: a refusal of the scope (not of the role) is audited, as a publish's is. */
  async function scopeOrAudited(staff: Staff, text: string, action: string) {
    try {
      return await scopeFor(staff, text);
    } catch (error) {
      if (isCodedError(error) && error.code === 'AUTH_FORBIDDEN') await audit(staff, action, text, `refused:${error.code}`, null, null, { message: error.message.slice(0, 300) });
      throw error;
    }
  }

  app.get('/api/rules/scopes', async (request) => {
    const staff = await signedIn(request);
    const [regions, stores, devices] = await Promise.all([deps.fleet.listRegions(), deps.fleet.listStores(), deps.fleet.listDevices()]);
    const latest = new Map((await deps.config.latestBundles()).map((b) => [b.scope, b] as const));
    const row = (scope: ConfigScope, name: string, parent: string | null, kiosks: number) => {
      const b = latest.get(scope);
      return { scope, level: scopeLevelOf(scope), name, parent, kiosks, version: b?.version ?? null, publishedAt: b?.publishedAt ?? null, publishedBy: b?.publishedBy ?? null, hasRules: b?.signed.signed.content.rules !== undefined };
    };
    const active = devices.filter((d) => d.revokedAt === null);
    const storeKiosks = (storeId: string) => active.filter((d) => d.storeId === storeId).length;
    const all = [
      row('global', 'global', null, active.length),
      ...regions.map((r) => row(`region/${r.regionId}`, r.name, 'global', stores.filter((s) => s.regionId === r.regionId).reduce((n, s) => n + storeKiosks(s.storeId), 0))),
      ...stores.map((s) => row(`store/${s.storeId}`, s.name, `region/${s.regionId}`, storeKiosks(s.storeId))),
    ];
    const mine = staff.role === 'hq_admin' ? all : all.filter((s) => s.level === 'store' && (staff.storeIds.includes(EVERY_STORE) || staff.storeIds.includes(s.scope.slice('store/'.length))));
    return { scopes: mine };
  });

  app.get('/api/rules/scope', async (request) => {
    const staff = await signedIn(request);
    const { scope, chain } = await scopeFor(staff, parseRequest(scopeQuery, request.query).scope);
    const history = (await deps.config.bundleHistory(scope, HISTORY_LIMIT)).map((b) => ({
      version: b.version,
      publishedAt: b.publishedAt,
      publishedBy: b.publishedBy,
      expires: b.expires,
      seededFromRules: b.seededFromRules,
      rules: b.signed.signed.content.rules ?? null,
      digest: b.signed.signed.content.rules ? rulesDigest(b.signed.signed.content.rules) : null,
    }));
    const effective = checkRulesBundle({ ...(await mergedRules(deps.config, chain, scope)), version: 1 });
    return {
      scope,
      chain,
      latest: history[0] ?? null,
      history,
      /** What the scope gets from broader scopes (the chain's defaults under all of them). */
      inherited: await inheritedRules(deps.config, chain, scope),
      effective: effective.ok ? stripVersion(effective.bundle) : null,
    };
  });

  app.get('/api/rules/schema', async (request, reply) => {
    await signedIn(request);
    return reply.header('cache-control', 'private, max-age=300').send(rulesDraftJsonSchema());
  });

  app.post('/api/rules/validate', async (request) => {
    const staff = await signedIn(request);
    const body = parseRequest(validateBody, request.body);
    const { scope, chain } = await scopeFor(staff, body.scope);
    const checked = await checkDraft(deps.config, chain, scope, body.rules);
    return { scope, valid: checked.valid, issues: checked.issues, effective: checked.effective ? stripVersion(checked.effective) : null };
  });

  // A dry run: the engine on the sample, under the draft merged over the chain and under the rules as published.
  app.post('/api/rules/try', async (request) => {
    const staff = await signedIn(request);
    const body = parseRequest(tryBody, request.body);
    const { scope, chain } = await scopeFor(staff, body.scope);
    const checked = await checkDraft(deps.config, chain, scope, body.rules);
    if (!checked.effective) throw new CodedError('RULES_INVALID', `the draft does not validate: ${checked.issues[0]?.path || '(rules)'}: ${checked.issues[0]?.reason ?? 'invalid'}`, { issues: checked.issues });
    const input = parseEvaluationInput(body.input);
    if (!input.ok) throw new CodedError('TX_INVALID', `the sample is not a valid evaluation input: ${input.issues[0]?.path || '(input)'}: ${input.issues[0]?.reason ?? 'invalid'}`, { issues: input.issues });
    const published = checkRulesBundle({ ...(await mergedRules(deps.config, chain, scope)), version: 1 });
    return { scope, draft: run(checked.effective, input.input), published: published.ok ? run(published.bundle, input.input) : null };
  });

  app.post('/api/rules/publish', async (request, reply) => {
    const staff = await signedIn(request);
    const body = parseRequest(publishBody, request.body);
    const action = body.fromVersion === undefined ? 'rules.publish' : 'rules.roll_forward';
    const { scope, chain } = await scopeOrAudited(staff, body.scope, action);
    const latest = await deps.config.latestBundle(scope);
    const before = latest ? { version: latest.version, rulesDigest: latest.signed.signed.content.rules ? rulesDigest(latest.signed.signed.content.rules) : null } : null;
    const refuse = async (error: CodedError) => {
      await audit(staff, action, scope, `refused:${error.code}`, before, null, { message: error.message.slice(0, 300), ...(body.fromVersion === undefined ? {} : { fromVersion: body.fromVersion }) });
      return error;
    };
    if (body.baseVersion !== undefined && (latest?.version ?? 0) !== body.baseVersion) {
      throw await refuse(new CodedError('CONFIG_VERSION_STALE', `${scope} is at version ${latest?.version ?? 0}, not ${body.baseVersion}: someone published since the draft was opened`, { scope, latest: latest?.version ?? 0 }));
    }
    let rules = body.rules;
    if (body.fromVersion !== undefined) {
      const old = (await deps.config.bundleHistory(scope, Number.MAX_SAFE_INTEGER)).find((b) => b.version === body.fromVersion);
      if (!old) throw await refuse(new CodedError('NOT_FOUND', `${scope} has no version ${body.fromVersion}`));
      rules = old.signed.signed.content.rules ?? {};
    }
    const checked = await checkDraft(deps.config, chain, scope, rules);
    if (!checked.valid) throw await refuse(new CodedError('RULES_INVALID', `the rules do not validate: ${checked.issues[0]?.path || '(rules)'}: ${checked.issues[0]?.reason ?? 'invalid'}`, { issues: checked.issues }));
    // The scope's other sections as published; its rules replaced (none at all when the draft is empty).
    const { rules: _old, ...rest } = (latest?.signed.signed.content ?? {});
    const content: ConfigContent = rules && Object.keys(rules).length > 0 ? { ...rest, rules } : rest;
    try {
      // The draft replaces baseVersion, so the new version is exactly baseVersion + 1: a publish that landed since the
      // check above makes the store refuse this one (CONFIG_VERSION_STALE) instead of numbering it one higher.
      const version = body.baseVersion === undefined ? {} : { version: body.baseVersion + 1 };
      const outcome = await deps.publish({ scope, content, publishedBy: `staff:${staff.staffId}`, ...version, ...(body.expiresDays === undefined ? {} : { expiresDays: body.expiresDays }) });
      await audit(staff, action, scope, 'ok', before, { version: outcome.version, rulesDigest: content.rules ? rulesDigest(content.rules) : null, kiosks: outcome.kiosks.length }, body.fromVersion === undefined ? null : { fromVersion: body.fromVersion });
      return reply.code(201).send(outcome);
    } catch (error) {
      if (isCodedError(error)) throw await refuse(error);
      throw error;
    }
  });

  app.get('/api/rules/rollout', async (request) => {
    const staff = await signedIn(request);
    const query = parseRequest(rolloutQuery, request.query);
    const { scope } = await scopeFor(staff, query.scope);
    const version = query.version ?? (await deps.config.latestBundle(scope))?.version ?? null;
    const view = await readDevicesView(deps.fleet, deps.deviceStatus ?? null, { scope, version });
    const applied = new Set(view.rollout?.applied.map((a) => a.deviceId));
    const refused = new Map(view.rollout?.refused.map((r) => [r.deviceId, r] as const));
    const kiosks = view.devices
      .filter((d) => d.revokedAt === null && d.storeId !== null)
      .map((d) => ({
        deviceId: d.deviceId,
        storeId: d.storeId,
        online: d.online,
        lastSeen: d.lastSeen,
        scopeVersion: d.scopeVersions[scope] ?? null,
        snapshotVersion: d.snapshotVersion,
        rulesVersion: d.rulesVersion,
        status: applied.has(d.deviceId) ? ('applied' as const) : refused.has(d.deviceId) ? ('refused' as const) : ('pending' as const),
        refusal: refused.get(d.deviceId) ?? null,
      }));
    return { scope, version, kiosks, applied: applied.size, refused: refused.size, pending: kiosks.length - applied.size - refused.size };
  });
}

function stripVersion(bundle: RulesBundle): Record<string, unknown> {
  const { version: _version, ...rest } = bundle;
  return rest;
}

/** One evaluation, or the engine's refusal of it (a points payment over the share, an unknown gift…). */
function run(bundle: RulesBundle, input: Parameters<typeof evaluateInput>[1]) {
  try {
    const evaluation = evaluateInput(bundle, input);
    // Both languages of each step: the console shows the one it is set to, and switches without asking again.
    return { ok: true as const, evaluation: { ...evaluation, result: { ...evaluation.result, trace: withBothTexts(evaluation.result.trace, bundle) } } };
  } catch (error) {
    if (!isCodedError(error)) throw error;
    return { ok: false as const, error: { code: error.code, message: error.message, details: error.details ?? null } };
  }
}
