/**
 * A tier's name for people. The rules name tiers by id (standard, silver, gold…); chains call the common ones by
 * the names below, in both languages. Another id is shown as the rules spell it.
 */
import { locale } from './intl.ts';

const NAMES: Record<string, { 'zh-CN': string; en: string }> = {
  standard: { 'zh-CN': '普通会员', en: 'Standard' },
  normal: { 'zh-CN': '普通会员', en: 'Standard' },
  silver: { 'zh-CN': '银卡会员', en: 'Silver' },
  gold: { 'zh-CN': '金卡会员', en: 'Gold' },
  platinum: { 'zh-CN': '白金会员', en: 'Platinum' },
  diamond: { 'zh-CN': '钻石会员', en: 'Diamond' },
  vip: { 'zh-CN': 'VIP 会员', en: 'VIP' },
};

export function tierName(tier: string): string {
  return NAMES[tier.toLowerCase()]?.[locale.value] ?? tier;
}
