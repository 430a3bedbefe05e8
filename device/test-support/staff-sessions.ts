/** A staff card, its PIN and the sessions a (fake) hub opens for it, shared by the kiosk's tests. */
import type { StaffSessionView } from '../../core/wire/lookup.ts';

export const TEST_STAFF_CARD = '5AFF0001';
export const TEST_STAFF_PIN = '2468';

/** A cashier of store-1: may top up, not freeze or refund. */
export const CASHIER_SESSION: StaffSessionView = {
  sessionId: 'sess-0123456789abcdef',
  staffId: 'staff-7',
  name: 'Cai Shier',
  role: 'cashier',
  storeIds: ['store-1'],
  expiresAt: '2999-01-01T00:00:00.000Z',
  mayDo: ['top_up', 'card_report_loss', 'card_replace'],
};

/** The manager of store-1: every kiosk staff action. */
export const MANAGER_SESSION: StaffSessionView = {
  sessionId: 'sess-0123456789abcdef',
  staffId: 'staff-3',
  name: 'Mei Nager',
  role: 'store_manager',
  storeIds: ['store-1'],
  expiresAt: '2999-01-01T00:00:00.000Z',
  mayDo: ['top_up', 'refund', 'card_report_loss', 'card_cancel_loss', 'card_freeze', 'card_unfreeze', 'card_replace', 'card_return', 'credit_repay'],
};
