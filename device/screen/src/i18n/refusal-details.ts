/**
 * A refusal whose details carry figures — what an offline limit still allows — said in the screen's own words
 * and language, with the figures formatted by core (the kiosk's own message is bilingual and for logs). Null for a
 * code without such words, or when its figure is missing: the code's general advice is shown then.
 */
import { points, t, yuan } from './intl.ts';

const int = (value: unknown): number | null => (typeof value === 'number' && Number.isSafeInteger(value) ? value : null);

export function detailedAdvice(code: string, details: Record<string, unknown> | undefined): string | null {
  if (!details) return null;
  switch (code) {
    case 'OFFLINE_CARD_DAY_LIMIT': {
      const left = int(details['leftCents']);
      return left === null ? null : t('refusal.offlineCardDay', { left: yuan(left) });
    }
    case 'OFFLINE_CARD_POINTS_LIMIT': {
      const left = int(details['leftPoints']);
      return left === null ? null : t('refusal.offlineCardPoints', { left: points(left) });
    }
    case 'OFFLINE_KIOSK_EXPOSURE': {
      const left = int(details['leftCents']);
      return left === null ? null : t('refusal.offlineKiosk', { left: yuan(left) });
    }
    case 'OFFLINE_CARD_SPENDS': {
      const spends = int(details['spendsPerCard']);
      return spends === null ? null : t('refusal.offlineSpends', { n: spends });
    }
    case 'OFFLINE_TOO_LONG': {
      const hours = int(details['maxOfflineHours']);
      return hours === null ? null : t('refusal.offlineTooLong', { n: hours });
    }
    default:
      return null;
  }
}
