/**
 * Redemption codes (兑换码 / 防伪码) and points draws (积分抽奖) over the hub's API (docs/ACCOUNTS.md):
 *
 * | route | who |
 * |---|---|
 * | `POST /api/code-batches` — generate a batch; the printable codes are in this answer only (`Accept: text/csv` for the CSV) | HQ admin |
 * | `GET /api/code-batches` — batches with how many codes were used | HQ admin |
 * | `GET /api/codes/verify?code=` — anti-counterfeit check, nothing used (60 a minute per staff member) | any signed-in staff |
 * | `POST /api/members/:memberId/code-redeem` `{code}` — a code for a member in the caller's scope (a transaction) | any signed-in staff, member in scope |
 * | `POST /api/draws`, `POST /api/draws/:id/open`, `POST /api/draws/:id/close` | HQ admin |
 * | `GET /api/draws`, `GET /api/draws/:id` — definitions, odds, stock left, the commitment (the seed once closed) | any signed-in staff |
 * | `GET /api/draws/:id/entries` — every entry's outcome and the second-chance winners (member ids) | HQ admin |
 * | `GET /api/draws/:id/verify` — every outcome recomputed from the revealed seed (closed draws) | HQ admin |
 *
 * Generation, draw changes, code checks and redemptions go into the audit log with who did them; no code is
 * ever written there.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readRedemptionCode, redemptionCodeDigest } from '../../core/codes/redemption-code.ts';
import { CodedError } from '../../core/errors/coded-error.ts';
import { httpStatusOf, isErrorCode } from '../../core/errors/codes.ts';
import { memberInScope, memberScopeOf } from '../../core/identity/member-scope.ts';
import { DRAW_STATUSES } from '../../core/ledger/codes-and-draws.ts';
import type { StaffRole } from '../../core/ledger/types.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { codeBatchAudit, codeBatchCsv, codeBatchRequestSchema, generateCodeBatch, verifyTypedCode } from '../codes/code-batches.ts';
import { createRateLimiter, STAFF_CODE_CHECKS, type RateLimiter } from '../codes/rate-limit.ts';
import { createDraw, drawAudit, verifyDraw } from '../draws/draw-admin.ts';
import { HQ_DEVICE_ID, submitHqTransaction } from '../hq/hq-transactions.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import type { CodeStore } from '../ledger/code-store.ts';
import type { DrawStore } from '../ledger/draw-store.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import { assertMemberInScope, type MemberAccessStore } from './member-access.ts';
import { requireStaff } from './require-staff.ts';

export interface CodeDrawRoutesDeps {
  identity: IdentityService;
  identityStore: Pick<IdentityStore, 'appendAudit'>;
  store: Pick<LedgerStore, 'applyHq' | 'memberViewById'> & MemberAccessStore;
  codes: CodeStore;
  draws: DrawStore;
  /** The API's limit on code checks per staff member (default STAFF_CODE_CHECKS: 60 a minute). */
  codeChecks?: RateLimiter;
}

const ANY_STAFF: readonly StaffRole[] = ['hq_admin', 'region_manager', 'store_manager', 'cashier', 'technician'];
const codeQuery = z.object({ code: z.string().min(1).max(64) });
const codeBody = z.object({ code: z.string().min(1).max(64) });
const drawListQuery = z.object({ status: z.enum(DRAW_STATUSES).optional() });

export function registerCodeDrawRoutes(app: FastifyInstance, deps: CodeDrawRoutesDeps): void {
  const { identity, codes, draws } = deps;
  const codeChecks = deps.codeChecks ?? createRateLimiter(STAFF_CODE_CHECKS);
  const who = (staffId: string) => ({ actorKind: 'staff', actorId: staffId, surface: 'hub' }) as const;
  const requireDraw = async (drawId: string) => {
    const draw = await draws.draw(drawId);
    if (!draw) throw new CodedError('DRAW_UNKNOWN', `no draw ${drawId}`);
    return draw;
  };

  app.post('/api/code-batches', async (request, reply) => {
    const { staff } = await requireStaff(identity, request, ['hq_admin']);
    const body = parseRequest(codeBatchRequestSchema, request.body);
    const generated = await generateCodeBatch(codes, body, staff.staffId);
    await deps.identityStore.appendAudit(codeBatchAudit(generated.batch, who(staff.staffId)));
    const wantsCsv = String(request.headers.accept ?? '').includes('text/csv');
    if (wantsCsv) return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${generated.batch.batchId}.csv"`).send(codeBatchCsv(generated));
    return reply.code(201).send(generated);
  });

  app.get('/api/code-batches', async (request) => {
    await requireStaff(identity, request, ['hq_admin']);
    return { batches: await codes.listCodeBatches() };
  });

  app.get('/api/codes/verify', async (request) => {
    const { staff } = await requireStaff(identity, request, ANY_STAFF);
    const query = parseRequest(codeQuery, request.query);
    if (!codeChecks.take(staff.staffId)) throw new CodedError('CODE_VERIFY_RATE_LIMITED');
    const at = new Date().toISOString();
    const found = await verifyTypedCode(codes, query.code, at);
    await deps.identityStore.appendAudit({ ...who(staff.staffId), at, action: 'codes.verify', target: found.batch?.batchId ?? null, outcome: found.status, before: null, after: null, detail: null });
    return found;
  });

  // A code for a member, typed by staff at the hub: refused before anything is submitted when it is not a code
  // (a typo the check symbol caught), then an HQ transaction in the store the member is in the caller's scope
  // by (whose staff may act there), with the caller as its actor. Its result, or its refusal with the code's status.
  app.post<{ Params: { memberId: string } }>('/api/members/:memberId/code-redeem', async (request, reply) => {
    const { staff, session } = await requireStaff(identity, request, ANY_STAFF);
    await assertMemberInScope(deps.store, staff, request.params.memberId);
    const body = parseRequest(codeBody, request.body);
    const reading = readRedemptionCode(body.code);
    if (!reading.ok) throw new CodedError(reading.reason === 'check_digit' ? 'CODE_CHECK_DIGIT' : 'CODE_MALFORMED');
    const view = await deps.store.memberViewById(request.params.memberId, 0);
    if (!view) throw new CodedError('MEMBER_UNKNOWN');
    const result = await submitHqTransaction(deps.store, {
      kind: 'code_redeem',
      storeId: await actingStore(deps.store, staff.storeIds, request.params.memberId),
      cardUid: view.card.uid,
      codeDigest: redemptionCodeDigest(reading.code),
      actor: { staffId: session.staffId, sessionId: session.sessionId },
    });
    return reply.code(result.status === 'rejected' ? (isErrorCode(result.code) ? httpStatusOf(result.code) : 500) : 200).send(result);
  });

  app.post('/api/draws', async (request, reply) => {
    const { staff } = await requireStaff(identity, request, ['hq_admin']);
    const draw = await createDraw(draws, request.body, staff.staffId);
    await deps.identityStore.appendAudit(drawAudit('draws.create', draw, who(staff.staffId), draw.createdAt));
    return reply.code(201).send(draw);
  });

  for (const action of ['open', 'close'] as const) {
    app.post<{ Params: { drawId: string } }>(`/api/draws/:drawId/${action}`, async (request) => {
      const { staff } = await requireStaff(identity, request, ['hq_admin']);
      const at = new Date().toISOString();
      const draw = action === 'open' ? await draws.openDraw(request.params.drawId, at) : await draws.closeDraw(request.params.drawId, at);
      await deps.identityStore.appendAudit(drawAudit(`draws.${action}`, draw, who(staff.staffId), at));
      return draw;
    });
  }

  app.get('/api/draws', async (request) => {
    await requireStaff(identity, request, ANY_STAFF);
    return { draws: await draws.listDraws(parseRequest(drawListQuery, request.query).status) };
  });

  app.get<{ Params: { drawId: string } }>('/api/draws/:drawId', async (request) => {
    await requireStaff(identity, request, ANY_STAFF);
    return requireDraw(request.params.drawId);
  });

  app.get<{ Params: { drawId: string } }>('/api/draws/:drawId/entries', async (request) => {
    await requireStaff(identity, request, ['hq_admin']);
    const draw = await requireDraw(request.params.drawId);
    return { draw, entries: await draws.drawEntries(draw.drawId), winners: await draws.drawWinners(draw.drawId) };
  });

  app.get<{ Params: { drawId: string } }>('/api/draws/:drawId/verify', async (request) => {
    await requireStaff(identity, request, ['hq_admin']);
    const draw = await requireDraw(request.params.drawId);
    // Before it closes the seed is secret: recomputing outcomes would need it.
    if (draw.status !== 'closed') throw new CodedError('DRAW_BAD_STATE', 'a draw is verified once it is closed and its seed revealed');
    return { drawId: draw.drawId, ...(await verifyDraw(draws, draw.drawId))! };
  });
}

/**
 * The store an HQ transaction for this member names: 'hq' for chain-wide staff; else one of the caller's stores
 * the member is known in (their home store first), so the ledger's role-and-store check holds the caller to the
 * same scope the route checked.
 */
export async function actingStore(store: MemberAccessStore, staffStoreIds: readonly string[], memberId: string): Promise<string> {
  const scope = memberScopeOf(staffStoreIds);
  if (scope.kind === 'chain') return HQ_DEVICE_ID;
  const stores = await store.memberStores(memberId);
  if (!stores || !memberInScope(scope, stores)) throw new CodedError('MEMBER_UNKNOWN');
  const candidates = [stores.homeStoreId, ...stores.shoppedAtStoreIds];
  return candidates.find((s): s is string => s !== null && scope.storeIds.includes(s))!;
}
