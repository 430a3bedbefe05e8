/**
 * The HQ console's member page beyond reading (issue 12): the profile (gender, birthday, address, HQ's custom
 * fields), the contact log (回访记录), consent records, export and erasure on request (China's PIPL), and the card
 * lifecycle the hub lacked a route for. Role first (require-staff.ts), then the member's scope (member-access.ts:
 * a member outside it is answered 404 as one that does not exist). Every change is in the audit log with who
 * made it, before and after; a phone number is never written there in full.
 *
 * | route | who |
 * |---|---|
 * | `GET /api/member-fields`, `PUT /api/member-fields` `{fields: [{key, label, labelEn?, type?, required?, options?, retired?}]}` — HQ's custom member fields, in page order | read: member readers; change: HQ admin |
 * | `GET /api/members/:id/profile` — profile, HQ's fields, and what the caller may do on the page | member readers, in scope |
 * | `PUT /api/members/:id/profile` `{name?, phone?, gender?, birthday?, address?, customFields?}` | store manager and up, in scope; the phone only by PHONE_READERS |
 * | `GET/POST /api/members/:id/contacts` `{contactedOn, channel, note}` — the contact log | store manager and up, in scope |
 * | `GET/POST /api/members/:id/consents` `{purpose, granted, note?}` — consent records (append-only) | store manager and up, in scope |
 * | `GET /api/members/:id/export` — everything the hub holds on the member, as a JSON download | HQ admin |
 * | `POST /api/members/:id/erase` `{confirmMemberId}` — personal fields erased; journal and transactions kept | HQ admin |
 * | `POST /api/cards/:uid/lifecycle` `{action, newCardUid?, feeTender?, feeCents?}` — report loss, cancel loss, freeze, unfreeze, replace | cashier and up (the ledger checks the role per kind), card's member in scope |
 *
 * Money and points move only by transactions through submitHqTransaction, as every other HQ action does; the
 * manual bonus, card return, card issue and credit repayment keep their own routes (build-app.ts,
 * card-type-routes.ts, credit-routes.ts).
 */
import type { OutboundMessageStore } from '../messaging/outbound-messages.ts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { httpStatusOf, isErrorCode } from '../../core/errors/codes.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { roleMayDo } from '../../core/ledger/staff-rules.ts';
import type { StaffRole } from '../../core/ledger/types.ts';
import { maskPhone } from '../../core/privacy/mask.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { FEE_TENDERS } from '../../core/wire/transaction.ts';
import { submitHqTransaction } from '../hq/hq-transactions.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import type { MemberConsoleStore } from '../ledger/member-console-store.ts';
import { customFieldsToStore } from './member-field-values.ts';
import { CONTACT_CHANNELS, ERASED_FIELDS, FIELD_TYPES, GENDERS, KEPT_ON_ERASE, type MemberPageActions, type MemberProfile, type MemberProfileStore } from '../ledger/member-profile-store.ts';
import { actingStore } from './code-draw-routes.ts';
import { assertMemberInScope, type MemberAccessStore } from './member-access.ts';
import { PHONE_READERS } from './member-console-routes.ts';
import { MEMBER_READERS, requireStaff } from './require-staff.ts';

export interface MemberProfileRoutesDeps {
  identity: IdentityService;
  identityStore: Pick<IdentityStore, 'appendAudit'>;
  store: Pick<LedgerStore, 'applyHq' | 'card'> & MemberAccessStore;
  profiles: MemberProfileStore;
  reads: MemberConsoleStore;
  /** The messages the hub's flows sent, for the export (PIPL: everything the hub holds on the member). */
  messages?: Pick<OutboundMessageStore, 'list'>;
}

/** Who may change a member's profile, contact log and consents: the member readers (store manager and up). */
const PROFILE_EDITORS: readonly StaffRole[] = MEMBER_READERS;
/** Export and erasure under PIPL: HQ only. */
const PRIVACY_OFFICERS: readonly StaffRole[] = ['hq_admin'];
const CARD_STAFF: readonly StaffRole[] = ['hq_admin', 'region_manager', 'store_manager', 'cashier'];

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a date');
const fieldKey = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'a field key is lowercase letters, digits and _');
const fieldDef = z
  .object({
    key: fieldKey,
    label: z.string().trim().min(1).max(64),
    labelEn: z.string().trim().max(64).nullish(),
    type: z.enum(FIELD_TYPES).default('text'),
    required: z.boolean().default(false),
    options: z.array(z.string().trim().min(1).max(64)).max(50).default([]),
    retired: z.boolean().default(false),
  })
  .refine((f) => f.type !== 'select' || f.options.length > 0, 'a select field needs its options')
  .refine((f) => new Set(f.options).size === f.options.length, 'each option once');
const fieldsBody = z.object({ fields: z.array(fieldDef).max(50) });
const profileBody = z
  .object({
    name: z.string().trim().min(1).max(64),
    phone: z.string().regex(/^\+?[0-9]{6,20}$/, 'phone is 6–20 digits'),
    gender: z.enum(GENDERS).nullable(),
    birthday: day.nullable(),
    address: z.string().trim().max(200).nullable(),
    customFields: z.record(fieldKey, z.string().trim().max(200)),
  })
  .partial()
  .strict();
const contactBody = z.object({ contactedOn: day, channel: z.enum(CONTACT_CHANNELS), note: z.string().trim().min(1).max(1000) });
const consentBody = z.object({ purpose: z.string().regex(/^[a-z][a-z0-9_]{0,47}$/), granted: z.boolean(), note: z.string().trim().max(200).optional() });
const eraseBody = z.object({ confirmMemberId: z.string().min(1).max(64) });
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
const LIFECYCLE = { report_loss: 'card_report_loss', cancel_loss: 'card_cancel_loss', freeze: 'card_freeze', unfreeze: 'card_unfreeze', replace: 'card_replace' } as const;
const lifecycleBody = z.object({
  action: z.enum(Object.keys(LIFECYCLE) as [keyof typeof LIFECYCLE, ...(keyof typeof LIFECYCLE)[]]),
  newCardUid: z.string().optional(),
  feeTender: z.enum(FEE_TENDERS).default('stored_value'),
  feeCents: z.number().optional(),
});

function statusOf(result: TxResult): number {
  if (result.status !== 'rejected') return 200;
  return isErrorCode(result.code) ? httpStatusOf(result.code) : 500;
}

/** The member-page actions a role may take (the console shows only these); the routes and the ledger check again. */
export function memberActionsOf(role: StaffRole): MemberPageActions {
  return {
    editProfile: PROFILE_EDITORS.includes(role),
    editPhone: PHONE_READERS.includes(role),
    contactLog: PROFILE_EDITORS.includes(role),
    consent: PROFILE_EDITORS.includes(role),
    exportData: PRIVACY_OFFICERS.includes(role),
    erase: PRIVACY_OFFICERS.includes(role),
    manualBonus: roleMayDo(role, 'manual_bonus'),
    reportLoss: roleMayDo(role, 'card_report_loss'),
    cancelLoss: roleMayDo(role, 'card_cancel_loss'),
    freeze: roleMayDo(role, 'card_freeze'),
    unfreeze: roleMayDo(role, 'card_unfreeze'),
    replace: roleMayDo(role, 'card_replace'),
    cardReturn: roleMayDo(role, 'card_return'),
    cardIssue: roleMayDo(role, 'card_issue'),
    creditRepay: roleMayDo(role, 'credit_repay'),
  };
}

/** A profile as the audit log keeps it: never a phone number in full. */
function audited(p: MemberProfile) {
  return { name: p.name, phone: maskPhone(p.phone), gender: p.gender, birthday: p.birthday, address: p.address, customFields: p.customFields };
}

/** Only the fields that changed, before and after. */
function changed(before: ReturnType<typeof audited>, after: ReturnType<typeof audited>) {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof typeof after)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key];
      a[key] = after[key];
    }
  }
  return { before: b, after: a };
}

export function registerMemberProfileRoutes(app: FastifyInstance, deps: MemberProfileRoutesDeps): void {
  const { identity, store, profiles } = deps;
  const phoneFor = (role: StaffRole, phone: string) => (PHONE_READERS.includes(role) ? phone : maskPhone(phone));
  const audit = (staffId: string, action: string, target: string | null, outcome: string, before: unknown, after: unknown, detail: Record<string, unknown> | null = null) =>
    deps.identityStore.appendAudit({ at: new Date().toISOString(), actorKind: 'staff', actorId: staffId, surface: 'hub', action, target, outcome, before, after, detail });
  const shown = (role: StaffRole, p: MemberProfile) => ({ ...p, phone: phoneFor(role, p.phone) });

  app.get('/api/member-fields', async (request) => {
    await requireStaff(identity, request, MEMBER_READERS);
    return { fields: await profiles.fieldDefs() };
  });
  app.put('/api/member-fields', async (request) => {
    const { staff } = await requireStaff(identity, request, PRIVACY_OFFICERS);
    const body = parseRequest(fieldsBody, request.body);
    if (new Set(body.fields.map((f) => f.key)).size !== body.fields.length) throw new CodedError('BAD_REQUEST', 'each field key once');
    const before = await profiles.fieldDefs();
    // The order given is the order on the member page; a key left out is no longer defined (its values stay stored).
    const after = body.fields.map((f, i) => ({ ...f, labelEn: f.labelEn || null, options: f.type === 'select' ? f.options : [], position: i }));
    await profiles.setFieldDefs(after);
    await audit(staff.staffId, 'member.fields', null, 'ok', before, after);
    return { fields: after };
  });

  app.get<{ Params: { memberId: string } }>('/api/members/:memberId/profile', async (request) => {
    const { staff } = await requireStaff(identity, request, MEMBER_READERS);
    await assertMemberInScope(store, staff, request.params.memberId);
    const profile = await profiles.profile(request.params.memberId);
    if (!profile) throw new CodedError('MEMBER_UNKNOWN');
    return { profile: shown(staff.role, profile), fields: await profiles.fieldDefs(), phoneVisible: PHONE_READERS.includes(staff.role), actions: memberActionsOf(staff.role) };
  });

  app.put<{ Params: { memberId: string } }>('/api/members/:memberId/profile', async (request) => {
    const { staff } = await requireStaff(identity, request, PROFILE_EDITORS);
    const memberId = request.params.memberId;
    await assertMemberInScope(store, staff, memberId);
    const change = parseRequest(profileBody, request.body);
    // A role that sees only the last four digits does not overwrite the number it cannot see.
    if (change.phone !== undefined && !PHONE_READERS.includes(staff.role)) throw new CodedError('AUTH_FORBIDDEN', `role ${staff.role} may not change a phone number`);
    const current = await profiles.profile(memberId);
    if (!current) throw new CodedError('MEMBER_UNKNOWN');
    if (current.erasedAt) throw new CodedError('MEMBER_ERASED');
    if (change.customFields) change.customFields = customFieldsToStore(await profiles.fieldDefs(), change.customFields, current.customFields);
    if (change.phone !== undefined && change.phone !== current.phone) {
      const taken = await deps.reads.searchMembers({ text: change.phone, field: 'phone' }, { kind: 'chain' }, 5);
      if (taken.some((m) => m.phone === change.phone && m.memberId !== memberId)) throw new CodedError('MEMBER_PHONE_TAKEN');
    }
    const at = new Date().toISOString();
    const result = await profiles.updateProfile(memberId, change, at);
    if (!result) throw new CodedError('MEMBER_UNKNOWN');
    const diff = changed(audited(result.before), audited(result.after));
    await audit(staff.staffId, 'member.profile', memberId, 'ok', diff.before, diff.after);
    return { profile: shown(staff.role, result.after) };
  });

  app.get<{ Params: { memberId: string } }>('/api/members/:memberId/contacts', async (request) => {
    const { staff } = await requireStaff(identity, request, PROFILE_EDITORS);
    await assertMemberInScope(store, staff, request.params.memberId);
    const { limit } = parseRequest(listQuery, request.query);
    return { contacts: await profiles.contacts(request.params.memberId, limit) };
  });
  app.post<{ Params: { memberId: string } }>('/api/members/:memberId/contacts', async (request, reply) => {
    const { staff } = await requireStaff(identity, request, PROFILE_EDITORS);
    const memberId = request.params.memberId;
    await assertMemberInScope(store, staff, memberId);
    const body = parseRequest(contactBody, request.body);
    if ((await profiles.profile(memberId))?.erasedAt) throw new CodedError('MEMBER_ERASED');
    const contact = await profiles.addContact({ memberId, ...body, staffId: staff.staffId, recordedAt: new Date().toISOString() });
    await audit(staff.staffId, 'member.contact', memberId, 'ok', null, { contactId: contact.contactId, contactedOn: contact.contactedOn, channel: contact.channel });
    return reply.code(201).send(contact);
  });

  app.get<{ Params: { memberId: string } }>('/api/members/:memberId/consents', async (request) => {
    const { staff } = await requireStaff(identity, request, PROFILE_EDITORS);
    await assertMemberInScope(store, staff, request.params.memberId);
    return { consents: await profiles.consents(request.params.memberId) };
  });
  app.post<{ Params: { memberId: string } }>('/api/members/:memberId/consents', async (request, reply) => {
    const { staff } = await requireStaff(identity, request, PROFILE_EDITORS);
    const memberId = request.params.memberId;
    await assertMemberInScope(store, staff, memberId);
    const body = parseRequest(consentBody, request.body);
    const history = await profiles.consents(memberId);
    const last = history.filter((c) => c.purpose === body.purpose).at(-1);
    const consent = await profiles.addConsent({ memberId, purpose: body.purpose, granted: body.granted, at: new Date().toISOString(), staffId: staff.staffId, note: body.note ?? null });
    await audit(staff.staffId, 'member.consent', memberId, 'ok', last ? { purpose: last.purpose, granted: last.granted } : null, { purpose: consent.purpose, granted: consent.granted });
    return reply.code(201).send(consent);
  });

  app.get<{ Params: { memberId: string } }>('/api/members/:memberId/export', async (request, reply) => {
    const { staff } = await requireStaff(identity, request, PRIVACY_OFFICERS);
    const memberId = request.params.memberId;
    await assertMemberInScope(store, staff, memberId);
    const profile = await profiles.profile(memberId);
    const record = await deps.reads.memberRecord(memberId, 100_000);
    if (!profile || !record) throw new CodedError('MEMBER_UNKNOWN');
    const exportedAt = new Date().toISOString();
    const data = {
      exportedAt,
      exportedBy: staff.staffId,
      profile,
      fields: await profiles.fieldDefs(),
      tier: record.tier,
      homeStoreId: record.homeStoreId,
      referrerId: record.referrerId,
      createdAt: record.createdAt,
      balances: record.balances,
      creditLimitCents: record.creditLimitCents,
      cumulativeSpendCents: record.cumulativeSpendCents,
      cumulativePointsEarned: record.cumulativePointsEarned,
      visits: record.visits,
      cards: record.cards,
      pointLots: record.pointLots,
      serviceCards: record.serviceCards,
      history: record.history,
      contacts: await profiles.contacts(memberId, 100_000),
      consents: await profiles.consents(memberId),
      messages: deps.messages ? await deps.messages.list({ memberId, limit: 10_000 }) : [],
    };
    await audit(staff.staffId, 'member.export', memberId, 'ok', null, null, { transactions: record.history.length });
    return reply
      .header('content-disposition', `attachment; filename="member-${memberId.replace(/[^A-Za-z0-9_-]/g, '_')}-${exportedAt.slice(0, 10)}.json"`)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(data, null, 2));
  });

  // Only the names of the fields erased go into the (append-only) audit log: their values would outlive the erasure there.
  app.post<{ Params: { memberId: string } }>('/api/members/:memberId/erase', async (request) => {
    const { staff } = await requireStaff(identity, request, PRIVACY_OFFICERS);
    const memberId = request.params.memberId;
    await assertMemberInScope(store, staff, memberId);
    const body = parseRequest(eraseBody, request.body);
    if (body.confirmMemberId !== memberId) throw new CodedError('BAD_REQUEST', 'confirmMemberId must repeat the member id');
    const current = await profiles.profile(memberId);
    if (!current) throw new CodedError('MEMBER_UNKNOWN');
    if (current.erasedAt) throw new CodedError('MEMBER_ERASED');
    const erased = await profiles.erase(memberId, new Date().toISOString());
    if (!erased) throw new CodedError('MEMBER_UNKNOWN');
    await audit(staff.staffId, 'member.erase', memberId, 'ok', { erasedAt: null }, { erasedAt: erased.erasedAt }, {
      fields: ERASED_FIELDS,
      kept: KEPT_ON_ERASE,
    });
    return { profile: shown(staff.role, erased) };
  });

  app.post<{ Params: { uid: string } }>('/api/cards/:uid/lifecycle', async (request, reply) => {
    const { staff, session } = await requireStaff(identity, request, CARD_STAFF);
    const card = await store.card(request.params.uid.toUpperCase());
    // A card of a member outside the caller's scope is answered as one that does not exist.
    if (!card) throw new CodedError('CARD_UNKNOWN');
    try {
      await assertMemberInScope(store, staff, card.memberId);
    } catch {
      throw new CodedError('CARD_UNKNOWN');
    }
    const body = parseRequest(lifecycleBody, request.body, 'TX_INVALID');
    const kind = LIFECYCLE[body.action];
    const base = { storeId: await actingStore(store, staff.storeIds, card.memberId), cardUid: card.uid, actor: { staffId: session.staffId, sessionId: session.sessionId } };
    const result =
      kind === 'card_replace'
        ? await submitHqTransaction(store, { kind, ...base, newCardUid: (body.newCardUid ?? '').toUpperCase(), feeTender: body.feeTender, ...(body.feeCents === undefined ? {} : { feeCents: body.feeCents }) })
        : await submitHqTransaction(store, { kind, ...base });
    return reply.code(statusOf(result)).send(result);
  });
}
