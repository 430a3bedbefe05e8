import { CodedError } from '../errors/coded-error.ts';
import type { StaffActor } from '../wire/transaction.ts';
import type { PlanningContext } from './planning-context.ts';
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
  /** 退卡 pays principal back out: a manager's decision, never a cashier's alone. */
  card_return: ['store_manager', 'region_manager', 'hq_admin'],
  manual_bonus: ['region_manager', 'hq_admin'],
  /** The cashier who served a sale at a counter (commission); a sale needs no staff, but one named must be real. */
  purchase: ['cashier', 'store_manager', 'region_manager', 'hq_admin'],
  card_issue: ['cashier', 'store_manager', 'region_manager', 'hq_admin'],
  card_service: ['cashier', 'store_manager', 'region_manager', 'hq_admin'],
  credit_repay: ['cashier', 'store_manager', 'region_manager', 'hq_admin'],
  /** Through the hub API, for a member in the staff member's scope (at a kiosk the member redeems for themselves). */
  code_redeem: ['cashier', 'store_manager', 'region_manager', 'hq_admin'],
  /** Not a transaction: a clerk sets or resets a member's PIN at a kiosk. */
  member_pin_reset: ['cashier', 'store_manager', 'region_manager', 'hq_admin'],
};

/**
 * How long before the hub opened a session a transaction under it may be dated: the kiosk's clock is corrected
 * by its measured offset, which is only good to a few seconds.
 */
export const SESSION_CLOCK_SLACK_MS = 5_000;

/** Whether `role` may start `kind` at all (the screen asks before offering an action). */
export function roleMayDo(role: StaffRole, kind: string): boolean {
  return ALLOWED_ROLES[kind]?.includes(role) ?? false;
}

/** Store-scoped roles act only in their stores; region and HQ roles list their stores or '*'. */
export function assertStaffMayActInStore(staff: StaffState | null, kind: string, storeId: string): StaffState {
  if (!staff || !staff.active) throw new CodedError('STAFF_UNAUTHORIZED', 'the staff account is unknown or inactive');
  if (!roleMayDo(staff.role, kind)) throw new CodedError('STAFF_UNAUTHORIZED', `role ${staff.role} may not ${kind}`);
  if (!staff.storeIds.includes('*') && !staff.storeIds.includes(storeId)) {
    throw new CodedError('STAFF_UNAUTHORIZED', `staff is not assigned to store ${storeId}`);
  }
  return staff;
}

interface StaffTx {
  kind: string;
  deviceId: string;
  storeId: string;
  createdAt: string;
  actor?: StaffActor | undefined;
  staffCardUid?: string | undefined;
}

/**
 * A staff transaction counts only under a session the hub itself opened for that staff member on that device,
 * made while the session was open; then the staff member's role and stores decide. A bare staff card number
 * (formats 1–2) proves nothing and is refused.
 */
export function assertStaffMayAct(tx: StaffTx, ctx: Pick<PlanningContext, 'staff' | 'staffSession'>): StaffState {
  const actor = tx.actor;
  if (!actor) {
    throw new CodedError('STAFF_SESSION_REQUIRED', tx.staffCardUid ? 'a staff card number alone does not authorise a staff action' : `${tx.kind} needs a signed-in staff member`);
  }
  const session = ctx.staffSession;
  if (!session || session.sessionId !== actor.sessionId || session.staffId !== actor.staffId || session.deviceId !== tx.deviceId) {
    throw new CodedError('STAFF_SESSION_INVALID', 'no such staff session for this staff member on this device');
  }
  const at = Date.parse(tx.createdAt);
  const endsAt = Math.min(Date.parse(session.expiresAt), session.endedAt ? Date.parse(session.endedAt) : Infinity);
  if (at < Date.parse(session.openedAt) - SESSION_CLOCK_SLACK_MS || at > endsAt) {
    throw new CodedError('STAFF_SESSION_EXPIRED', `the staff session was not open at ${tx.createdAt}`);
  }
  return assertStaffMayActInStore(ctx.staff, tx.kind, tx.storeId);
}
