import { CodedError } from '../errors/coded-error.ts';
import type { KioskMode } from './types.ts';

/**
 * Cash needs a person to take it. On an unattended kiosk nobody does, so a "cash" payment there would be money
 * that never arrived (and points earned on it): refused, at the kiosk and again at the hub.
 */
export function assertTenderAllowed(mode: KioskMode, tender: string): void {
  if (tender === 'cash' && mode !== 'attended') throw new CodedError('TENDER_NOT_ALLOWED', 'an unattended kiosk does not take cash');
}
