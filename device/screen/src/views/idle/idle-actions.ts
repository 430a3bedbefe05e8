/**
 * What a person may do at an idle kiosk without tapping a card first, as buttons under the prompt. Each opens a
 * page of its own (App.vue shows it while the session stays idle; a card tapped meanwhile takes over).
 */
import type { Component } from 'vue';
import type { MessageId } from '../../i18n/zh-CN.ts';
import LostCardPage from './LostCardPage.vue';
import VerifyCodePage from './VerifyCodePage.vue';

export type IdlePage = 'verify-code' | 'lost-card';

export interface IdleAction {
  page: IdlePage;
  label: MessageId;
  /** The page: emits `back` to return to the idle prompt. */
  component: Component;
}

export const IDLE_ACTIONS: readonly IdleAction[] = [
  { page: 'verify-code', label: 'idle.verifyCode', component: VerifyCodePage },
  { page: 'lost-card', label: 'idle.lostCard', component: LostCardPage },
];
