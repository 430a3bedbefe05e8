/**
 * Which console pages a role may open: the side menu and the router's guard both read this, and the hub checks
 * the same roles again on every API call (hub/http/require-staff.ts), so a hidden page is never the only guard.
 * Pure: scripts/console/console-menu.test.ts checks it without a browser.
 */
import type { StaffRole } from './api.ts';

export type PageKey = 'members' | 'audit-log' | 'rules' | 'reports' | OrgPageKey;
/** The Organisation and My account pages (console/src/org/). */
export type OrgPageKey = 'staff' | 'stores' | 'kiosks' | 'account';

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
  // hub/http/report-routes.ts REPORT_READERS: store managers their stores, region managers their region's, HQ all.
  reports: ['hq_admin', 'region_manager', 'store_manager'],
  // hub/http/rules-routes.ts: HQ admins every scope, a region manager their stores'.
  rules: ['hq_admin', 'region_manager'],
  // hub/http/staff-routes.ts: HQ and region managers read every account, a store manager their stores' (and manages their cashiers).
  staff: ['hq_admin', 'region_manager', 'store_manager'],
  // hub/http/fleet-routes.ts: HQ admins only.
  stores: ['hq_admin'],
  kiosks: ['hq_admin'],
  // Everyone's own password and sessions (/api/me/*).
  account: ['hq_admin', 'region_manager', 'store_manager', 'cashier', 'technician'],
};

const MENU: readonly MenuItem[] = [
  { key: 'members', path: '/members', label: 'menu.members' },
  { key: 'staff', path: '/staff', label: 'org.menu.staff' },
  { key: 'stores', path: '/stores', label: 'org.menu.stores' },
  { key: 'kiosks', path: '/kiosks', label: 'org.menu.kiosks' },
  { key: 'rules', path: '/rules', label: 'rules.menu' },
  { key: 'reports', path: '/reports', label: 'reports.menu' },
  { key: 'audit-log', path: '/audit-log', label: 'menu.auditLog' },
  { key: 'account', path: '/account', label: 'org.menu.account' },
];

export function mayOpen(role: StaffRole, page: PageKey): boolean {
  return PAGE_ROLES[page].includes(role);
}

export function menuFor(role: StaffRole): MenuItem[] {
  return MENU.filter((item) => mayOpen(role, item.key));
}
