/**
 * What the kiosk application layer tells the screen and answers it, as types. Type-only imports from the kiosk's
 * own modules (nothing of them reaches the browser bundle), so a change on the kiosk side that the screen does not
 * follow fails the screen's type check (vue-tsc -p device/screen).
 */
import type { StaffSessionView } from '../../../../core/wire/lookup.ts';
import type { CatalogAnswer, KioskState as KioskAppState, QuoteAnswer } from '../../../app/kiosk-app.ts';
import type { LinkStateData, SessionEventData } from '../../../app/kiosk-events.ts';
import type { SessionView } from '../../../session/kiosk-session.ts';
import type { HardwareState, PrinterState, ReaderState } from '../../../hardware/hardware-state.ts';
import type { ScreenMessage } from '../../../app/screen-message.ts';

export type { CatalogAnswer, HardwareState, LinkStateData, PrinterState, ReaderState, QuoteAnswer, ScreenMessage, SessionEventData, SessionView, StaffSessionView };

/** The member-facing states: what a member on screen looks like in each. */
export type MemberSession = Extract<SessionView, { name: 'member' | 'action' | 'receipt' }>;
export type ReceiptSession = Extract<SessionView, { name: 'receipt' }>;
export type ErrorSession = Extract<SessionView, { name: 'error' }>;

/** Every error the kiosk API answers: `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  error: { code: string; message?: string; details?: Record<string, unknown> };
}

/** A transaction request's reply: 202 queued, 200 answered (a refusal is in result). */
export interface TxReply {
  id: string;
  seq: number;
  status: 'applied' | 'exists' | 'rejected' | 'queued';
  result?: { status: string; code?: string; message?: string };
}

/** GET /api/state as the screen reads it: the kiosk's state (with its store's profile) and whether it has the demo tap. */
export type KioskState = KioskAppState & { simulatedReader?: boolean };
