/**
 * The pages a member can open from their home screen, one tile each: what the tile says, whether it is offered
 * for this member right now, and the page component. A page opens inside the member screen (MemberScreen.vue)
 * with a way back home; tiles appear in this order.
 */
import type { Component } from 'vue';
import { t } from '../../i18n/intl.ts';
import type { MessageId } from '../../i18n/zh-CN.ts';
import { catalog } from '../../kiosk/catalog.ts';
import type { MemberSession, StaffSessionView } from '../../kiosk/contract.ts';
import CodeRedeemPage from './CodeRedeemPage.vue';
import DrawsPage from './DrawsPage.vue';
import GiftsPage from './GiftsPage.vue';
import HistoryPage from './HistoryPage.vue';
import MemberPinPage from './MemberPinPage.vue';
import PayPage from './PayPage.vue';
import ReportLossPage from './ReportLossPage.vue';
import ServiceCardsPage from './ServiceCardsPage.vue';
import UpgradePage from './UpgradePage.vue';
import StaffPage from '../staff/StaffPage.vue';
import { isTechnician } from '../../components/staff/staff-words.ts';

export type MemberPageId = 'pay' | 'gifts' | 'cards' | 'history' | 'upgrade' | 'code' | 'draws' | 'pin' | 'loss' | 'staff';

export interface MemberTileContext {
  session: MemberSession;
  staff: StaffSessionView | null;
  online: boolean;
}

export interface MemberPage {
  id: MemberPageId;
  label: MessageId;
  /** A second line under the label (a count, what is possible), or null. */
  hint?: (context: MemberTileContext) => string | null;
  /** Offered for this member now; default: while their card works. */
  offered?: (context: MemberTileContext) => boolean;
  component: Component;
}

const active = (c: MemberTileContext) => c.session.member.card.status === 'active';
/** Pages decided at the hub say so on the tile while it cannot be reached (the page says why in full). */
const needsHub = (c: MemberTileContext) => (c.online ? null : t('member.hint.needsHub'));

export const MEMBER_PAGES: readonly MemberPage[] = [
  // 店员操作 first while a clerk is there: only while a staff member who acts for members is signed in (views/staff/StaffPage.vue), whatever the card's state.
  { id: 'staff', label: 'staff.tile', component: StaffPage, offered: (c) => c.staff !== null && !isTechnician(c.staff), hint: (c) => c.staff?.name ?? null },
  { id: 'pay', label: 'member.tile.pay', component: PayPage },
  {
    id: 'gifts',
    label: 'member.tile.gifts',
    component: GiftsPage,
    hint: (c) => needsHub(c) ?? (catalog.status === 'ok' && catalog.catalog ? t('member.hint.gifts', { n: catalog.catalog.gifts.filter((g) => g.pointsPrice <= c.session.member.balances.points).length }) : null),
  },
  {
    id: 'cards',
    label: 'member.tile.cards',
    component: ServiceCardsPage,
    offered: (c) => active(c) && (c.session.member.serviceCards?.length ?? 0) > 0,
    hint: (c) => t('member.hint.cards', { n: c.session.member.serviceCards?.length ?? 0 }),
  },
  { id: 'history', label: 'member.tile.history', component: HistoryPage, offered: () => true },
  { id: 'upgrade', label: 'member.tile.upgrade', component: UpgradePage, hint: needsHub },
  { id: 'code', label: 'member.tile.code', component: CodeRedeemPage, hint: needsHub },
  { id: 'draws', label: 'member.tile.draws', component: DrawsPage, hint: needsHub },
  { id: 'pin', label: 'member.tile.pin', component: MemberPinPage, hint: needsHub },
  { id: 'loss', label: 'member.tile.loss', component: ReportLossPage },
];
