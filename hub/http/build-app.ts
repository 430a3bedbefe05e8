/**
 * The hub's HTTP API and console. Built by a factory so tests drive it with inject(), no sockets. Every error
 * is `{error: {code, message}}` with the status core's registry gives its code (core/errors/codes.ts).
 */
import { registerNodeRedProxy, type NodeRedProxyDeps } from './node-red-proxy.ts';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { isErrorCode, httpStatusOf } from '../../core/errors/codes.ts';
import { answerForError, errorAnswer, type ErrorAnswer } from '../../core/errors/error-answer.ts';
import { HQ_DEVICE_ID, submitHqTransaction } from '../hq/hq-transactions.ts';
import type { IdentityService, SignedIn } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import { renderConsole, renderLogin } from './console-page.ts';
import { registerConsoleAssets } from './console-assets.ts';
import { registerMemberConsoleRoutes } from './member-console-routes.ts';
import { registerMemberProfileRoutes, type MemberProfileRoutesDeps } from './member-profile-routes.ts';
import { registerMemberImportRoutes, type MemberImportRoutesDeps } from './member-import-routes.ts';
import type { MemberConsoleStore } from '../ledger/member-console-store.ts';
import { registerEnrolRoute, type EnrolHandler } from './enrol-route.ts';
import { registerFleetRoutes, type FleetRoutesDeps } from './fleet-routes.ts';
import { registerReceiptRoutes, type ReceiptRoutesDeps } from './receipt-routes.ts';
import { registerConfigRoutes, type ConfigRoutesDeps } from './config-routes.ts';
import { registerRulesRoutes, type RulesRoutesDeps } from './rules-routes.ts';
import { actingStore, registerCodeDrawRoutes, type CodeDrawRoutesDeps } from './code-draw-routes.ts';
import { registerCreditRoutes, type CreditRoutesDeps } from './credit-routes.ts';
import { registerCommissionRoutes, type CommissionRoutesDeps } from './commission-routes.ts';
import { registerCardTypeRoutes, type CardTypeRoutesDeps } from './card-type-routes.ts';
import { registerGiftStockRoutes, type GiftStockRoutesDeps } from './gift-stock-routes.ts';
import { registerStaffRoutes } from './staff-routes.ts';
import { registerAuditLogRoutes, type AuditLogRoutesDeps } from './audit-log-routes.ts';
import { registerRetentionRoutes, type RetentionRoutesDeps } from './retention-routes.ts';
import { registerMessagingRoutes, type MessagingRoutesDeps } from './messaging-routes.ts';
import { registerMetricsRoutes, type MetricsRoutesDeps } from './metrics-routes.ts';
import type { HubHealth } from '../metrics/hub-health.ts';
import { registerReportRoutes } from './report-routes.ts';
import type { Reports } from '../reports/reports.ts';
import { registerMemberReportRoutes } from './member-report-routes.ts';
import { createMemberReports, type MemberReportsDeps } from '../reports/member-reports.ts';
import { assertMemberInScope, memberIdsInScopeOf, type MemberAccessStore } from './member-access.ts';
import { bearerOf, MEMBER_READERS, requireStaff, SESSION_COOKIE } from './require-staff.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';

export interface HubAppDeps {
  store: Pick<LedgerStore, 'transactionCount' | 'audit' | 'memberViewById' | 'applyHq'> & MemberAccessStore;
  identity: IdentityService;
  /** With auditEntryRows (the ledger's has it), the audit log can be exported. */
  identityStore: Pick<IdentityStore, 'auditEntries' | 'listStaff' | 'setDeviceMode' | 'setDeviceStore' | 'appendAudit'> & Partial<Pick<IdentityStore, 'auditEntryRows'>>;
  brokerUrl: string;
  /** Where a request that failed on a defect is logged (answered INTERNAL); unlogged when absent. */
  logger?: Logger;
  /** Serve over TLS with this key and certificate chain (the hub's HTTPS listener). */
  https?: { key: string; cert: string };
  /** Kiosk enrolment (POST /api/enrol): given to the HTTPS listener only. */
  enrol?: EnrolHandler;
  /** Regions, stores, enrolment codes and devices over the API (HQ admins). */
  fleet?: Omit<FleetRoutesDeps, 'identity' | 'identityStore'>;
  /** Signed fleet configuration over the API (HQ admins): publish a scope's bundle, see what each kiosk got. */
  config?: Omit<ConfigRoutesDeps, 'identity' | 'identityStore'>;
  /** Checking a receipt's signed QR code against the fleet and the ledger (receipt-routes.ts). */
  receipts?: Omit<ReceiptRoutesDeps, 'identity'>;
  /** The console's Rules page: drafts checked and tried, published through `config.publish`, rollout (rules-routes.ts). */
  rules?: Omit<RulesRoutesDeps, 'identity' | 'identityStore'>;
  /** Redemption codes and points draws over the API (docs/ACCOUNTS.md; code-draw-routes.ts). */
  codesAndDraws?: Omit<CodeDrawRoutesDeps, 'identity' | 'identityStore' | 'store'>;
  /** Credit (赊账) over the API: statements, repayments, limits (docs/ACCOUNTS.md; credit-routes.ts). */
  credit?: Omit<CreditRoutesDeps, 'identity' | 'identityStore' | 'store'>;
  /** Card types, card issue and service, the fee report (docs/ACCOUNTS.md; card-type-routes.ts). */
  cardTypes?: Omit<CardTypeRoutesDeps, 'identity' | 'store'> & { store: CardTypeRoutesDeps['store'] };
  /** Staff levels and the staff commission report (docs/ACCOUNTS.md; commission-routes.ts). */
  commission?: Omit<CommissionRoutesDeps, 'identity' | 'identityStore'>;
  /** Gifts and their stock per store: read, receive, adjust (gift-stock-routes.ts). */
  giftStock?: Omit<GiftStockRoutesDeps, 'identity' | 'identityStore'>;
  /** The console's reports: trend, consumption records, new members, points liability, top-ups (report-routes.ts). */
  reports?: Reports;
  /** The console's member reports: churn, credit, card types and tiers, demographics, gifts, referrals (member-report-routes.ts); needs reports. */
  memberReports?: Omit<MemberReportsDeps, 'reports'>;
  /** Member search and whole member records for the HQ console (member-console-routes.ts). */
  memberConsole?: MemberConsoleStore;
  /** Member profiles, contact log, consents, export and erasure, card lifecycle (member-profile-routes.ts); needs memberConsole. */
  memberProfiles?: Pick<MemberProfileRoutesDeps, 'store' | 'profiles'>;
  /** Importing members from a CSV or xlsx file, preview and all-or-nothing commit (member-import-routes.ts). */
  memberImport?: Omit<MemberImportRoutesDeps, 'identity' | 'identityStore'>;
  /** The audit log's time zone (its period filter, the export's times) and where a failed export is logged (audit-log-routes.ts). */
  auditLog?: Pick<AuditLogRoutesDeps, 'timezone' | 'onExportError'>;
  /** HQ's personal-data retention rules, preview and run (retention-routes.ts). */
  retention?: Pick<RetentionRoutesDeps, 'retention' | 'timezone'>;
  /** Messages from the hub's flows: the record (HQ, region managers) and the SMS relay's unsubscribe replies (messaging-routes.ts). */
  messaging?: Omit<MessagingRoutesDeps, 'identity' | 'identityStore' | 'store'>;
  /** Where the built console web app is (console-assets.ts); console/dist unless told. */
  consoleDist?: string;
  /** The hub's Node-RED editor at /node-red/ when it is switched on (node-red-proxy.ts). */
  nodeRed?: NodeRedProxyDeps;
  /** GET /metrics for Prometheus, open or behind its token by listener (metrics-routes.ts). */
  metrics?: MetricsRoutesDeps;
  /** What GET /api/health reports beyond the transaction count (hub/metrics/hub-health.ts); absent: ok and the count. */
  health?: () => Promise<HubHealth>;
}

/** The most members a listing (the API's, the console's) shows. */
const MEMBER_LIST_LIMIT = 200;

/** Shapes only; the transaction schema checks the details (whole points, reason length, card UID) and answers TX_INVALID. */
const manualBonusBodySchema = z.object({ points: z.number(), reason: z.string() });
const cardReturnBodySchema = z.object({ refundTender: z.enum(['cash', 'bank_transfer']) });
const loginBodySchema = z.object({ login: z.string().min(1).max(64), password: z.string().min(1).max(200) });

function sendError(reply: FastifyReply, answer: ErrorAnswer): FastifyReply {
  return reply.code(answer.status).send(answer.body);
}

/** The status a transaction the hub refused is answered with: its code's (a code the registry lacks would be a defect). */
function refusalStatus(code: string | undefined): number {
  return isErrorCode(code) ? httpStatusOf(code) : 500;
}

export function buildApp(deps: HubAppDeps): FastifyInstance {
  // Fastify types an HTTPS instance apart; its routes and inject() are the same.
  const app = (deps.https ? Fastify({ logger: false, https: deps.https }) : Fastify({ logger: false })) as unknown as FastifyInstance;
  app.setErrorHandler((error, _request, reply) => {
    const answer = answerForError(error);
    if (answer) return sendError(reply, answer);
    deps.logger?.error({ err: error }, 'request failed');
    return sendError(reply, errorAnswer('INTERNAL'));
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, errorAnswer('NOT_FOUND', `no route ${request.method} ${request.url}`)));
  if (deps.enrol) registerEnrolRoute(app, deps.enrol);
  if (deps.nodeRed) registerNodeRedProxy(app, deps.nodeRed);
  if (deps.fleet) registerFleetRoutes(app, { ...deps.fleet, identity: deps.identity, identityStore: deps.identityStore });
  if (deps.config) registerConfigRoutes(app, { ...deps.config, identity: deps.identity, identityStore: deps.identityStore });
  if (deps.receipts) registerReceiptRoutes(app, { ...deps.receipts, identity: deps.identity });
  if (deps.rules) registerRulesRoutes(app, { ...deps.rules, identity: deps.identity, identityStore: deps.identityStore });
  if (deps.memberConsole) registerMemberConsoleRoutes(app, { identity: deps.identity, store: deps.store, reads: deps.memberConsole });
  if (deps.memberConsole && deps.memberProfiles) registerMemberProfileRoutes(app, { ...deps.memberProfiles, identity: deps.identity, identityStore: deps.identityStore, reads: deps.memberConsole, ...(deps.messaging ? { messages: deps.messaging.messages } : {}) });
  if (deps.memberImport) registerMemberImportRoutes(app, { ...deps.memberImport, identity: deps.identity, identityStore: deps.identityStore });
  registerConsoleAssets(app, deps.consoleDist ? { dist: deps.consoleDist } : {});
  if (deps.codesAndDraws) registerCodeDrawRoutes(app, { ...deps.codesAndDraws, identity: deps.identity, identityStore: deps.identityStore, store: deps.store });
  if (deps.credit) registerCreditRoutes(app, { ...deps.credit, identity: deps.identity, identityStore: deps.identityStore, store: deps.store });
  if (deps.commission) registerCommissionRoutes(app, { ...deps.commission, identity: deps.identity, identityStore: deps.identityStore });
  if (deps.cardTypes) registerCardTypeRoutes(app, { ...deps.cardTypes, identity: deps.identity });
  if (deps.giftStock) registerGiftStockRoutes(app, { ...deps.giftStock, identity: deps.identity, identityStore: deps.identityStore });
  if (deps.reports) registerReportRoutes(app, { identity: deps.identity, reports: deps.reports, ...(deps.logger ? { onExportError: (err: unknown) => deps.logger!.error({ err }, 'report export failed') } : {}) });
  if (deps.reports && deps.memberReports) registerMemberReportRoutes(app, { identity: deps.identity, rules: deps.memberReports.rules, memberReports: createMemberReports({ ...deps.memberReports, reports: deps.reports }), ...(deps.logger ? { onExportError: (err: unknown) => deps.logger!.error({ err }, 'report export failed') } : {}) });
  registerStaffRoutes(app, { identity: deps.identity, identityStore: deps.identityStore, storeExists: deps.fleet ? async (id) => (await deps.fleet!.fleet.store(id)) !== null : undefined });
  /** The members `staff` may see (member-access.ts), with their last `historyLimit` transactions. */
  const memberViews = async (staff: SignedIn['staff'], historyLimit: number) => {
    const views = [];
    for (const id of await memberIdsInScopeOf(deps.store, staff, MEMBER_LIST_LIMIT)) views.push(await deps.store.memberViewById(id, historyLimit));
    return views.filter((m) => m !== null);
  };
  const { identity } = deps;
  // Public: whether the hub is up. No broker password, no personal data, no counts worth hiding. 503 when it cannot
  // work (broker or ledger), so a load balancer or a probe needs to read no body.
  app.get('/api/health', async (_request, reply) => {
    if (!deps.health) return { ok: true, brokerUrl: deps.brokerUrl, transactions: await deps.store.transactionCount() };
    const health = await deps.health();
    return reply.code(health.ok ? 200 : 503).send({ ...health, brokerUrl: deps.brokerUrl });
  });
  if (deps.metrics) registerMetricsRoutes(app, deps.metrics);

  app.post('/api/login', async (request, reply) => {
    const body = parseRequest(loginBodySchema, request.body);
    const { staff, session, token } = await identity.login(body.login, body.password, 'hub');
    const maxAge = Math.max(0, Math.floor((Date.parse(session.expiresAt) - Date.now()) / 1000));
    return reply
      .header('set-cookie', `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}`)
      .send({ token, expiresAt: session.expiresAt, staff: { staffId: staff.staffId, name: staff.name, role: staff.role, storeIds: staff.storeIds } });
  });
  app.post('/api/logout', async (request, reply) => {
    const token = bearerOf(request);
    if (token) await identity.logout(token);
    return reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`).send({ ok: true });
  });
  app.get('/api/me', async (request) => {
    const { staff, session } = await requireStaff(identity, request, ['hq_admin', 'region_manager', 'store_manager', 'cashier', 'technician']);
    return { staff: { staffId: staff.staffId, name: staff.name, role: staff.role, storeIds: staff.storeIds }, expiresAt: session.expiresAt };
  });

  app.get('/api/audit', async (request) => {
    await requireStaff(identity, request, ['hq_admin']);
    const findings = await deps.store.audit();
    return { ok: findings.length === 0, findings };
  });
  // GET /api/audit-log (its filters) and its export: audit-log-routes.ts. Retention rules: retention-routes.ts.
  registerAuditLogRoutes(app, { identity, identityStore: deps.identityStore, ...deps.auditLog });
  if (deps.retention) registerRetentionRoutes(app, { ...deps.retention, identity, identityStore: deps.identityStore });
  if (deps.messaging) registerMessagingRoutes(app, { ...(deps.logger ? { logger: deps.logger } : {}), ...deps.messaging, identity, identityStore: deps.identityStore, store: deps.store });
  // Staff accounts (GET/POST /api/staff …) and one's own (/api/me/password, /api/me/sessions): staff-routes.ts.
  // Members: the role first (require-staff.ts), then the member's store against the caller's (member-access.ts).
  app.get('/api/members', async (request) => {
    const { staff } = await requireStaff(identity, request, MEMBER_READERS);
    return { members: await memberViews(staff, 5) };
  });
  app.get<{ Params: { memberId: string } }>('/api/members/:memberId', async (request) => {
    const { staff } = await requireStaff(identity, request, MEMBER_READERS);
    await assertMemberInScope(deps.store, staff, request.params.memberId);
    const view = await deps.store.memberViewById(request.params.memberId, 50);
    if (!view) throw new CodedError('MEMBER_UNKNOWN');
    return view;
  });
  // A manual bonus (or, negative, a correction) from HQ: recorded as an HQ transaction on the member's active
  // card, with who and why in its payload. Answers the transaction's result; a refusal with its code's status.
  // The ledger checks the role (region manager or HQ admin) and records a refusal. A caller not signed in, or
  // naming a member outside their scope (answered as if there were no such member, whatever the body), is
  // refused here, before the body is read, and nothing is recorded.
  app.post<{ Params: { memberId: string } }>('/api/members/:memberId/manual-bonus', async (request, reply) => {
    const { staff, session } = await requireStaff(identity, request, ['hq_admin', 'region_manager', 'store_manager', 'cashier', 'technician']);
    await assertMemberInScope(deps.store, staff, request.params.memberId);
    const body = parseRequest(manualBonusBodySchema, request.body, 'TX_INVALID');
    const view = await deps.store.memberViewById(request.params.memberId, 0);
    if (!view) throw new CodedError('MEMBER_UNKNOWN');
    const result = await submitHqTransaction(deps.store, {
      kind: 'manual_bonus',
      storeId: HQ_DEVICE_ID,
      cardUid: view.card.uid,
      points: body.points,
      reason: body.reason,
      actor: { staffId: session.staffId, sessionId: session.sessionId },
    });
    return reply.code(result.status === 'rejected' ? refusalStatus(result.code) : 200).send(result);
  });
  // Card return (退卡) for a member in the caller's scope: an HQ transaction with the caller as its actor, in a store
  // the member is in the caller's scope by. The ledger checks the role (store manager and up) and records a refusal.
  app.post<{ Params: { memberId: string } }>('/api/members/:memberId/card-return', async (request, reply) => {
    const { staff, session } = await requireStaff(identity, request, ['hq_admin', 'region_manager', 'store_manager', 'cashier', 'technician']);
    await assertMemberInScope(deps.store, staff, request.params.memberId);
    const body = parseRequest(cardReturnBodySchema, request.body, 'TX_INVALID');
    const view = await deps.store.memberViewById(request.params.memberId, 0);
    if (!view) throw new CodedError('MEMBER_UNKNOWN');
    const result = await submitHqTransaction(deps.store, {
      kind: 'card_return',
      storeId: await actingStore(deps.store, staff.storeIds, request.params.memberId),
      cardUid: view.card.uid,
      refundTender: body.refundTender,
      actor: { staffId: session.staffId, sessionId: session.sessionId },
    });
    return reply.code(result.status === 'rejected' ? refusalStatus(result.code) : 200).send(result);
  });
  app.get('/', async (request, reply) => {
    const token = bearerOf(request);
    const signedIn = token ? await identity.authenticate(token) : null;
    if (!signedIn || !MEMBER_READERS.includes(signedIn.staff.role)) return reply.type('text/html; charset=utf-8').send(renderLogin());
    const members = await memberViews(signedIn.staff, 3);
    return reply
      .type('text/html; charset=utf-8')
      .send(renderConsole({ members, audit: await deps.store.audit(), transactions: await deps.store.transactionCount(), brokerUrl: deps.brokerUrl }));
  });
  return app;
}
