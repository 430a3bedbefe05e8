/**
 * Credit (赊账) over the hub's API (docs/ACCOUNTS.md):
 *
 * | route | who |
 * |---|---|
 * | `GET /api/members/:memberId/credit` — limit, owed, available, warnings, monthly statements | member readers, member in scope |
 * | `POST /api/members/:memberId/credit-repay` `{amountCents, tender}` — a repayment (a transaction) | cashier and up (the ledger checks), member in scope |
 * | `PUT /api/members/:memberId/credit-limit` `{limitCents}` — the member's own limit (0: their card type's) | HQ admin, region manager; member in scope |
 *
 * A member outside the caller's scope is answered 404 MEMBER_UNKNOWN (member-access.ts). A limit change goes
 * into the audit log with who made it and the limit before and after.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { httpStatusOf, isErrorCode } from '../../core/errors/codes.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { FEE_TENDERS } from '../../core/wire/transaction.ts';
import { memberCredit } from '../credit/member-credit.ts';
import { submitHqTransaction } from '../hq/hq-transactions.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import type { CreditStore } from '../ledger/credit-store.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import type { RulesStore } from '../ledger/rules-store.ts';
import { actingStore } from './code-draw-routes.ts';
import { assertMemberInScope, type MemberAccessStore } from './member-access.ts';
import { MEMBER_READERS, requireStaff } from './require-staff.ts';

export interface CreditRoutesDeps {
  identity: IdentityService;
  identityStore: Pick<IdentityStore, 'appendAudit'>;
  store: Pick<LedgerStore, 'applyHq' | 'memberViewById'> & MemberAccessStore;
  credit: CreditStore;
  /** The rules whose credit terms and card types decide limits and statements: the hub's latest. */
  rules: Pick<RulesStore, 'latestRulesBundle'>;
}

/** Shapes only; the transaction schema checks the amount (positive whole cents) and answers TX_INVALID. */
const repayBody = z.object({ amountCents: z.number(), tender: z.enum(FEE_TENDERS) });
const limitBody = z.object({ limitCents: z.number().int().min(0).max(100_000_000_00) });

export function registerCreditRoutes(app: FastifyInstance, deps: CreditRoutesDeps): void {
  const { identity, store, credit, rules } = deps;
  const bundle = async () => {
    const latest = await rules.latestRulesBundle();
    if (!latest) throw new CodedError('CREDIT_NOT_OFFERED', 'the hub has no rules yet');
    return latest;
  };

  app.get<{ Params: { memberId: string } }>('/api/members/:memberId/credit', async (request) => {
    const { staff } = await requireStaff(identity, request, MEMBER_READERS);
    await assertMemberInScope(store, staff, request.params.memberId);
    return memberCredit(credit, await bundle(), request.params.memberId, new Date().toISOString());
  });

  // A repayment taken at the hub: an HQ transaction on the member's active card, in the store the member is in
  // the caller's scope by, with the caller as its actor. The ledger checks the role and the amount (never more
  // than owed) and records a refusal; answered with the result, a refusal with its code's status.
  app.post<{ Params: { memberId: string } }>('/api/members/:memberId/credit-repay', async (request, reply) => {
    const { staff, session } = await requireStaff(identity, request, ['hq_admin', 'region_manager', 'store_manager', 'cashier', 'technician']);
    await assertMemberInScope(store, staff, request.params.memberId);
    const body = parseRequest(repayBody, request.body, 'TX_INVALID');
    const view = await store.memberViewById(request.params.memberId, 0);
    if (!view) throw new CodedError('MEMBER_UNKNOWN');
    const result = await submitHqTransaction(store, {
      kind: 'credit_repay',
      storeId: await actingStore(store, staff.storeIds, request.params.memberId),
      cardUid: view.card.uid,
      amountCents: body.amountCents,
      tender: body.tender,
      actor: { staffId: session.staffId, sessionId: session.sessionId },
    });
    return reply.code(result.status === 'rejected' ? (isErrorCode(result.code) ? httpStatusOf(result.code) : 500) : 200).send(result);
  });

  // Not a balance change (what is owed moves only by journal entries): a setting, so it is audited, not journaled.
  app.put<{ Params: { memberId: string } }>('/api/members/:memberId/credit-limit', async (request) => {
    const { staff } = await requireStaff(identity, request, ['hq_admin', 'region_manager']);
    const memberId = request.params.memberId;
    await assertMemberInScope(store, staff, memberId);
    const body = parseRequest(limitBody, request.body);
    const before = await credit.creditProfile(memberId);
    if (!before || !(await credit.setCreditLimit(memberId, body.limitCents))) throw new CodedError('MEMBER_UNKNOWN');
    await deps.identityStore.appendAudit({
      at: new Date().toISOString(),
      actorKind: 'staff',
      actorId: staff.staffId,
      surface: 'hub',
      action: 'member.credit_limit',
      target: memberId,
      outcome: 'ok',
      before: { limitCents: before.ownLimitCents },
      after: { limitCents: body.limitCents },
      detail: null,
    });
    return memberCredit(credit, await bundle(), memberId, new Date().toISOString());
  });
}
