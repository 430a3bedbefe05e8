/**
 * Cross-field checks the shape cannot say: unique ids, "exactly one of", ascending bands, tiers that exist,
 * a timezone Intl knows. Each issue names the path and the reason, like a schema issue, so HQ sees one list.
 */
import type { RulesBundle, RuleWindow } from './bundle.ts';
import { decimalToScaled, SCALE } from './decimal.ts';
import { checkCardTypes } from './bundle-checks-card-types.ts';

export interface BundleIssue {
  path: (string | number)[];
  reason: string;
}

export function semanticIssues(bundle: RulesBundle): BundleIssue[] {
  const issues: BundleIssue[] = [];
  const add = (path: (string | number)[], reason: string) => issues.push({ path, reason });

  if (bundle.timezone !== undefined && !isKnownTimezone(bundle.timezone)) add(['timezone'], `unknown IANA timezone '${bundle.timezone}'`);

  const tierNames = checkTiers(bundle, add);
  const knownTier = (tier: string) => tierNames === null || tierNames.has(tier);

  for (const tier of Object.keys(bundle.points?.expiryByTier ?? {})) {
    if (!knownTier(tier)) add(['points', 'expiryByTier', tier], `unknown tier '${tier}' (not in tiers.ladder)`);
  }
  checkPointsRebate(bundle, knownTier, add);
  const maxShare = bundle.pointsPayment?.maxShare;
  if (maxShare !== undefined && decimalToScaled(maxShare) > SCALE) add(['pointsPayment', 'maxShare'], 'must be at most 1 (the whole bill)');

  const seenIds = new Map<string, number>();
  bundle.rules.forEach((rule, index) => {
    const at = (...rest: (string | number)[]) => ['rules', index, ...rest];
    const earlier = seenIds.get(rule.id);
    if (earlier !== undefined) add(at('id'), `duplicate rule id '${rule.id}' (also rules.${earlier})`);
    else seenIds.set(rule.id, index);
    rule.tiers?.forEach((tier, i) => {
      if (!knownTier(tier)) add(at('tiers', i), `unknown tier '${tier}' (not in tiers.ladder)`);
    });
    if (rule.window) checkWindow(rule.window, at('window'), add);

    switch (rule.kind) {
      case 'discount': {
        exactlyOne(rule, ['percentOff', 'percentOffByTier'], at(), add);
        const offs = rule.percentOff !== undefined ? [['percentOff', rule.percentOff] as const] : Object.entries(rule.percentOffByTier ?? {}).map(([t, v]) => [`percentOffByTier.${t}`, v] as const);
        for (const [path, value] of offs) if (decimalToScaled(value) > 100 * SCALE) add(at(...path.split('.')), 'percent off must be at most 100');
        checkTierKeys(rule.percentOffByTier, at('percentOffByTier'), knownTier, add);
        break;
      }
      case 'earn_rate':
        exactlyOne(rule, ['rate', 'byTier', 'byCategory'], at(), add);
        checkTierKeys(rule.byTier, at('byTier'), knownTier, add);
        break;
      case 'multiplier':
        exactlyOne(rule, ['factor', 'byTier'], at(), add);
        checkTierKeys(rule.byTier, at('byTier'), knownTier, add);
        break;
      case 'product_bonus':
        if (rule.extraRate === undefined && rule.pointsPerUnit === undefined) add(at(), 'needs extraRate or pointsPerUnit (or both)');
        break;
      case 'spend_bands':
        rule.bands.forEach((band, i) => {
          const isLast = i === rule.bands.length - 1;
          if (isLast && band.upToCents !== null) add(at('bands', i, 'upToCents'), 'the last band must have upToCents null (no upper limit)');
          if (!isLast && band.upToCents === null) add(at('bands', i, 'upToCents'), 'only the last band may have upToCents null');
          const previous = rule.bands[i - 1];
          if (previous && previous.upToCents !== null && band.upToCents !== null && band.upToCents <= previous.upToCents) {
            add(at('bands', i, 'upToCents'), 'bands must be in ascending order of upToCents');
          }
        });
        break;
      case 'deposit_bonus':
      case 'deposit_ratio':
        rule.bands.forEach((band, i) => {
          const previous = rule.bands[i - 1];
          if (previous && band.minCents <= previous.minCents) add(at('bands', i, 'minCents'), 'bands must be in ascending order of minCents');
        });
        break;
      case 'referral':
        rule.levels.forEach((level, i) => {
          if (level.points === undefined && level.rate === undefined) add(at('levels', i), 'needs points or rate');
        });
        break;
      // Nothing beyond the schema to check; listed so a new rule kind has to be considered here too.
      case 'event_bonus':
      case 'member_price':
      case 'registration_bonus':
        break;
    }
  });

  checkUnique(bundle.gifts?.map((g) => g.giftId) ?? [], (i) => ['gifts', i, 'giftId'], 'gift id', add);
  checkUnique(bundle.cards?.map((c) => c.sku) ?? [], (i) => ['cards', i, 'sku'], 'card sku', add);
  bundle.cards?.forEach((card, i) => {
    if (card.validDays !== undefined && card.validUntil !== undefined) add(['cards', i], 'give validDays or validUntil, not both');
    if (card.punches === undefined && card.validDays === undefined && card.validUntil === undefined) {
      add(['cards', i], 'a card needs punches, a validity, or both');
    }
    if (card.validUntil !== undefined && !isRealDate(card.validUntil)) add(['cards', i, 'validUntil'], 'not a real date');
  });
  checkCardTypes(bundle, add);
  return issues;
}

function checkTiers(bundle: RulesBundle, add: (path: (string | number)[], reason: string) => void): Set<string> | null {
  const tiers = bundle.tiers;
  if (!tiers) return null;
  const names = new Set<string>();
  tiers.ladder.forEach((step, i) => {
    if (names.has(step.tier)) add(['tiers', 'ladder', i, 'tier'], `duplicate tier '${step.tier}'`);
    names.add(step.tier);
    if (i === 0 && step.from !== 0) add(['tiers', 'ladder', 0, 'from'], 'the first (entry) tier must start from 0');
    const previous = tiers.ladder[i - 1];
    if (previous && step.from <= previous.from) add(['tiers', 'ladder', i, 'from'], 'thresholds must be strictly ascending');
    if (i === 0 && step.paidOnly === true) add(['tiers', 'ladder', 0, 'paidOnly'], 'the entry tier cannot be paid-only');
    if (step.paidOnly === true && !(tiers.paidUpgrades ?? []).some((u) => u.to === step.tier)) {
      add(['tiers', 'ladder', i, 'paidOnly'], `paid-only tier '${step.tier}' has no paid upgrade to it (it could never be reached)`);
    }
  });
  if (tiers.basis === 'visits' && tiers.downgrade?.policy === 'reevaluate') {
    add(['tiers', 'downgrade'], 'period reviews by visits are not supported yet (the ledger does not count visits per period): use policy never');
  }
  checkUnique(tiers.countedSources ?? [], (i) => ['tiers', 'countedSources', i], 'point source', add);
  const rank = new Map(tiers.ladder.map((step, i) => [step.tier, i]));
  tiers.paidUpgrades?.forEach((upgrade, i) => {
    const from = rank.get(upgrade.from);
    const to = rank.get(upgrade.to);
    if (from === undefined) add(['tiers', 'paidUpgrades', i, 'from'], `unknown tier '${upgrade.from}'`);
    if (to === undefined) add(['tiers', 'paidUpgrades', i, 'to'], `unknown tier '${upgrade.to}'`);
    if (from !== undefined && to !== undefined && to <= from) add(['tiers', 'paidUpgrades', i, 'to'], 'an upgrade must go to a higher tier');
  });
  return names;
}

function checkTierKeys(
  map: Record<string, string> | undefined,
  path: (string | number)[],
  knownTier: (tier: string) => boolean,
  add: (path: (string | number)[], reason: string) => void,
): void {
  for (const tier of Object.keys(map ?? {})) if (!knownTier(tier)) add([...path, tier], `unknown tier '${tier}' (not in tiers.ladder)`);
}

function exactlyOne(rule: object, keys: string[], path: (string | number)[], add: (path: (string | number)[], reason: string) => void): void {
  const given = keys.filter((k) => (rule as Record<string, unknown>)[k] !== undefined);
  if (given.length !== 1) add(path, `needs exactly one of ${keys.join(', ')}${given.length > 1 ? ` (got ${given.join(', ')})` : ''}`);
}

function checkWindow(window: RuleWindow, path: (string | number)[], add: (path: (string | number)[], reason: string) => void): void {
  if (window.dates) {
    if (!isRealDate(window.dates.from)) add([...path, 'dates', 'from'], 'not a real date');
    if (!isRealDate(window.dates.to)) add([...path, 'dates', 'to'], 'not a real date');
    if (window.dates.from > window.dates.to) add([...path, 'dates'], 'from must not be after to');
  }
  if (window.monthDays) {
    if (!isRealMonthDay(window.monthDays.from)) add([...path, 'monthDays', 'from'], 'not a real month-day');
    if (!isRealMonthDay(window.monthDays.to)) add([...path, 'monthDays', 'to'], 'not a real month-day');
  }
  if (window.hours && window.hours.from === window.hours.to) add([...path, 'hours'], 'from and to must differ (an empty window)');
}

function checkUnique(values: string[], pathOf: (i: number) => (string | number)[], what: string, add: (path: (string | number)[], reason: string) => void): void {
  const seen = new Set<string>();
  values.forEach((value, i) => {
    if (seen.has(value)) add(pathOf(i), `duplicate ${what} '${value}'`);
    seen.add(value);
  });
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isRealMonthDay(monthDay: string): boolean {
  const month = Number(monthDay.slice(0, 2));
  const day = Number(monthDay.slice(3, 5));
  return month >= 1 && month <= 12 && day >= 1 && day <= (DAYS_IN_MONTH[month - 1] ?? 0);
}

function isRealDate(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const asUtc = new Date(Date.UTC(y, m - 1, d));
  return asUtc.getUTCFullYear() === y && asUtc.getUTCMonth() === m - 1 && asUtc.getUTCDate() === d;
}

function isKnownTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

function checkPointsRebate(bundle: RulesBundle, knownTier: (tier: string) => boolean, add: (path: (string | number)[], reason: string) => void): void {
  const rebate = bundle.pointsRebate;
  if (!rebate) return;
  if (rebate.reward === 'value') {
    if (rebate.ratio === undefined && rebate.ratioByTier === undefined) add(['pointsRebate'], 'needs ratio, ratioByTier or both');
    for (const tier of Object.keys(rebate.ratioByTier ?? {})) if (!knownTier(tier)) add(['pointsRebate', 'ratioByTier', tier], `unknown tier '${tier}' (not in tiers.ladder)`);
    return;
  }
  const gifts = new Map((bundle.gifts ?? []).map((g) => [g.giftId, g]));
  const checkGift = (giftId: string, path: (string | number)[]) => {
    const gift = gifts.get(giftId);
    if (!gift) add(path, `unknown gift '${giftId}' (not in gifts)`);
    else if (gift.points > rebate.threshold) add(path, `gift '${giftId}' costs ${gift.points} points, more than the threshold ${rebate.threshold}`);
  };
  checkGift(rebate.giftId, ['pointsRebate', 'giftId']);
  for (const [tier, giftId] of Object.entries(rebate.giftIdByTier ?? {})) {
    if (!knownTier(tier)) add(['pointsRebate', 'giftIdByTier', tier], `unknown tier '${tier}' (not in tiers.ladder)`);
    checkGift(giftId, ['pointsRebate', 'giftIdByTier', tier]);
  }
}
