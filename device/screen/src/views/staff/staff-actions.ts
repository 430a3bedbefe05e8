/**
 * What a signed-in clerk can do for the member on screen, one tile each on the staff page (StaffPage.vue), in
 * this order. Each names the transaction kind the hub's `mayDo` must list for it to be offered at all (the kiosk
 * and the hub check again), when it is offered for this card, and either a page of its own or — for a change of
 * the card's state that needs nothing but a yes — the endpoint it confirms.
 */
import type { Component } from 'vue';
import type { MessageId } from '../../i18n/zh-CN.ts';
import type { MemberSession, StaffSessionView } from '../../kiosk/contract.ts';
import StaffIssuePage from './StaffIssuePage.vue';
import StaffPinResetPage from './StaffPinResetPage.vue';
import StaffRefundPage from './StaffRefundPage.vue';
import StaffReplacePage from './StaffReplacePage.vue';
import StaffReprintPage from './StaffReprintPage.vue';
import StaffReturnPage from './StaffReturnPage.vue';
import StaffTopUpPage from './StaffTopUpPage.vue';

export type StaffActionId = 'top_up' | 'freeze' | 'unfreeze' | 'report_loss' | 'cancel_loss' | 'replace' | 'issue' | 'return' | 'pin' | 'refund' | 'reprint';

export interface StaffContext {
  session: MemberSession;
  staff: StaffSessionView;
  /** The hub answers for this member now (not a cached view, link up). */
  online: boolean;
}

export interface StaffAction {
  id: StaffActionId;
  label: MessageId;
  /**
   * The transaction kind the role must be allowed (mayDo). 'member_pin_reset' is not a transaction and the hub
   * does not list it: any role that may act for members may ask, and the hub decides. null: any staff member.
   */
  kind: string | null;
  /** Offered for this card now; default: while the card works. */
  offered?: (context: StaffContext) => boolean;
  /** Decided at the hub only: shown, but not started, while it cannot be reached. */
  needsHub?: boolean;
  page?: Component;
  /** A change of the card's state: the endpoint (POST /api/tx/card/…), and what the confirmation says will happen. */
  confirm?: { path: string; title: MessageId; text: MessageId; tone: 'danger' | 'go' | 'primary' };
}

const status = (c: StaffContext) => c.session.member.card.status;

export const STAFF_ACTIONS: readonly StaffAction[] = [
  { id: 'top_up', label: 'staff.action.top_up', kind: 'top_up', page: StaffTopUpPage },
  { id: 'refund', label: 'staff.action.refund', kind: 'refund', needsHub: true, offered: () => true, page: StaffRefundPage },
  { id: 'replace', label: 'staff.action.replace', kind: 'card_replace', offered: (c) => status(c) === 'active' || status(c) === 'lost', page: StaffReplacePage },
  { id: 'issue', label: 'staff.action.issue', kind: 'card_issue', needsHub: true, page: StaffIssuePage },
  { id: 'pin', label: 'staff.action.pin', kind: 'member_pin_reset', needsHub: true, page: StaffPinResetPage },
  {
    id: 'freeze',
    label: 'staff.action.freeze',
    kind: 'card_freeze',
    confirm: { path: '/api/tx/card/freeze', title: 'staff.freeze.confirmTitle', text: 'staff.freeze.confirmText', tone: 'danger' },
  },
  {
    id: 'unfreeze',
    label: 'staff.action.unfreeze',
    kind: 'card_unfreeze',
    offered: (c) => status(c) === 'frozen',
    confirm: { path: '/api/tx/card/unfreeze', title: 'staff.unfreeze.confirmTitle', text: 'staff.unfreeze.confirmText', tone: 'go' },
  },
  {
    id: 'report_loss',
    label: 'staff.action.report_loss',
    kind: 'card_report_loss',
    confirm: { path: '/api/tx/card/report-loss', title: 'staff.reportLoss.confirmTitle', text: 'staff.reportLoss.confirmText', tone: 'danger' },
  },
  {
    id: 'cancel_loss',
    label: 'staff.action.cancel_loss',
    kind: 'card_cancel_loss',
    offered: (c) => status(c) === 'lost',
    confirm: { path: '/api/tx/card/cancel-loss', title: 'staff.cancelLoss.confirmTitle', text: 'staff.cancelLoss.confirmText', tone: 'go' },
  },
  { id: 'return', label: 'staff.action.return', kind: 'card_return', needsHub: true, page: StaffReturnPage },
  { id: 'reprint', label: 'staff.action.reprint', kind: null, offered: () => true, page: StaffReprintPage },
];

/** Whether the role may start the action at all (what the hub gave with the staff session). */
export function roleMay(action: StaffAction, staff: StaffSessionView): boolean {
  if (action.kind === null) return true;
  // Not a transaction kind the hub lists: offered to roles that act for members at all (a technician does not).
  if (action.kind === 'member_pin_reset') return staff.mayDo.length > 0;
  return staff.mayDo.includes(action.kind);
}

/** The actions offered for this member now, in order. */
export function offeredActions(context: StaffContext): StaffAction[] {
  return STAFF_ACTIONS.filter((action) => roleMay(action, context.staff) && (action.offered ? action.offered(context) : status(context) === 'active'));
}
