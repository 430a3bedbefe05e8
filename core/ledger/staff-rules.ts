import { CodedError } from '../errors/coded-error.ts';
import type { StaffRole, StaffState } from './types.ts';

/** Which roles may start each staff-only transaction kind. */
const ALLOWED_ROLES: Record<string, readonly StaffRole[]> = {
  top_up: ['cashier', 'store_manager', 'region_manager', 'hq_admin'],
  refund: ['store_manager', 'region_manager', 'hq_admin'],
  card_report_loss: ['cashier', 'store_manager', 'region_manager', 'hq_admin'],
  card_cancel_loss: ['store_manager', 'region_manager', 'hq_admin'],
  card_freeze: ['store_manager', 'region_manager', 'hq_admin'],
  card_unfreeze: ['store_manager', 'region_manager', 'hq_admin'],
  card_replace: ['cashier', 'store_manager', 'region_manager', 'hq_admin'],
  manual_bonus: ['region_manager', 'hq_admin'],
};

/** Store-scoped roles act only in their stores; region and HQ roles list their stores or '*'. */
export function assertStaffMayAct(staff: StaffState | null, kind: string, storeId: string): StaffState {
  if (!staff || !staff.active) throw new CodedError('STAFF_UNAUTHORIZED', 'a valid staff card is required');
  const roles = ALLOWED_ROLES[kind];
  if (!roles || !roles.includes(staff.role)) throw new CodedError('STAFF_UNAUTHORIZED', `role ${staff.role} may not ${kind}`);
  if (!staff.storeIds.includes('*') && !staff.storeIds.includes(storeId)) {
    throw new CodedError('STAFF_UNAUTHORIZED', `staff is not assigned to store ${storeId}`);
  }
  return staff;
}
