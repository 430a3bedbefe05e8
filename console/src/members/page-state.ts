/**
 * What the member page's parts share: the profile answer (with what the caller's role may do, decided by the hub)
 * and the ledger's last answer to an action taken on the page. One member page is open at a time.
 */
import { reactive } from 'vue';
import { ApiError } from '../api.ts';
import { i18n } from '../i18n.ts';
import { memberApi, type MemberActions, type MemberFieldDef, type MemberProfile, type TxAnswer } from './api.ts';

export interface LedgerAnswerShown {
  action: string;
  status: 'applied' | 'rejected';
  code: string | null;
  text: string;
  txId: string | null;
}

export const memberPage = reactive<{
  memberId: string | null;
  profile: MemberProfile | null;
  fields: MemberFieldDef[];
  phoneVisible: boolean;
  actions: MemberActions | null;
  answer: LedgerAnswerShown | null;
}>({ memberId: null, profile: null, fields: [], phoneVisible: false, actions: null, answer: null });

export async function loadMemberProfile(memberId: string): Promise<void> {
  if (memberPage.memberId !== memberId) memberPage.answer = null;
  memberPage.memberId = memberId;
  try {
    const answer = await memberApi.profile(memberId);
    Object.assign(memberPage, { profile: answer.profile, fields: answer.fields, phoneVisible: answer.phoneVisible, actions: answer.actions });
  } catch {
    Object.assign(memberPage, { profile: null, fields: [], actions: null });
  }
}

/** A coded error in the console's words when it has them, else the hub's message with its code. */
export function errorText(code: string, message: string): string {
  const key = `mact.errors.${code}`;
  return i18n.global.te(key) ? i18n.global.t(key) : `${message} (${code})`;
}

/** Runs a transaction and keeps the ledger's answer for the page to show; true when it was applied. */
export async function runTransaction(action: string, submit: () => Promise<TxAnswer>): Promise<boolean> {
  const { t } = i18n.global;
  try {
    const result = await submit();
    const applied = result.status !== 'rejected';
    memberPage.answer = applied
      ? { action, status: 'applied', code: null, text: t('mact.applied', { kind: action }), txId: result.id }
      : { action, status: 'rejected', code: result.code ?? null, text: t('mact.rejected', { reason: errorText(result.code ?? 'REJECTED', result.message ?? '') }), txId: result.id };
    return applied;
  } catch (e) {
    const code = e instanceof ApiError ? e.code : 'INTERNAL';
    const message = e instanceof ApiError ? e.message : String(e);
    memberPage.answer = { action, status: 'rejected', code, text: t('mact.rejected', { reason: errorText(code, message) }), txId: null };
    return false;
  }
}
