/**
 * The deposit bonus a top-up would get, shown to the clerk before they confirm it (POST /api/top-up/preview).
 * Computed here, on the kiosk, with core's own top-up evaluation (core/rules/evaluate-top-up.ts) over the rules
 * bundle this kiosk holds — the very bundle version the top-up will name, so the hub recomputes the same bonus —
 * for the member on screen (their tier, the kiosk's store and region). No hub round trip: the preview follows each
 * key the clerk presses and still works while the hub is away.
 *
 * What the kiosk cannot know it says: a deposit_ratio rule's per-day cap counts what the member already got today,
 * which only the hub's ledger has, so where such a cap applies the hub may pay less (`mayBeLess`). Without a rules
 * bundle (a kiosk that never reached the hub) there is no preview; the hub still decides the bonus.
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { evaluateTopUp } from '../../core/rules/evaluate-top-up.ts';
import { withBothTexts } from '../../core/rules/trace-text.ts';
import type { KioskSession } from '../session/kiosk-session.ts';
import { KioskError } from './kiosk-errors.ts';
import { quoteMemberContext } from './member-offers.ts';

/** One rule that pays, in both languages (the screen shows the one it speaks). */
export interface TopUpPreviewLine {
  ruleId: string;
  textZh: string;
  textEn: string;
  cents: number;
}

export type TopUpPreview =
  | {
      available: true;
      amountCents: number;
      /** Credited to the bonus-value account on top of the amount. */
      bonusCents: number;
      /** Top-ups earn no points (core/ledger/plan-top-up.ts): always 0, named so the screen need not guess. */
      pointsEarned: 0;
      /** Where the figure comes from: this kiosk's copy of the rules, at this version. */
      source: 'kiosk_rules';
      bundleVersion: number;
      trace: TopUpPreviewLine[];
      /** A per-day cap of the paying rule counts today's earlier bonuses, which only the hub knows: it may pay less. */
      mayBeLess: boolean;
    }
  | { available: false; reason: 'no_rules' };

export interface TopUpPreviewDeps {
  session: Pick<KioskSession, 'shownMember'>;
  rules: { bundle(): RulesBundle | null };
  storeId: () => string;
  regionId?: () => string | null;
  now?: () => number;
}

/** The largest top-up the preview evaluates (the transaction schema's own ceiling is far above any till). */
const MAX_PREVIEW_CENTS = 100_000_000;

export function createTopUpPreview(deps: TopUpPreviewDeps): (amountCents: number) => TopUpPreview {
  const now = deps.now ?? Date.now;
  return (amountCents) => {
    if (!Number.isSafeInteger(amountCents)) throw new CodedError('MONEY_NOT_INTEGER', 'amountCents is whole cents');
    if (amountCents <= 0 || amountCents > MAX_PREVIEW_CENTS) throw new CodedError('AMOUNT_NOT_POSITIVE', `amountCents is 1 to ${MAX_PREVIEW_CENTS}`);
    const shown = deps.session.shownMember();
    if (!shown) throw new KioskError('SESSION_NO_CARD', 'no member on screen to preview a top-up for');
    const bundle = deps.rules.bundle();
    if (!bundle) return { available: false, reason: 'no_rules' };
    const regionId = deps.regionId?.() ?? undefined;
    const evaluation = evaluateTopUp(bundle, {
      at: new Date(now()).toISOString(),
      storeId: deps.storeId(),
      ...(regionId ? { regionId } : {}),
      member: quoteMemberContext(shown.member),
      amountCents,
    });
    const paying = evaluation.trace.map((entry) => entry.ruleId);
    const mayBeLess = bundle.rules.some((rule) => rule.kind === 'deposit_ratio' && rule.capPerDayCents !== undefined && paying.includes(rule.id));
    return {
      available: true,
      amountCents,
      bonusCents: evaluation.bonusValueCents,
      pointsEarned: 0,
      source: 'kiosk_rules',
      bundleVersion: evaluation.bundleVersion,
      trace: withBothTexts(evaluation.trace, bundle).map((entry) => ({ ruleId: entry.ruleId, textZh: entry.textZh, textEn: entry.textEn, cents: entry.cents ?? 0 })),
      mayBeLess,
    };
  };
}
