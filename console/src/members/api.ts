/**
 * The member page's changes (hub/http/member-profile-routes.ts) and the transaction routes it calls (manual bonus,
 * card return: build-app.ts; card issue: card-type-routes.ts; credit repayment: credit-routes.ts), through the
 * console's one request function (../api.ts).
 */
import { request, query } from '../api.ts';
import type { MemberConsent, MemberContact, MemberFieldDef, MemberPageActions, MemberProfile, ContactChannel, Gender } from '../../../hub/ledger/member-profile-store.ts';

export type { MemberConsent, MemberContact, MemberFieldDef, MemberProfile, ContactChannel, Gender };
export type MemberActions = MemberPageActions;
export const GENDER_OPTIONS: Gender[] = ['female', 'male', 'other'];
export const CHANNEL_OPTIONS: ContactChannel[] = ['phone', 'sms', 'wechat', 'visit', 'email', 'other'];
export const CONSENT_PURPOSES = ['membership', 'marketing_sms', 'marketing_wechat', 'analytics'] as const;
export const LIFECYCLE_ACTIONS = ['report_loss', 'cancel_loss', 'freeze', 'unfreeze', 'replace'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];
export const FEE_TENDER_OPTIONS = ['stored_value', 'cash', 'bank_card', 'mobile'] as const;

/** The ledger's answer to a transaction (core/wire/result.ts), as much as the page shows. */
export interface TxAnswer {
  id: string | null;
  status: 'applied' | 'exists' | 'rejected';
  code?: string;
  message?: string;
  outcome?: { valueDeltaCents?: number; pointsEarned?: number; pointsSpent?: number };
}

export interface CardType {
  typeId: string;
  name?: string;
}

const m = (memberId: string) => `/api/members/${encodeURIComponent(memberId)}`;

export const memberApi = {
  profile: (memberId: string) =>
    request<{ profile: MemberProfile; fields: MemberFieldDef[]; phoneVisible: boolean; actions: MemberActions }>('GET', `${m(memberId)}/profile`),
  saveProfile: (memberId: string, change: Partial<Pick<MemberProfile, 'name' | 'phone' | 'gender' | 'birthday' | 'address' | 'customFields'>>) =>
    request<{ profile: MemberProfile }>('PUT', `${m(memberId)}/profile`, change),
  contacts: (memberId: string) => request<{ contacts: MemberContact[] }>('GET', `${m(memberId)}/contacts${query({ limit: 100 })}`),
  addContact: (memberId: string, contact: { contactedOn: string; channel: ContactChannel; note: string }) => request<MemberContact>('POST', `${m(memberId)}/contacts`, contact),
  consents: (memberId: string) => request<{ consents: MemberConsent[] }>('GET', `${m(memberId)}/consents`),
  addConsent: (memberId: string, consent: { purpose: string; granted: boolean; note?: string }) => request<MemberConsent>('POST', `${m(memberId)}/consents`, consent),
  exportUrl: (memberId: string) => `${m(memberId)}/export`,
  erase: (memberId: string) => request<{ profile: MemberProfile }>('POST', `${m(memberId)}/erase`, { confirmMemberId: memberId }),
  manualBonus: (memberId: string, points: number, reason: string) => request<TxAnswer>('POST', `${m(memberId)}/manual-bonus`, { points, reason }),
  cardReturn: (memberId: string, refundTender: 'cash' | 'bank_transfer') => request<TxAnswer>('POST', `${m(memberId)}/card-return`, { refundTender }),
  cardIssue: (memberId: string, body: { newCardUid: string; cardTypeId: string; holderName?: string; feeTender: string }) => request<TxAnswer>('POST', `${m(memberId)}/cards`, body),
  creditRepay: (memberId: string, amountCents: number, tender: string) => request<TxAnswer>('POST', `${m(memberId)}/credit-repay`, { amountCents, tender }),
  cardLifecycle: (uid: string, action: LifecycleAction, extra: { newCardUid?: string; feeTender?: string } = {}) =>
    request<TxAnswer>('POST', `/api/cards/${encodeURIComponent(uid)}/lifecycle`, { action, ...extra }),
  cardTypes: () => request<{ default: string | null; types: CardType[] }>('GET', '/api/card-types'),
};
