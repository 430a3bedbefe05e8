/**
 * Who may manage which staff account, as the hub decides it (hub/http/staff-routes.ts mayManage): the console
 * offers only the actions the hub would allow; the hub checks again on every call.
 */
import type { Me, StaffRole } from '../api.ts';

function within(stores: readonly string[], scope: readonly string[]): boolean {
  return scope.includes('*') || stores.every((s) => s !== '*' && scope.includes(s));
}

export function mayManage(me: Pick<Me, 'role' | 'storeIds'>, target: { role: StaffRole; storeIds: readonly string[] }): boolean {
  if (me.role === 'hq_admin') return true;
  if (me.role === 'store_manager') return target.role === 'cashier' && within(target.storeIds, me.storeIds);
  return false;
}

/** The roles `me` may give an account. */
export function assignableRoles(me: Pick<Me, 'role'>): StaffRole[] {
  if (me.role === 'hq_admin') return ['cashier', 'store_manager', 'technician', 'region_manager', 'hq_admin'];
  if (me.role === 'store_manager') return ['cashier'];
  return [];
}

export function mayCreateStaff(me: Pick<Me, 'role'>): boolean {
  return assignableRoles(me).length > 0;
}
