/**
 * Card types and fees over the hub's API (docs/ACCOUNTS.md "Card types", "Fees (收费设置)"):
 *
 * | route | who |
 * |---|---|
 * | `GET /api/card-types` — the types of the hub's current rules, with validity, limits and fee schedule | any signed-in staff but technicians |
 * | `POST /api/members/:memberId/cards` `{newCardUid, cardTypeId, holderName?, feeTender?, feeCents?}` — issue a card on the member's accounts | cashier and up (the ledger checks), member in scope |
 * | `POST /api/cards/:uid/service` `{service: repair \| extend, feeTender?, feeCents?}` — a paid card service | cashier and up, the card's member in scope |
 * | `GET /api/reports/fees?from&to` — fees charged, summed by fee and tender, in the caller's stores | member readers (store manager and up) |
 *
 * Fees are the schedule's, never the caller's: `feeCents` is only what the caller showed the member, and a
 * different one is refused FEE_MISMATCH by the ledger. A member or card outside the caller's scope is answered
 * 404 as one that does not exist (member-access.ts).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { httpStatusOf, isErrorCode } from '../../core/errors/codes.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import type { StaffRole } from '../../core/ledger/types.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { FEE_TENDERS } from '../../core/wire/transaction.ts';
import { submitHqTransaction } from '../hq/hq-transactions.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { CardFeeStore } from '../ledger/card-fee-store.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import type { RulesStore } from '../ledger/rules-store.ts';
import { actingStore } from './code-draw-routes.ts';
import { assertMemberInScope, type MemberAccessStore } from './member-access.ts';
import { MEMBER_READERS, requireStaff } from './require-staff.ts';

export interface CardTypeRoutesDeps {
  identity: IdentityService;
  store: Pick<LedgerStore, 'applyHq' | 'memberViewById' | 'card'> & MemberAccessStore;
  cardFees: Pick<CardFeeStore, 'feeReport'>;
  /** The rules whose card types are shown: the hub's latest. */
  rules: Pick<RulesStore, 'latestRulesBundle'>;
}

/** Who may start a card transaction at the hub: the ledger then checks the role per kind and records a refusal. */
const CARD_STAFF: readonly StaffRole[] = ['hq_admin', 'region_manager', 'store_manager', 'cashier'];
const EVERY_STAFF_READER: readonly StaffRole[] = ['hq_admin', 'region_manager', 'store_manager', 'cashier'];

/** Shapes only; the transaction schema checks the details (UIDs, type id length, holder) and answers TX_INVALID. */
const issueBody = z.object({
  newCardUid: z.string(),
  cardTypeId: z.string(),
  holderName: z.string().optional(),
  feeTender: z.enum(FEE_TENDERS).default('stored_value'),
  feeCents: z.number().optional(),
});
const serviceBody = z.object({ service: z.enum(['repair', 'extend']), feeTender: z.enum(FEE_TENDERS).default('stored_value'), feeCents: z.number().optional() });
const reportQuery = z.object({ from: z.iso.datetime({ offset: false }), to: z.iso.datetime({ offset: false }) });

function statusOf(result: TxResult): number {
  if (result.status !== 'rejected') return 200;
  return isErrorCode(result.code) ? httpStatusOf(result.code) : 500;
}

export function registerCardTypeRoutes(app: FastifyInstance, deps: CardTypeRoutesDeps): void {
  const { identity, store } = deps;

  app.get('/api/card-types', async (request) => {
    await requireStaff(identity, request, EVERY_STAFF_READER);
    const bundle = await deps.rules.latestRulesBundle();
    const cardTypes = bundle?.cardTypes;
    // The default a card of no named type is: the bundle's, else its first type.
    return { rulesVersion: bundle?.version ?? null, default: cardTypes ? (cardTypes.default ?? cardTypes.types[0]?.typeId ?? null) : null, types: cardTypes?.types ?? [] };
  });

  // Issued on the member's card as the member view shows it (their active one): the new card shares its accounts.
  app.post<{ Params: { memberId: string } }>('/api/members/:memberId/cards', async (request, reply) => {
    const { staff, session } = await requireStaff(identity, request, CARD_STAFF);
    await assertMemberInScope(store, staff, request.params.memberId);
    const body = parseRequest(issueBody, request.body, 'TX_INVALID');
    const view = await store.memberViewById(request.params.memberId, 0);
    if (!view) throw new CodedError('MEMBER_UNKNOWN');
    const result = await submitHqTransaction(store, {
      kind: 'card_issue',
      storeId: await actingStore(store, staff.storeIds, request.params.memberId),
      cardUid: view.card.uid,
      newCardUid: body.newCardUid,
      cardTypeId: body.cardTypeId,
      ...(body.holderName === undefined ? {} : { holderName: body.holderName }),
      feeTender: body.feeTender,
      ...(body.feeCents === undefined ? {} : { feeCents: body.feeCents }),
      actor: { staffId: session.staffId, sessionId: session.sessionId },
    });
    return reply.code(statusOf(result)).send(result);
  });

  app.post<{ Params: { uid: string } }>('/api/cards/:uid/service', async (request, reply) => {
    const { staff, session } = await requireStaff(identity, request, CARD_STAFF);
    const body = parseRequest(serviceBody, request.body, 'TX_INVALID');
    const card = await store.card(request.params.uid.toUpperCase());
    // A card of a member outside the caller's scope is answered as one that does not exist.
    if (!card) throw new CodedError('CARD_UNKNOWN');
    try {
      await assertMemberInScope(store, staff, card.memberId);
    } catch {
      throw new CodedError('CARD_UNKNOWN');
    }
    const result = await submitHqTransaction(store, {
      kind: 'card_service',
      storeId: await actingStore(store, staff.storeIds, card.memberId),
      cardUid: card.uid,
      service: body.service,
      feeTender: body.feeTender,
      ...(body.feeCents === undefined ? {} : { feeCents: body.feeCents }),
      actor: { staffId: session.staffId, sessionId: session.sessionId },
    });
    return reply.code(statusOf(result)).send(result);
  });

  // Chain-wide staff see every fee (the annual fee sweep's are HQ's); others the fees taken in their stores.
  app.get('/api/reports/fees', async (request) => {
    const { staff } = await requireStaff(identity, request, MEMBER_READERS);
    const query = parseRequest(reportQuery, request.query);
    if (query.from >= query.to) throw new CodedError('BAD_REQUEST', 'from must be before to');
    const storeIds = staff.storeIds.includes('*') ? ('*' as const) : staff.storeIds;
    const rows = await deps.cardFees.feeReport({ from: query.from, to: query.to, storeIds });
    return { from: query.from, to: query.to, rows, totalCents: rows.reduce((sum, row) => sum + row.cents, 0) };
  });
}
