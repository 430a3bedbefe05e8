/**
 * Which console pages a role may open: the side menu and the router's guard both read this, and the hub checks
 * the same roles again on every API call (hub/http/require-staff.ts), so a hidden page is never the only guard.
 * Pure: scripts/console/console-menu.test.ts checks it without a browser.
 */
import type { StaffRole } from './api.ts';

export type PageKey = 'members' | 'audit-log' | 'rules' | 'reports' | 'settings' | 'receipts' | 'messages' | OrgPageKey;
/** The Organisation and My account pages (console/src/org/). */
export type OrgPageKey = 'staff' | 'stores' | 'kiosks' | 'account' | 'gifts' | 'card-types' | 'code-batches' | 'draws' | 'commission';

export interface MenuItem {
  key: PageKey;
  path: string;
  /** The i18n key of its label. */
  label: string;
}

/** hub/http/require-staff.ts MEMBER_READERS; /api/audit-log is HQ admins'. */
const PAGE_ROLES: Record<PageKey, readonly StaffRole[]> = {
  members: ['hq_admin', 'region_manager', 'store_manager'],
  'audit-log': ['hq_admin'],
  // hub/http/retention-routes.ts and PUT /api/member-fields: HQ admins only (privacy and member-field settings).
  settings: ['hq_admin'],
  // hub/http/report-routes.ts REPORT_READERS: store managers their stores, region managers their region's, HQ all.
  reports: ['hq_admin', 'region_manager', 'store_manager'],
  // hub/http/rules-routes.ts: HQ admins every scope, a region manager their stores'.
  rules: ['hq_admin', 'region_manager'],
  // hub/http/messaging-routes.ts MESSAGE_READERS: HQ every message, a region manager their members' and stores'. The
  // member page shows its Messages section to the same roles.
  messages: ['hq_admin', 'region_manager'],
  // hub/http/staff-routes.ts: HQ and region managers read every account, a store manager their stores' (and manages their cashiers).
  staff: ['hq_admin', 'region_manager', 'store_manager'],
  // hub/http/fleet-routes.ts: HQ admins only.
  stores: ['hq_admin'],
  kiosks: ['hq_admin'],
  // hub/http/gift-stock-routes.ts GIFT_STOCK_STAFF: HQ every store, region and store managers their stores.
  gifts: ['hq_admin', 'region_manager', 'store_manager'],
  // hub/http/card-type-routes.ts lets cashiers read card types too; they work on the kiosks, so the menu leaves them out.
  'card-types': ['hq_admin', 'region_manager', 'store_manager'],
  // hub/http/code-draw-routes.ts: code batches are HQ admins'; draws are read by any staff, made and run by HQ.
  'code-batches': ['hq_admin'],
  draws: ['hq_admin', 'region_manager', 'store_manager'],
  // hub/http/commission-routes.ts: PUT /api/staff/:id/level is HQ admins'.
  commission: ['hq_admin'],
  // Everyone's own password and sessions (/api/me/*).
  account: ['hq_admin', 'region_manager', 'store_manager', 'cashier', 'technician'],
  // hub/http/receipt-routes.ts RECEIPT_CHECKERS: any staff member, for their own stores' receipts.
  receipts: ['hq_admin', 'region_manager', 'store_manager', 'cashier', 'technician'],
};

const MENU: readonly MenuItem[] = [
  { key: 'members', path: '/members', label: 'menu.members' },
  { key: 'staff', path: '/staff', label: 'org.menu.staff' },
  { key: 'stores', path: '/stores', label: 'org.menu.stores' },
  { key: 'kiosks', path: '/kiosks', label: 'org.menu.kiosks' },
  { key: 'gifts', path: '/gifts', label: 'op.menu.gifts' },
  { key: 'card-types', path: '/card-types', label: 'op.menu.cardTypes' },
  { key: 'code-batches', path: '/code-batches', label: 'op.menu.codeBatches' },
  { key: 'draws', path: '/draws', label: 'op.menu.draws' },
  { key: 'commission', path: '/commission', label: 'op.menu.commission' },
  { key: 'rules', path: '/rules', label: 'rules.menu' },
  { key: 'reports', path: '/reports', label: 'reports.menu' },
  { key: 'messages', path: '/messages', label: 'outbound.menu' },
  { key: 'audit-log', path: '/audit-log', label: 'menu.auditLog' },
  { key: 'settings', path: '/settings', label: 'settings.menu' },
  { key: 'account', path: '/account', label: 'org.menu.account' },
  // After the account page: a cashier's or technician's console still opens on their account (the first entry).
  { key: 'receipts', path: '/receipts/verify', label: 'receipts.menu' },
];

export function mayOpen(role: StaffRole, page: PageKey): boolean {
  return PAGE_ROLES[page].includes(role);
}

export function menuFor(role: StaffRole): MenuItem[] {
  return MENU.filter((item) => mayOpen(role, item.key));
}
