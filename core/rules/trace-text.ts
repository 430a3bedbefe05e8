/**
 * Renders the engine's keyed trace texts (core/rules/trace-keys.ts) in zh-CN or English. Pure: screens, receipts
 * and the CLI call it with their own language. An entry without a key (HQ's own label, a record stored before
 * keys) renders as its `label`, and so does a key this build does not know (a newer hub's).
 *
 * The English templates reproduce the labels the engine wrote before keys existed, exactly: `label` is built
 * from them (traceText), so stored records, tests and readers of `label` see the same words as before.
 */
import { formatCents } from '../money/integers.ts';
import type { RulesBundle } from './bundle.ts';
import { isTraceKey, type TraceKey, type TraceLine, type TraceParams, type TraceText } from './trace-keys.ts';

export type TraceLocale = 'zh-CN' | 'en';

/** Names the bundle gives things the parameters only identify. */
export interface TraceNames {
  gift?: (giftId: string) => string | undefined;
}

type Template = (p: TraceParams, names: TraceNames) => string;

const str = (p: TraceParams, name: string): string => String(p[name] ?? '');
const opt = (p: TraceParams, name: string): string | undefined => (p[name] === undefined ? undefined : String(p[name]));

/** Tier ids are HQ's; the bundle has no display names for them, so the usual ladder gets Chinese names here. */
const TIER_ZH: Readonly<Record<string, string>> = {
  standard: '普通会员',
  basic: '普通会员',
  member: '会员',
  bronze: '铜卡',
  silver: '银卡',
  gold: '金卡',
  platinum: '白金卡',
  diamond: '钻石卡',
  black: '黑卡',
  vip: 'VIP',
};
const tierZh = (p: TraceParams, name: string): string => {
  const tier = str(p, name);
  return TIER_ZH[tier.toLowerCase()] ?? tier;
};

const SOURCE_ZH: Readonly<Record<string, string>> = { purchase: '消费', event: '活动', referral: '推荐', registration: '注册', manual: '手工调整', code: '兑换码', draw: '抽奖' };
const PERIOD_ZH: Readonly<Record<string, string>> = { month: '月度', quarter: '季度', year: '年度' };
const ROUNDING_ZH: Readonly<Record<string, string>> = { floor: '向下取整', half_up: '四舍五入', ceil: '向上取整' };
const zhOf = (table: Readonly<Record<string, string>>, p: TraceParams, name: string): string => table[str(p, name)] ?? str(p, name);

/** The gift's name in the bundle at hand, else the name the entry was written with. */
const giftName = (p: TraceParams, names: TraceNames): string => names.gift?.(str(p, 'giftId')) ?? str(p, 'gift');

const bandPrefixEn = (p: TraceParams) => opt(p, 'name') ?? (p.basis === 'cumulative' ? 'cumulative band' : 'spend band');
const bandPrefixZh = (p: TraceParams) => opt(p, 'name') ?? (p.basis === 'cumulative' ? '累计消费档' : '消费档');

const EN: Record<TraceKey, Template> = {
  memberPrice: () => 'member price',
  percentOff: (p) => `${str(p, 'percent')}% off`,
  tierPercentOff: (p) => `${str(p, 'tier')} ${str(p, 'percent')}% off`,
  earnRate: (p) => `${str(p, 'rate')} pt/yuan`,
  tierEarnRate: (p) => `${str(p, 'tier')} ${str(p, 'rate')} pt/yuan`,
  categoryEarnRate: (p) => `class ${str(p, 'category')} ${str(p, 'rate')} pt/yuan`,
  spendBand: (p) => `${bandPrefixEn(p)} ${str(p, 'rate')} pt/yuan`,
  spendBandMarginal: (p) => `${bandPrefixEn(p)} (marginal)`,
  productExtraRate: (p) => `+${str(p, 'rate')} pt/yuan promo`,
  productPerUnit: (p) => `+${str(p, 'points')} pts promo`,
  multiplier: (p) => `×${str(p, 'factor')}`,
  tierMultiplier: (p) => `${str(p, 'tier')} ×${str(p, 'factor')}`,
  welcomeBonus: (p) => `welcome +${str(p, 'points')}`,
  eventBonus: (p) => `event ${str(p, 'eventId')} +${str(p, 'points')}`,
  referralAward: (p) => `${opt(p, 'name') ?? 'referral'} L${str(p, 'level')} → ${str(p, 'memberId')}`,
  depositBonus: () => 'deposit bonus',
  depositRatio: (p) => `${opt(p, 'name') ?? 'deposit bonus'} ×${str(p, 'ratio')}${p.capped === true ? ' (capped)' : ''}${p.dailyCap === true ? ' (daily cap)' : ''}`,
  capPerTransaction: (p) => `cap ${str(p, 'cap')}/transaction`,
  capPerDay: (p) => `daily cap ${str(p, 'cap')}`,
  rounding: (p) => `rounding (${str(p, 'mode')})`,
  purchaseRounding: (p) => `purchase rounding (${str(p, 'mode')})`,
  tierUpgrade: (p) => `upgrade to ${str(p, 'tier')}`,
  tierReview: (p) => `${str(p, 'period')} review ${str(p, 'figure')} → ${str(p, 'tier')}`,
  tierThreshold: (p) => `threshold ${str(p, 'figure')} → ${str(p, 'tier')}`,
  tierCounted: (p) => `${str(p, 'source')} counts towards tier`,
  paidUpgrade: (p) => `${str(p, 'from')} → ${str(p, 'to')} for ${str(p, 'points')} pts`,
  manualBonus: (p) => `manual: ${str(p, 'reason')}`,
  giftRedeem: (p, names) => `${str(p, 'qty')} × ${giftName(p, names)}`,
  pointsRebateValue: (p) => `points rebate ${str(p, 'points')} pts × ${str(p, 'ratio')}`,
  pointsRebateGift: (p, names) => `points rebate ${str(p, 'qty')} × ${giftName(p, names)}`,
  timeCardUse: (p) => `${str(p, 'serviceId')} time card`,
  countCardUse: (p) => `${str(p, 'serviceId')} visit, ${str(p, 'left')} left`,
  refundLine: (p) => `refund line ${str(p, 'lineNo')}`,
  ruleLabel: (p) => str(p, 'label'),
};

const ZH: Record<TraceKey, Template> = {
  memberPrice: () => '会员价',
  percentOff: (p) => `优惠${str(p, 'percent')}%`,
  tierPercentOff: (p) => `${tierZh(p, 'tier')}优惠${str(p, 'percent')}%`,
  earnRate: (p) => `每元${str(p, 'rate')}积分`,
  tierEarnRate: (p) => `${tierZh(p, 'tier')}每元${str(p, 'rate')}积分`,
  categoryEarnRate: (p) => `${str(p, 'category')}类每元${str(p, 'rate')}积分`,
  spendBand: (p) => `${bandPrefixZh(p)} 每元${str(p, 'rate')}积分`,
  spendBandMarginal: (p) => `${bandPrefixZh(p)}（分段计算）`,
  productExtraRate: (p) => `促销每元加${str(p, 'rate')}积分`,
  productPerUnit: (p) => `促销每件加${str(p, 'points')}积分`,
  multiplier: (p) => `积分×${str(p, 'factor')}`,
  tierMultiplier: (p) => `${tierZh(p, 'tier')}积分×${str(p, 'factor')}`,
  welcomeBonus: (p) => `新会员礼 +${str(p, 'points')}`,
  eventBonus: (p) => `活动 ${str(p, 'eventId')} +${str(p, 'points')}`,
  referralAward: (p) => `${opt(p, 'name') ?? '推荐奖励'} 第${str(p, 'level')}级 → ${str(p, 'memberId')}`,
  depositBonus: () => '充值赠送',
  depositRatio: (p) => `${opt(p, 'name') ?? '充值赠送'} ×${str(p, 'ratio')}${p.capped === true ? '（封顶）' : ''}${p.dailyCap === true ? '（每日上限）' : ''}`,
  capPerTransaction: (p) => `每笔上限${str(p, 'cap')}积分`,
  capPerDay: (p) => `每日上限${str(p, 'cap')}积分`,
  rounding: (p) => `积分${zhOf(ROUNDING_ZH, p, 'mode')}`,
  purchaseRounding: (p) => `整单积分${zhOf(ROUNDING_ZH, p, 'mode')}`,
  tierUpgrade: (p) => `升级为${tierZh(p, 'tier')}`,
  tierReview: (p) => `${zhOf(PERIOD_ZH, p, 'period')}等级评定 ${str(p, 'figure')} → ${tierZh(p, 'tier')}`,
  tierThreshold: (p) => `达到等级门槛 ${str(p, 'figure')} → ${tierZh(p, 'tier')}`,
  tierCounted: (p) => `${zhOf(SOURCE_ZH, p, 'source')}积分计入等级`,
  paidUpgrade: (p) => `${tierZh(p, 'from')} → ${tierZh(p, 'to')}，用${str(p, 'points')}积分`,
  manualBonus: (p) => `手工调整：${str(p, 'reason')}`,
  giftRedeem: (p, names) => `${str(p, 'qty')} × ${giftName(p, names)}`,
  pointsRebateValue: (p) => `积分返点 ${str(p, 'points')}积分 × ${str(p, 'ratio')}`,
  pointsRebateGift: (p, names) => `积分返点 ${str(p, 'qty')} × ${giftName(p, names)}`,
  timeCardUse: (p) => `${str(p, 'serviceId')} 时段卡`,
  countCardUse: (p) => `${str(p, 'serviceId')} 使用1次，剩余${str(p, 'left')}次`,
  refundLine: (p) => `退货 第${str(p, 'lineNo')}行`,
  ruleLabel: (p) => str(p, 'label'),
};

const TEMPLATES: Record<TraceLocale, Record<TraceKey, Template>> = { 'zh-CN': ZH, en: EN };

/** The language a screen or receipt setting names ('zh', 'zh-CN', 'en-US'…): Chinese unless it says English. */
export function traceLocale(language: string | undefined): TraceLocale {
  return language !== undefined && language.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

/** What the engine puts on an entry it writes itself: the key and, as `label`, its English rendering. */
export function traceText(key: TraceKey, params: TraceParams = {}): { label: string; text: TraceText } {
  const text = { key, params };
  return { label: EN[key](params, {}), text };
}

export function namesOf(bundle: RulesBundle | undefined): TraceNames {
  const gifts = bundle?.gifts;
  if (!gifts || gifts.length === 0) return {};
  return { gift: (giftId) => gifts.find((g) => g.giftId === giftId)?.name };
}

/** A keyed text in a language; undefined for a key this build does not know. */
export function renderTraceText(text: { key: string; params: TraceParams }, locale: TraceLocale, names: TraceNames = {}): string | undefined {
  if (!isTraceKey(text.key)) return undefined;
  return TEMPLATES[locale][text.key](text.params, names);
}

/** One text per entry, in the entries' order: keyed entries rendered, the others as their label. */
export function renderTrace(entries: readonly { label: string; text?: TraceText }[], locale: TraceLocale, bundle?: RulesBundle): string[] {
  const names = namesOf(bundle);
  return entries.map((entry) => (entry.text ? renderTraceText(entry.text, locale, names) : undefined) ?? entry.label);
}

/** Entries with both renderings, for an API whose reader picks the language (the console's rules "try" panel). */
export function withBothTexts<E extends { label: string; text?: TraceText }>(entries: readonly E[], bundle?: RulesBundle): (E & { textZh: string; textEn: string })[] {
  const zh = renderTrace(entries, 'zh-CN', bundle);
  const en = renderTrace(entries, 'en', bundle);
  return entries.map((entry, i) => ({ ...entry, textZh: zh[i] ?? entry.label, textEn: en[i] ?? entry.label }));
}

/** "text  +12.00  +45 pts" (English, the short trace's format) or "text  +¥12.00  +45积分". */
export function withAmounts(text: string, amounts: { points?: number | undefined; cents?: number | undefined }, locale: TraceLocale): string {
  const parts = [text];
  const sign = (n: number) => (n > 0 ? '+' : '');
  if (amounts.cents !== undefined && amounts.cents !== 0) {
    parts.push(locale === 'en' ? `${sign(amounts.cents)}${formatCents(amounts.cents)}` : `${amounts.cents > 0 ? '+' : '-'}¥${formatCents(Math.abs(amounts.cents))}`);
  }
  if (amounts.points !== undefined && amounts.points !== 0) parts.push(locale === 'en' ? `${sign(amounts.points)}${amounts.points} pts` : `${sign(amounts.points)}${amounts.points}积分`);
  return parts.join('  ');
}

/**
 * A transaction outcome's trace (English lines) in a language: each line its keyed form covers is rendered with
 * its amounts, every other line stays as written. English keeps the stored lines as they are: they are English.
 */
export function localizeTrace(trace: readonly string[], lines: readonly TraceLine[] | undefined, locale: TraceLocale, bundle?: RulesBundle): string[] {
  const out = [...trace];
  if (locale === 'en' || !lines) return out;
  const names = namesOf(bundle);
  for (const line of lines) {
    if (!Number.isInteger(line.at) || line.at < 0 || line.at >= out.length) continue;
    const text = renderTraceText(line, locale, names);
    if (text !== undefined) out[line.at] = withAmounts(text, line, locale);
  }
  return out;
}
