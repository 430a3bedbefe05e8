/**
 * Staff things in words: a role (收银员, 店长…), a tender (银行卡, 移动支付…), and which staff actions the signed-in
 * role may start. The kiosk and the hub check every action again; the screen only offers what `mayDo` (the
 * transaction kinds the hub gave with the staff session) allows, so nobody is shown a button that will be refused.
 */
import { t } from '../../i18n/intl.ts';
import type { MessageId } from '../../i18n/zh-CN.ts';
import type { StaffSessionView } from '../../kiosk/contract.ts';
import { kiosk } from '../../kiosk/stream.ts';

const ROLES: Partial<Record<string, MessageId>> = {
  cashier: 'staff.role.cashier',
  store_manager: 'staff.role.store_manager',
  region_manager: 'staff.role.region_manager',
  hq_admin: 'staff.role.hq_admin',
  technician: 'staff.role.technician',
};

const TENDERS: Record<string, MessageId> = {
  stored_value: 'staff.tender.stored_value',
  bank_card: 'staff.tender.bank_card',
  mobile: 'staff.tender.mobile',
  cash: 'staff.tender.cash',
  bank_transfer: 'staff.tender.bank_transfer',
};

/** A staff role in words; a role this screen does not know is shown as the hub named it. */
export function roleName(role: string): string {
  const id = ROLES[role];
  return id ? t(id) : role;
}

export function tenderName(tender: string): string {
  const id = TENDERS[tender];
  return id ? t(id) : tender;
}

/** The signed-in staff member while their session lasts (the kiosk also pushes its end). */
export function staffNow(): StaffSessionView | null {
  const staff = kiosk.staff;
  return staff && Date.parse(staff.expiresAt) > Date.now() ? staff : null;
}

/** Whether the signed-in staff member's role may start this transaction kind here. */
export function staffMay(kind: string): boolean {
  return staffNow()?.mayDo.includes(kind) ?? false;
}

/** A technician signs in to look at the machine: the technician page instead of the member prompt, no member actions. */
export function isTechnician(staff: StaffSessionView | null): boolean {
  return staff?.role === 'technician';
}

/** Whether the kiosk stands at a counter, where someone can take cash. */
export function attendedKiosk(): boolean {
  return kiosk.state?.mode === 'attended';
}
