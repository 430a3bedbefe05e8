/**
 * The configuration in force as the kiosk's API shows it (GET /api/state `config`, GET /api/config): the
 * versions and last refusal the state report carries, and what the configuration sets on this kiosk — the items
 * the screen offers, the gifts, the screen settings, the receipt texts and the offline limits. Without a
 * configuration the same view with the defaults (no items: the screen keeps its own; the default limits).
 */
import type { OfferedItem } from '../../core/config/config-content.ts';
import type { EffectiveConfig } from '../../core/config/merge-config.ts';
import { DEFAULT_OFFLINE_LIMITS, type OfflineLimits } from '../../core/config/offline-limits.ts';
import type { ReceiptLanguage } from '../receipt/receipt-wording.ts';
import type { ConfigStore, ConfigSummary } from './config-store.ts';

export interface KioskConfigView extends ConfigSummary {
  items: OfferedItem[];
  /** Gift SKUs offered; null: every gift of the catalogue. */
  gifts: string[] | null;
  screen: EffectiveConfig['screen'];
  receipt: EffectiveConfig['receipt'];
  offlineLimits: OfflineLimits;
}

export function configView(store: Pick<ConfigStore, 'current' | 'summary'>, nowMs: number): KioskConfigView {
  const effective = store.current()?.effective;
  return {
    ...store.summary(nowMs),
    items: effective?.items ?? [],
    gifts: effective?.gifts ?? null,
    screen: effective?.screen ?? {},
    receipt: effective?.receipt ?? {},
    offlineLimits: effective?.offlineLimits ?? DEFAULT_OFFLINE_LIMITS,
  };
}

type LocalisedLines = NonNullable<EffectiveConfig['receipt']['header']>;

/**
 * Receipt lines in the receipt's language: the English text where the receipt is English and HQ gave one, the
 * zh-CN text (always there) otherwise. Null when the configuration sets none: the kiosk's own settings apply.
 */
export function receiptLines(lines: LocalisedLines | undefined, language: ReceiptLanguage): string[] | null {
  if (!lines || lines.length === 0) return null;
  return lines.map((line) => (language === 'en' && line.en ? line.en : line['zh-CN']));
}
