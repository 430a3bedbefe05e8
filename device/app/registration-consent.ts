/**
 * A registration at the kiosk needs the new member's consent to the membership terms (China's PIPL: personal
 * information is processed with consent, asked for each purpose on its own). The kiosk refuses a registration
 * without it before anything is queued (CONSENT_REQUIRED): a member the hub would create without a record of
 * what they agreed to is never sent. Marketing is a separate, optional choice and may be declined.
 */
import { CodedError } from '../../core/errors/coded-error.ts';

export function assertTermsConsent(request: Readonly<Record<string, unknown>>): void {
  const consents = Array.isArray(request.consents) ? (request.consents as unknown[]) : [];
  const agreed = consents.some((c) => typeof c === 'object' && c !== null && (c as { purpose?: unknown }).purpose === 'terms' && (c as { granted?: unknown }).granted === true);
  if (!agreed) throw new CodedError('CONSENT_REQUIRED', 'the new member has not agreed to the membership terms: nothing was queued');
}
